// The prompt library: entries (built-in and the user's), one entry's detail, diffs, uses.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import {
  filterQuery,
  type LibraryFilters,
  type PromptDetail,
  type PromptDiff,
  type PromptEntry,
  type PromptUsage,
  type PromptVersion,
} from '@/features/prompts/promptLibrary'
import { useAuthStore } from '@/stores/auth'

export type PromptCreate = components['schemas']['PromptCreate']
export type PromptTextIn = components['schemas']['PromptTextIn']
export type PromptPatch = components['schemas']['PromptPatch']

export const usePromptsStore = defineStore('prompts', () => {
  const entries = ref<PromptEntry[]>([])
  const current = ref<PromptDetail | null>(null)
  const usages = ref<PromptUsage[]>([])

  async function loadEntries(filters: LibraryFilters): Promise<void> {
    entries.value = await unwrap(
      api.GET('/api/prompts', { params: { query: filterQuery(filters) } }),
    )
  }

  async function loadEntry(id: string): Promise<PromptDetail> {
    const path = { prompt_id: id }
    const [detail, uses] = await Promise.all([
      unwrap(api.GET('/api/prompts/{prompt_id}', { params: { path } })),
      unwrap(api.GET('/api/prompts/{prompt_id}/used-by', { params: { path } })),
    ])
    current.value = detail
    usages.value = uses
    return detail
  }

  async function create(body: PromptCreate): Promise<PromptDetail> {
    current.value = await unwrap(api.POST('/api/prompts', { body }))
    return current.value
  }

  async function addVersion(id: string, body: PromptTextIn): Promise<PromptDetail> {
    current.value = await unwrap(
      api.POST('/api/prompts/{prompt_id}/versions', { params: { path: { prompt_id: id } }, body }),
    )
    return current.value
  }

  async function update(id: string, body: PromptPatch): Promise<PromptDetail> {
    current.value = await unwrap(
      api.PATCH('/api/prompts/{prompt_id}', { params: { path: { prompt_id: id } }, body }),
    )
    return current.value
  }

  async function copy(id: string): Promise<PromptDetail> {
    return await unwrap(
      api.POST('/api/prompts/{prompt_id}/copy', { params: { path: { prompt_id: id } } }),
    )
  }

  async function remove(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/prompts/{prompt_id}', { params: { path: { prompt_id: id } } }))
    entries.value = entries.value.filter((e) => e.id !== id)
    if (current.value?.id === id) current.value = null
  }

  async function version(id: string, number: number): Promise<PromptVersion> {
    return await unwrap(
      api.GET('/api/prompts/{prompt_id}/versions/{prompt_version}', {
        params: { path: { prompt_id: id, prompt_version: number } },
      }),
    )
  }

  async function diff(id: string, from: number, to: number): Promise<PromptDiff> {
    return await unwrap(
      api.GET('/api/prompts/{prompt_id}/diff', {
        params: { path: { prompt_id: id }, query: { from, to } },
      }),
    )
  }

  function clear(): void {
    entries.value = []
    current.value = null
    usages.value = []
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    entries,
    current,
    usages,
    loadEntries,
    loadEntry,
    create,
    addVersion,
    update,
    copy,
    remove,
    version,
    diff,
    clear,
  }
})
