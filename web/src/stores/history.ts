// The benchmark history: a server-side searched, filtered and paged list of runs, plus
// compare, delete, export and import.
import { defineStore } from 'pinia'
import { ref } from 'vue'

import { api, unwrap } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { components } from '@/api/schema'

export type RunOut = components['schemas']['RunOut']
export type CompareOut = components['schemas']['CompareOut']
export type ImportOut = components['schemas']['ImportOut']
// A run's own status (benchruns.domain.RUN_STATUSES); 'stopped' means a limit ended it early.
export type RunStatus =
  'queued' | 'running' | 'completed' | 'stopped' | 'cancelled' | 'failed' | 'interrupted'
export const RUN_STATUSES: RunStatus[] = [
  'running',
  'completed',
  'stopped',
  'failed',
  'cancelled',
  'interrupted',
]

/** The status to show with the shared job badge, whose wording for a finished run is "Done". */
export function badgeStatus(status: string): string {
  return status === 'completed' ? 'done' : status
}

export interface HistoryFilters {
  q: string
  status: RunStatus | ''
  providerId: string
  /** Runs one schedule started (`/history?schedule_id=…`, linked from the schedule's page). */
  scheduleId: string
}

/** The largest results file the server takes (benchruns.endpoints.MAX_IMPORT_BYTES). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024

/** A file the server would refuse anyway, caught before uploading it; null when it may go. */
export function importProblem(file: File): ApiError | null {
  if (file.size === 0) {
    return new ApiError({ status: 0, code: 'empty_file', message: `“${file.name}” is empty.` })
  }
  if (file.size > MAX_IMPORT_BYTES) {
    return new ApiError({
      status: 0,
      code: 'too_large',
      message: `“${file.name}” is larger than the 256 MB the server takes.`,
    })
  }
  return null
}

export const HISTORY_PAGE_SIZE = 20
export const MAX_COMPARED = 4

export const useHistoryStore = defineStore('history', () => {
  const runs = ref<RunOut[]>([])
  const total = ref(0)
  const offset = ref(0)
  const filters = ref<HistoryFilters>({ q: '', status: '', providerId: '', scheduleId: '' })
  /** Runs ticked for comparison, in the order they were ticked (the first is the baseline). */
  const selected = ref<string[]>([])
  const comparison = ref<CompareOut | null>(null)

  async function load(at = offset.value): Promise<void> {
    const f = filters.value
    const query = {
      limit: HISTORY_PAGE_SIZE,
      offset: at,
      ...(f.q.trim() ? { q: f.q.trim() } : {}),
      ...(f.status ? { status: [f.status] } : {}),
      ...(f.providerId ? { provider_id: f.providerId } : {}),
      ...(f.scheduleId ? { schedule_id: f.scheduleId } : {}),
    }
    const page = await unwrap(api.GET('/api/benchmarks', { params: { query } }))
    runs.value = page.items
    total.value = page.total
    offset.value = at
  }

  function toggle(runId: string): void {
    if (selected.value.includes(runId)) {
      selected.value = selected.value.filter((id) => id !== runId)
    } else if (selected.value.length < MAX_COMPARED) {
      selected.value = [...selected.value, runId]
    }
  }

  async function compare(runIds: string[]): Promise<CompareOut> {
    comparison.value = await unwrap(
      api.POST('/api/benchmarks/compare', { body: { run_ids: runIds } }),
    )
    return comparison.value
  }

  async function remove(runId: string): Promise<void> {
    await unwrap(api.DELETE('/api/benchmarks/{run_id}', { params: { path: { run_id: runId } } }))
    selected.value = selected.value.filter((id) => id !== runId)
    const lastOnPage = runs.value.length === 1 && offset.value > 0
    await load(lastOnPage ? Math.max(0, offset.value - HISTORY_PAGE_SIZE) : offset.value)
  }

  /** The export as a Blob (the access token lives in memory, so a plain link would not work). */
  async function exportRun(runId: string, format: 'json' | 'csv'): Promise<Blob> {
    return unwrap(
      api.GET('/api/benchmarks/{run_id}/export', {
        params: { path: { run_id: runId }, query: { format } },
        parseAs: 'blob',
      }),
    )
  }

  /**
   * Store a results file (a run's JSON export, or what `benchstudio bench --output` writes) as
   * a new run. The endpoint reads the raw JSON body, so the file is sent as it is.
   */
  /** `allowDuplicate`: import results imported before again (else a 409 names the first). */
  async function importRun(file: File, allowDuplicate = false): Promise<ImportOut> {
    const problem = importProblem(file)
    if (problem) throw problem
    return unwrap(
      api.POST('/api/benchmarks/import', {
        params: { query: allowDuplicate ? { duplicate: 'allow' } : {} },
        // The generated types declare no body (the route parses it itself).
        body: file as never,
        bodySerializer: () => file,
        headers: { 'Content-Type': 'application/json' },
      }),
    )
  }

  return {
    runs,
    total,
    offset,
    filters,
    selected,
    comparison,
    load,
    toggle,
    compare,
    remove,
    exportRun,
    importRun,
  }
})

/** Save a Blob as a file through a temporary link. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
