// The tuner's runs list, its setup calls (estimate, submit) and the search-space presets: the
// built-in vendor ones and the user's saved ones.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { RunFilters } from '@/features/tuning/runList'
import type {
  SpacePreset,
  SpacePresetIn,
  TunerEstimate,
  TunerRun,
  TunerRunCreate,
  TunerSubmitted,
  VendorPreset,
} from '@/features/tuning/types'
import { useAuthStore } from '@/stores/auth'

const PAGE_SIZE = 50
const presetPath = (preset_id: string) => ({ params: { path: { preset_id } } })

export const useTuningStore = defineStore('tuning', () => {
  const runs = ref<TunerRun[]>([])
  const total = ref(0)
  const presets = ref<SpacePreset[]>([])
  const vendorPresets = ref<VendorPreset[]>([])

  async function loadRuns(filters: RunFilters): Promise<void> {
    const query = {
      limit: PAGE_SIZE,
      ...(filters.q ? { q: filters.q } : {}),
      ...(filters.status ? { status: [filters.status] } : {}),
    }
    const page = await unwrap(api.GET('/api/tuning/runs', { params: { query } }))
    runs.value = page.items
    total.value = page.total
  }

  async function estimate(body: TunerRunCreate, signal?: AbortSignal): Promise<TunerEstimate> {
    return await unwrap(api.POST('/api/tuning/estimate', { body, signal }))
  }

  async function submit(body: TunerRunCreate): Promise<TunerSubmitted> {
    return await unwrap(api.POST('/api/tuning/runs', { body }))
  }

  /** Every built-in vendor preset (for "load"), kept once loaded: they never change. */
  async function loadVendorPresets(): Promise<VendorPreset[]> {
    if (vendorPresets.value.length === 0)
      vendorPresets.value = await unwrap(api.GET('/api/tuning/vendor-presets'))
    return vendorPresets.value
  }

  /** The vendor presets that apply to a model id (the server matches them). */
  async function presetsFor(model: string): Promise<VendorPreset[]> {
    return await unwrap(api.GET('/api/tuning/vendor-presets', { params: { query: { model } } }))
  }

  async function loadPresets(): Promise<SpacePreset[]> {
    presets.value = await unwrap(api.GET('/api/tuning/presets'))
    return presets.value
  }

  function keep(preset: SpacePreset): SpacePreset {
    presets.value = [...presets.value.filter((p) => p.id !== preset.id), preset].sort((a, b) =>
      a.name.localeCompare(b.name),
    )
    return preset
  }

  async function createPreset(body: SpacePresetIn): Promise<SpacePreset> {
    return keep(await unwrap(api.POST('/api/tuning/presets', { body })))
  }

  /** Replace a saved preset's space (and description) with the editor's. */
  async function updatePreset(id: string, body: Partial<SpacePresetIn>): Promise<SpacePreset> {
    return keep(
      await unwrap(api.PATCH('/api/tuning/presets/{preset_id}', { ...presetPath(id), body })),
    )
  }

  async function deletePreset(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/tuning/presets/{preset_id}', presetPath(id)))
    presets.value = presets.value.filter((p) => p.id !== id)
  }

  function clear(): void {
    runs.value = []
    total.value = 0
    presets.value = []
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    runs,
    total,
    presets,
    vendorPresets,
    loadRuns,
    estimate,
    submit,
    loadVendorPresets,
    presetsFor,
    loadPresets,
    createPreset,
    updatePreset,
    deletePreset,
    clear,
  }
})
