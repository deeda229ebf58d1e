// One tuner run on its results page: the detail (run, trials, results), its trials advanced
// live by the job's events, and "apply best" (a parameter set, or filing in an experiment).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'

import { api, unwrap } from '@/api/client'
import type { ExperimentOut } from '@/features/experiments/types'
import { isTrialEvent, mergeTrials, withTrialEvents } from '@/features/tuning/resultsLive'
import type {
  ApplyBestIn,
  ApplyBestOut,
  Trial,
  TunerRunDetail,
} from '@/features/tuning/resultsTypes'
import { useJobsStore } from '@/stores/jobs'

/** After a trial finishes, the results (best, baselines, importance) are fetched again once
 * the burst of events has settled. */
const RESULTS_REFRESH_MS = 800

const runPath = (tuner_run_id: string) => ({ params: { path: { tuner_run_id } } })

export const useTuningRunStore = defineStore('tuningRun', () => {
  // shallowRef: the page replaces the detail whole; a deep ref would proxy every point.
  const detail = shallowRef<TunerRunDetail | null>(null)
  const trials = ref<Trial[]>([])
  let refreshTimer: ReturnType<typeof setTimeout> | undefined

  async function load(runId: string): Promise<TunerRunDetail> {
    const loaded = await unwrap(api.GET('/api/tuning/runs/{tuner_run_id}', runPath(runId)))
    const same = detail.value?.run.id === runId
    detail.value = loaded
    trials.value = same ? mergeTrials(trials.value, loaded.trials) : loaded.trials
    return loaded
  }

  function refreshSoon(runId: string): void {
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined
      void load(runId).catch(() => undefined)
    }, RESULTS_REFRESH_MS)
  }

  /** Follow the run's job: trials appear as they start and finish. */
  function followLive(runId: string, jobId: string): () => void {
    const stop = useJobsStore().subscribe(jobId, (events) => {
      if (detail.value?.run.id !== runId) return
      trials.value = withTrialEvents(trials.value, events, runId)
      if (events.some(isTrialEvent)) refreshSoon(runId)
    })
    return () => {
      stop()
      clearTimeout(refreshTimer)
      refreshTimer = undefined
    }
  }

  async function applyBest(runId: string, body: ApplyBestIn): Promise<ApplyBestOut> {
    return unwrap(api.POST('/api/tuning/runs/{tuner_run_id}/apply', { ...runPath(runId), body }))
  }

  /** The user's live experiments to file the run in: those on its suite first. */
  async function experimentChoices(suiteId: string): Promise<ExperimentOut[]> {
    const query = { limit: 100 }
    const page = await unwrap(api.GET('/api/experiments', { params: { query } }))
    return [...page.items].sort(
      (a, b) => Number(b.suite_id === suiteId) - Number(a.suite_id === suiteId),
    )
  }

  return { detail, trials, load, followLive, applyBest, experimentChoices }
})
