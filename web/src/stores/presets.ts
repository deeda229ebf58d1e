// Prompt templates, model profiles (saved parameter bundles) and the user's defaults.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'

export type PromptTemplate = components['schemas']['PromptTemplateOut']
export type PromptTemplateInput = components['schemas']['PromptTemplateIn']
export type ModelProfile = components['schemas']['ModelProfileOut']
export type ModelProfileInput = components['schemas']['ModelProfileIn']
export type Defaults = components['schemas']['DefaultsOut']
export type DefaultsInput = components['schemas']['DefaultsIn']

export const usePresetsStore = defineStore('presets', () => {
  const templates = ref<PromptTemplate[]>([])
  const profiles = ref<ModelProfile[]>([])
  const defaults = ref<Defaults | null>(null)

  async function loadTemplates(): Promise<void> {
    templates.value = await unwrap(api.GET('/api/prompt-templates'))
  }

  async function saveTemplate(body: PromptTemplateInput, id?: string): Promise<PromptTemplate> {
    const saved = id
      ? await unwrap(
          api.PUT('/api/prompt-templates/{template_id}', {
            params: { path: { template_id: id } },
            body,
          }),
        )
      : await unwrap(api.POST('/api/prompt-templates', { body }))
    templates.value = [...templates.value.filter((t) => t.id !== saved.id), saved].sort((a, b) =>
      a.name.localeCompare(b.name),
    )
    return saved
  }

  async function deleteTemplate(id: string): Promise<void> {
    await unwrap(
      api.DELETE('/api/prompt-templates/{template_id}', { params: { path: { template_id: id } } }),
    )
    templates.value = templates.value.filter((t) => t.id !== id)
  }

  async function loadProfiles(): Promise<void> {
    profiles.value = await unwrap(api.GET('/api/model-profiles'))
  }

  async function saveProfile(body: ModelProfileInput, id?: string): Promise<ModelProfile> {
    const saved = id
      ? await unwrap(
          api.PUT('/api/model-profiles/{profile_id}', {
            params: { path: { profile_id: id } },
            body,
          }),
        )
      : await unwrap(api.POST('/api/model-profiles', { body }))
    profiles.value = [...profiles.value.filter((p) => p.id !== saved.id), saved].sort((a, b) =>
      a.name.localeCompare(b.name),
    )
    return saved
  }

  async function deleteProfile(id: string): Promise<void> {
    await unwrap(
      api.DELETE('/api/model-profiles/{profile_id}', { params: { path: { profile_id: id } } }),
    )
    profiles.value = profiles.value.filter((p) => p.id !== id)
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
    profiles.value = []
    defaults.value = null
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    templates,
    profiles,
    defaults,
    loadTemplates,
    saveTemplate,
    deleteTemplate,
    loadProfiles,
    saveProfile,
    deleteProfile,
    loadDefaults,
    updateDefaults,
    clear,
  }
})
