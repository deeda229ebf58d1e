// Benchmark prompts (from the prompt library), parameter sets (saved request parameters) and the user's defaults.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'

export type PromptTemplate = components['schemas']['PromptEntryOut']
export type ParameterSet = components['schemas']['ParameterSetOut']
export type ParameterSetInput = components['schemas']['ParameterSetIn']
export type ParameterSpec = components['schemas']['ParameterSpecOut']
export type Defaults = components['schemas']['DefaultsOut']
export type DefaultsInput = components['schemas']['DefaultsIn']

export const usePresetsStore = defineStore('presets', () => {
  const templates = ref<PromptTemplate[]>([])
  const parameterSets = ref<ParameterSet[]>([])
  const defaults = ref<Defaults | null>(null)

  /** Benchmark prompts of the prompt library (a system and a user prompt each). */
  async function loadTemplates(): Promise<void> {
    templates.value = await unwrap(
      api.GET('/api/prompts', { params: { query: { kind: 'benchmark' } } }),
    )
  }

  async function loadParameterSets(): Promise<void> {
    parameterSets.value = await unwrap(api.GET('/api/parameter-sets'))
  }

  async function saveParameterSet(body: ParameterSetInput, id?: string): Promise<ParameterSet> {
    const saved = id
      ? await unwrap(
          api.PUT('/api/parameter-sets/{parameter_set_id}', {
            params: { path: { parameter_set_id: id } },
            body,
          }),
        )
      : await unwrap(api.POST('/api/parameter-sets', { body }))
    parameterSets.value = [...parameterSets.value.filter((p) => p.id !== saved.id), saved].sort(
      (a, b) => a.name.localeCompare(b.name),
    )
    return saved
  }

  async function deleteParameterSet(id: string): Promise<void> {
    await unwrap(
      api.DELETE('/api/parameter-sets/{parameter_set_id}', {
        params: { path: { parameter_set_id: id } },
      }),
    )
    parameterSets.value = parameterSets.value.filter((p) => p.id !== id)
  }

  /** The registry's parameters for a catalog model (or every known one): editor controls. */
  async function loadParameterSpecs(modelRefId: string | null): Promise<ParameterSpec[]> {
    const query = modelRefId ? { model_ref_id: modelRefId } : {}
    return await unwrap(api.GET('/api/parameter-specs', { params: { query } }))
  }

  async function loadDefaults(): Promise<Defaults> {
    defaults.value = await unwrap(api.GET('/api/defaults'))
    return defaults.value
  }

  /** Merge into the saved defaults (the API replaces them as a whole). */
  async function updateDefaults(change: Partial<DefaultsInput>): Promise<Defaults> {
    const current = defaults.value ?? (await loadDefaults())
    const body: DefaultsInput = {
      ...current,
      ...change,
      preferences: { ...current.preferences, ...(change.preferences ?? {}) },
    }
    defaults.value = await unwrap(api.PUT('/api/defaults', { body }))
    return defaults.value
  }

  function clear(): void {
    templates.value = []
    parameterSets.value = []
    defaults.value = null
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    templates,
    parameterSets,
    defaults,
    loadTemplates,
    loadParameterSets,
    saveParameterSet,
    deleteParameterSet,
    loadParameterSpecs,
    loadDefaults,
    updateDefaults,
    clear,
  }
})
