// Experiments: the user's list, one experiment's detail (results, baseline, best), and the
// actions on it (edit, archive, baseline, filing runs, re-running the best configuration).
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import type {
  ExperimentCreate,
  ExperimentDetail,
  ExperimentOut,
  ExperimentUpdate,
} from '@/features/experiments/types'
import { useAuthStore } from '@/stores/auth'

export type EvalSubmitted = components['schemas']['EvalSubmitted']
export type EvalRunOut = components['schemas']['EvalRunOut']

export interface ExperimentFilters {
  q: string
  includeArchived: boolean
}

const experimentPath = (experiment_id: string) => ({ params: { path: { experiment_id } } })

export const useExperimentsStore = defineStore('experiments', () => {
  const items = ref<ExperimentOut[]>([])
  const total = ref(0)
  // shallowRef: a deep ref would widen the comparison's (low, high) tuple to an array.
  const current = shallowRef<ExperimentDetail | null>(null)

  async function load(filters: ExperimentFilters): Promise<void> {
    const query = {
      limit: 100,
      include_archived: filters.includeArchived,
      ...(filters.q ? { q: filters.q } : {}),
    }
    const page = await unwrap(api.GET('/api/experiments', { params: { query } }))
    items.value = page.items
    total.value = page.total
  }

  /** The user's live experiments on one suite (the eval run form's choices). */
  async function forSuite(suiteId: string): Promise<ExperimentOut[]> {
    const query = { suite_id: suiteId, limit: 100 }
    return (await unwrap(api.GET('/api/experiments', { params: { query } }))).items
  }

  async function get(id: string): Promise<ExperimentDetail> {
    return unwrap(api.GET('/api/experiments/{experiment_id}', experimentPath(id)))
  }

  async function loadOne(id: string): Promise<ExperimentDetail> {
    current.value = await get(id)
    return current.value
  }

  function keep(detail: ExperimentDetail): ExperimentDetail {
    current.value = detail
    const index = items.value.findIndex((e) => e.id === detail.id)
    if (index >= 0) items.value[index] = detail
    return detail
  }

  async function create(body: ExperimentCreate): Promise<ExperimentDetail> {
    return keep(await unwrap(api.POST('/api/experiments', { body })))
  }

  async function update(id: string, body: ExperimentUpdate): Promise<ExperimentDetail> {
    return keep(
      await unwrap(api.PATCH('/api/experiments/{experiment_id}', { ...experimentPath(id), body })),
    )
  }

  async function setBaseline(id: string, runId: string, target: string): Promise<ExperimentDetail> {
    const body = { run_id: runId, target }
    return keep(
      await unwrap(
        api.PUT('/api/experiments/{experiment_id}/baseline', { ...experimentPath(id), body }),
      ),
    )
  }

  async function clearBaseline(id: string): Promise<ExperimentDetail> {
    return keep(
      await unwrap(api.DELETE('/api/experiments/{experiment_id}/baseline', experimentPath(id))),
    )
  }

  /** File a run here; `move` takes it out of the experiment it is in (else that is a 409). */
  async function fileRun(
    id: string,
    kind: 'eval' | 'judge',
    refId: string,
    move = false,
  ): Promise<ExperimentDetail> {
    return keep(
      await unwrap(
        api.POST('/api/experiments/{experiment_id}/runs', {
          params: { path: { experiment_id: id }, query: move ? { move: true } : {} },
          body: { kind, ref_id: refId },
        }),
      ),
    )
  }

  async function unfile(
    id: string,
    kind: 'eval' | 'judge',
    refId: string,
  ): Promise<ExperimentDetail> {
    return keep(
      await unwrap(
        api.DELETE('/api/experiments/{experiment_id}/runs/{kind}/{ref_id}', {
          params: { path: { experiment_id: id, kind, ref_id: refId } },
        }),
      ),
    )
  }

  /** The user's eval runs of a suite, newest first (the "File a run" choices). */
  async function evalRunsOfSuite(suiteId: string): Promise<EvalRunOut[]> {
    const query = { suite_id: suiteId, limit: 100 }
    return (await unwrap(api.GET('/api/evals', { params: { query } }))).items
  }

  async function rerunBest(id: string): Promise<EvalSubmitted> {
    return unwrap(api.POST('/api/experiments/{experiment_id}/rerun-best', experimentPath(id)))
  }

  function clear(): void {
    items.value = []
    total.value = 0
    current.value = null
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    items,
    total,
    current,
    load,
    forSuite,
    get,
    loadOne,
    create,
    update,
    setBaseline,
    clearBaseline,
    fileRun,
    unfile,
    evalRunsOfSuite,
    rerunBest,
    clear,
  }
})
