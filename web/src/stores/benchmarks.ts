// Starting benchmarks and following one run: the preview (effective parameters and the
// registry's adjustments), submit, the run's detail and request rows, and the live results.
// Live results come from a subscription to the run's job in the jobs store: its stored events
// once, then each event of the one WebSocket as it arrives.
import { defineStore } from 'pinia'
import { ref } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { type BenchmarkCreate } from '@/features/benchmarks/benchmarkForm'
import { applyEvents, emptyLive, type LiveState } from '@/features/benchmarks/liveResults'
import { useJobsStore } from '@/stores/jobs'

export type BenchmarkPreview = components['schemas']['BenchmarkPreview']
export type TargetPreview = components['schemas']['TargetPreview']
export type BenchmarkSubmitted = components['schemas']['BenchmarkSubmitted']
export type RunDetail = components['schemas']['RunDetail']
export type RunOut = components['schemas']['RunOut']
export type StepOut = components['schemas']['StepOut']
export type RequestRow = Record<string, unknown>

/** Rows loaded for the distribution charts (the API pages at 1000). */
export const CHART_ROW_LIMIT = 1000

const runPath = (run_id: string) => ({ params: { path: { run_id } } })

export const useBenchmarksStore = defineStore('benchmarks', () => {
  const preview = ref<BenchmarkPreview | null>(null)
  const run = ref<RunDetail | null>(null)
  const rows = ref<RequestRow[]>([])
  const rowsTotal = ref(0)
  const live = ref<LiveState>(emptyLive())
  let following: string | null = null

  async function loadPreview(body: BenchmarkCreate): Promise<BenchmarkPreview> {
    preview.value = await unwrap(api.POST('/api/benchmarks/preview', { body }))
    return preview.value
  }

  async function submit(body: BenchmarkCreate): Promise<BenchmarkSubmitted> {
    return unwrap(api.POST('/api/benchmarks', { body }))
  }

  async function rerun(runId: string): Promise<BenchmarkSubmitted> {
    return unwrap(api.POST('/api/benchmarks/{run_id}/rerun', runPath(runId)))
  }

  async function loadRun(runId: string): Promise<RunDetail> {
    if (run.value?.id !== runId) {
      live.value = emptyLive()
      rows.value = []
      rowsTotal.value = 0
    }
    run.value = await unwrap(api.GET('/api/benchmarks/{run_id}', runPath(runId)))
    following = run.value.job_id
    return run.value
  }

  async function loadRows(runId: string): Promise<void> {
    const query = { limit: CHART_ROW_LIMIT, offset: 0 }
    const page = await unwrap(
      api.GET('/api/benchmarks/{run_id}/requests', { params: { path: { run_id: runId }, query } }),
    )
    rows.value = page.items
    rowsTotal.value = page.total
  }

  /** Follow the loaded run's job, from the last event the live view has; returns the stop. */
  function followLive(jobId: string): () => void {
    return useJobsStore().subscribe(
      jobId,
      (events) => {
        if (following === jobId) live.value = applyEvents(live.value, events)
      },
      { after: following === jobId ? live.value.afterSeq : 0 },
    )
  }

  function clearPreview(): void {
    preview.value = null
  }

  return {
    preview,
    run,
    rows,
    rowsTotal,
    live,
    loadPreview,
    submit,
    rerun,
    loadRun,
    loadRows,
    followLive,
    clearPreview,
  }
})
