// The signed-in user's jobs: the active ones (for the header indicator) kept current by live
// events, and a page of recent jobs. Events carry per-job sequence numbers; the highest seen is
// what the WebSocket asks the server to replay after on reconnect. Pages that show one job's
// events (benchmark and eval runs) subscribe to it here rather than refetching them.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { jobTypeName } from '@/jobs'
import type { ConnectionState, LiveEvent } from '@/realtime/connection'
import { type JobEventHandler, JobFeeds, type SubscribeOptions } from '@/realtime/job-feed'

export type Job = components['schemas']['JobOut']
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted'

export const ACTIVE_STATUSES: readonly string[] = ['queued', 'running']
export const JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'interrupted',
]
const FINAL_STATUS_FOR_EVENT: Record<string, JobStatus> = {
  job_completed: 'done',
  job_failed: 'failed',
  job_cancelled: 'cancelled',
  job_interrupted: 'interrupted',
}
const RECENT_PAGE_SIZE = 20

export function isActive(job: Pick<Job, 'status'>): boolean {
  return ACTIVE_STATUSES.includes(job.status)
}

/** What people call a job: its run's title (from the server), else its kind. Never its id. */
export function jobLabel(job: Pick<Job, 'title' | 'type'>): string {
  return job.title?.trim() || jobTypeName(job.type)
}

/** A queued job's line: why it waits, naming the limit when one holds it ("Queued" otherwise). */
export function queuedText(job: Pick<Job, 'status' | 'queue_reason'>): string | null {
  if (job.status !== 'queued') return null
  return job.queue_reason ?? 'Queued'
}

/** The server refuses a resume naming more jobs than this (realtime MAX_RESUME_JOBS). */
export const MAX_RESUME_JOBS = 200

/**
 * What a (re)connecting socket asks to replay: the jobs not known to have ended (the others
 * have all their events), the most recently seen last, at most MAX_RESUME_JOBS of them.
 */
export function resumePoints(
  lastSeq: Record<string, number>,
  byId: Record<string, Pick<Job, 'status'>>,
  max: number = MAX_RESUME_JOBS,
): Record<string, number> {
  const open = Object.entries(lastSeq).filter(([id]) => {
    const job = byId[id]
    return job === undefined || isActive(job)
  })
  return Object.fromEntries(open.slice(Math.max(0, open.length - max)))
}

function numberOr(value: unknown, fallback: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

/** A job with one event applied (pure, so it is easy to test). */
export function applyJobEvent(job: Job, event: LiveEvent): Job {
  const next: Job = { ...job, event_seq: Math.max(job.event_seq, event.seq) }
  const data = event.data
  switch (event.type) {
    case 'job_created':
      return {
        ...next,
        status: 'queued',
        progress_percent: data.resumed ? job.progress_percent : 0,
      }
    case 'job_started':
      return {
        ...next,
        status: 'running',
        queue_reason: null,
        queue_reason_code: null,
        started_at: event.at,
        attempt: numberOr(data.attempt, job.attempt) ?? job.attempt,
      }
    case 'job_progress':
      return {
        ...next,
        status: job.status === 'queued' ? 'running' : job.status,
        queue_reason: null,
        queue_reason_code: null,
        progress_percent: numberOr(data.percent, job.progress_percent) ?? job.progress_percent,
        progress_detail: typeof data.detail === 'string' ? data.detail : job.progress_detail,
        eta_s: numberOr(data.eta_s, null),
      }
    case 'job_cancel_requested':
      return { ...next, cancel_requested: true }
    default: {
      const status = FINAL_STATUS_FOR_EVENT[event.type]
      if (!status) return next
      const error = typeof data.error === 'string' ? data.error : job.error
      return {
        ...next,
        status,
        finished_at: event.at,
        eta_s: null,
        error,
        progress_percent: status === 'done' ? 100 : job.progress_percent,
      }
    }
  }
}

export const useJobsStore = defineStore('jobs', () => {
  const byId = ref<Record<string, Job>>({})
  const lastSeq = ref<Record<string, number>>({})
  const recentIds = ref<string[]>([])
  const recentTotal = ref(0)
  const recentOffset = ref(0)
  const recentStatus = ref<JobStatus | ''>('')
  const loadingRecent = ref(false)
  /** Job fetches on their way: a second caller waits for the same answer. */
  const pendingFetches = new Map<string, Promise<void>>()
  /**
   * Live events of jobs not loaded yet, held until their fetch answers: the answer is a
   * snapshot from before some of them, and applying the newer ones to it is what keeps a job
   * that ended meanwhile from showing "running" for good.
   */
  const early = new Map<string, LiveEvent[]>()
  /** State of the live-update socket, shown beside the jobs indicator. */
  const connection = ref<ConnectionState>('idle')

  const active = computed(() =>
    Object.values(byId.value)
      .filter(isActive)
      .sort((a, b) => a.created_at.localeCompare(b.created_at)),
  )
  const recent = computed(() => recentIds.value.flatMap((id) => byId.value[id] ?? []))

  function remember(job: Job): void {
    // A fetch that raced a newer live event must not roll the job back.
    const known = byId.value[job.id]
    if (known && known.event_seq > job.event_seq) return
    const held = (early.get(job.id) ?? []).sort((a, b) => a.seq - b.seq)
    early.delete(job.id)
    byId.value[job.id] = held.reduce(
      (current, event) => (event.seq > current.event_seq ? applyJobEvent(current, event) : current),
      job,
    )
    lastSeq.value[job.id] = Math.max(lastSeq.value[job.id] ?? 0, job.event_seq)
  }

  async function loadActive(): Promise<void> {
    const page = await unwrap(
      api.GET('/api/jobs', { params: { query: { status: ['queued', 'running'], limit: 100 } } }),
    )
    // A job that finished while we were not listening is refreshed, not left "running".
    const stale = Object.values(byId.value).filter(
      (job) => isActive(job) && !page.items.some((item) => item.id === job.id),
    )
    page.items.forEach(remember)
    await Promise.all(stale.map((job) => fetchJob(job.id)))
  }

  async function loadRecent(offset = recentOffset.value): Promise<void> {
    loadingRecent.value = true
    try {
      const status = recentStatus.value ? [recentStatus.value] : []
      const query = { status, limit: RECENT_PAGE_SIZE, offset }
      const page = await unwrap(api.GET('/api/jobs', { params: { query } }))
      page.items.forEach(remember)
      recentIds.value = page.items.map((job) => job.id)
      recentTotal.value = page.total
      recentOffset.value = offset
    } finally {
      loadingRecent.value = false
    }
  }

  function fetchJob(id: string): Promise<void> {
    const pending = pendingFetches.get(id)
    if (pending) return pending
    const fetching = (async () => {
      try {
        remember(await unwrap(api.GET('/api/jobs/{job_id}', { params: { path: { job_id: id } } })))
      } catch {
        // Gone or not ours: nothing to show.
        early.delete(id)
      } finally {
        pendingFetches.delete(id)
      }
    })()
    pendingFetches.set(id, fetching)
    return fetching
  }

  /** Apply an event to the job; a job we have not seen yet (another tab started it) is fetched. */
  function applyToJob(event: LiveEvent): void {
    const seen = lastSeq.value[event.job_id] ?? 0
    if (event.seq <= seen) return
    lastSeq.value[event.job_id] = event.seq
    const job = byId.value[event.job_id]
    if (job) {
      if (event.seq > job.event_seq) byId.value[event.job_id] = applyJobEvent(job, event)
      return
    }
    early.set(event.job_id, [...(early.get(event.job_id) ?? []), event])
    void fetchJob(event.job_id).then(() => {
      // New jobs appear at the top of the first page of recent jobs.
      const unfiltered =
        recentStatus.value === '' || recentStatus.value === byId.value[event.job_id]?.status
      if (recentOffset.value === 0 && unfiltered && !recentIds.value.includes(event.job_id)) {
        recentIds.value = [event.job_id, ...recentIds.value].slice(0, RECENT_PAGE_SIZE)
        recentTotal.value += 1
      }
    })
  }

  /** Stored events, also applied to the job: with the socket down they are all there is. */
  async function fetchEventsAfter(jobId: string, after: number): Promise<LiveEvent[]> {
    const events = await unwrap(
      api.GET('/api/jobs/{job_id}/events', {
        params: { path: { job_id: jobId }, query: { after } },
      }),
    )
    // Only a job already shown is updated: a catch-up must not list an old job as new. A job
    // being fetched gets them once its fetch answers (the answer may predate them).
    if (byId.value[jobId]) events.forEach(applyToJob)
    else if (pendingFetches.has(jobId)) early.set(jobId, [...(early.get(jobId) ?? []), ...events])
    return events
  }

  const feeds = new JobFeeds({ fetchAfter: fetchEventsAfter })
  watch(connection, (state) => feeds.setLive(state === 'open'), { immediate: true })

  /** A live event from the socket: to the job, and to every page following it. */
  function handleEvent(event: LiveEvent): void {
    applyToJob(event)
    feeds.deliver(event)
  }

  /**
   * Follow one job's events: `handler` gets each of them once, in sequence order, starting
   * after `options.after`. Call the returned function to stop (on unmount).
   */
  function subscribe(
    jobId: string,
    handler: JobEventHandler,
    options?: SubscribeOptions,
  ): () => void {
    return feeds.subscribe(jobId, handler, options)
  }

  /** The socket came back: subscribers check storage for what it could not replay. */
  function resync(): void {
    feeds.resync()
  }

  async function cancel(id: string): Promise<void> {
    remember(
      await unwrap(api.POST('/api/jobs/{job_id}/cancel', { params: { path: { job_id: id } } })),
    )
  }

  async function resume(id: string): Promise<void> {
    remember(
      await unwrap(api.POST('/api/jobs/{job_id}/resume', { params: { path: { job_id: id } } })),
    )
  }

  function clear(): void {
    byId.value = {}
    lastSeq.value = {}
    early.clear()
    recentIds.value = []
    recentTotal.value = 0
    recentOffset.value = 0
  }

  return {
    connection,
    byId,
    lastSeq,
    active,
    recent,
    recentTotal,
    recentOffset,
    recentStatus,
    loadingRecent,
    pageSize: RECENT_PAGE_SIZE,
    loadActive,
    loadRecent,
    fetchJob,
    handleEvent,
    subscribe,
    resync,
    cancel,
    resume,
    clear,
  }
})
