// Live updates for an experiment page: the jobs of its queued and running results (eval runs,
// judge reports) are looked up once, then followed through the jobs store, which the live
// socket keeps current. When one of them ends, `onEnded` reloads the experiment.
import { computed, type Ref, ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { ExperimentDetail } from '@/features/experiments/types'
import { ACTIVE_STATUSES, useJobsStore } from '@/stores/jobs'

/** A result still working: its job is worth following. */
export function activeRefs(
  detail: ExperimentDetail | null,
): { kind: 'eval' | 'judge'; id: string }[] {
  if (!detail) return []
  const seen = new Set<string>()
  const refs: { kind: 'eval' | 'judge'; id: string }[] = []
  for (const r of detail.results) {
    if (!ACTIVE_STATUSES.includes(r.status) || r.kind === 'tuner') continue
    const id = r.kind === 'eval' ? (r.eval_run_id ?? r.ref_id) : r.ref_id
    const key = `${r.kind}:${id}`
    if (seen.has(key)) continue
    seen.add(key)
    refs.push({ kind: r.kind, id })
  }
  return refs
}

async function jobOf(ref: { kind: 'eval' | 'judge'; id: string }): Promise<string | null> {
  if (ref.kind === 'eval') {
    const params = { params: { path: { eval_run_id: ref.id } } }
    return (await unwrap(api.GET('/api/evals/{eval_run_id}', params))).job_id
  }
  const params = { params: { path: { report_id: ref.id } } }
  return (await unwrap(api.GET('/api/judge/reports/{report_id}', params))).job_id
}

export function useFiledJobs(detail: Ref<ExperimentDetail | null>, onEnded: () => void): void {
  const jobs = useJobsStore()
  /** Result ref ("eval:<id>") → its job id, looked up once. */
  const jobIds = ref<Record<string, string>>({})
  /** Jobs whose end was already reported (a reload must not report them again). */
  const ended = new Set<string>()
  const followed = computed(() => activeRefs(detail.value))

  watch(
    followed,
    async (refs) => {
      for (const ref of refs) {
        const key = `${ref.kind}:${ref.id}`
        if (jobIds.value[key]) continue
        try {
          const jobId = await jobOf(ref)
          if (!jobId) continue
          jobIds.value = { ...jobIds.value, [key]: jobId }
          if (!jobs.byId[jobId]) await jobs.fetchJob(jobId)
        } catch {
          // Gone meanwhile: the next reload of the experiment shows what became of it.
        }
      }
    },
    { immediate: true },
  )

  // The followed jobs that have ended: each one means a result changed.
  const finished = computed(() =>
    followed.value.flatMap((ref) => {
      const jobId = jobIds.value[`${ref.kind}:${ref.id}`]
      const status = jobId ? jobs.byId[jobId]?.status : undefined
      return jobId && status && !ACTIVE_STATUSES.includes(status) ? [jobId] : []
    }),
  )
  watch(finished, (now) => {
    const fresh = now.filter((jobId) => !ended.has(jobId))
    fresh.forEach((jobId) => ended.add(jobId))
    if (fresh.length > 0) onEnded()
  })
}
