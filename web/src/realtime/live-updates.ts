// Wires the WebSocket to the stores: connected while someone is signed in, events to the jobs
// store (and through it to the pages subscribed to a job), a toast when a job ends, and after
// every (re)connect a refresh of the active jobs, so jobs started while the socket was down
// appear too, and one catch-up per subscribed page.
import { onBeforeUnmount, watch } from 'vue'

import { api } from '@/api/client'
import { useAuthStore } from '@/stores/auth'
import { jobLabel, resumePoints, useJobsStore } from '@/stores/jobs'
import { useNotificationsStore } from '@/stores/notifications'

import { LiveConnection, type LiveEvent, type TicketOutcome } from './connection'

/** While the socket is down, the active jobs are polled so the indicator never goes stale. */
const FALLBACK_POLL_MS = 10_000

const ENDING_TOASTS: Record<string, { kind: 'success' | 'error'; title: string }> = {
  job_completed: { kind: 'success', title: 'Job finished' },
  job_failed: { kind: 'error', title: 'Job failed' },
}

async function requestTicket(): Promise<TicketOutcome> {
  const { data, response } = await api.POST('/api/realtime/ticket')
  if (data) return { url: data.url }
  // No session any more: the auth store has noticed and will stop us.
  return response.status === 401 ? { stop: true } : { retry: true }
}

export function useLiveUpdates(): void {
  const auth = useAuthStore()
  const jobs = useJobsStore()
  const notifications = useNotificationsStore()

  function announce(event: LiveEvent): void {
    const toast = ENDING_TOASTS[event.type]
    if (!toast) return
    // A job that ended before it was loaded (a short one, just started) is named once it is.
    if (!jobs.byId[event.job_id]) {
      void jobs.fetchJob(event.job_id).then(() => push(event, toast))
      return
    }
    push(event, toast)
  }

  function push(event: LiveEvent, toast: { kind: 'success' | 'error'; title: string }): void {
    const job = jobs.byId[event.job_id]
    const error = typeof event.data.error === 'string' ? event.data.error : undefined
    // Named by its run and linked to the results, never by an internal id.
    const name = job ? jobLabel(job) : 'A job'
    notifications.push({
      kind: toast.kind,
      title: toast.title,
      message: error ? `${name}: ${error}` : `${name} is done.`,
      link: job?.link ? { to: job.link, label: 'View results' } : undefined,
    })
  }

  let fallbackPoll: ReturnType<typeof setInterval> | undefined
  const refreshActive = (): void => void jobs.loadActive().catch(() => undefined)

  const connection = new LiveConnection({
    requestTicket,
    lastSeqs: () => resumePoints(jobs.lastSeq, jobs.byId),
    onEvent: (event) => {
      const known = (jobs.lastSeq[event.job_id] ?? 0) >= event.seq
      jobs.handleEvent(event)
      if (!known) announce(event)
    },
    onResumed: () => {
      refreshActive()
      jobs.resync()
    },
    onStateChange: (state) => {
      jobs.connection = state
      clearInterval(fallbackPoll)
      if (state === 'waiting') fallbackPoll = setInterval(refreshActive, FALLBACK_POLL_MS)
    },
  })

  const online = (): void => connection.reconnectNow()
  window.addEventListener('online', online)

  watch(
    () => (auth.signedIn ? auth.user?.id : null),
    (userId) => {
      connection.stop()
      jobs.clear()
      if (!userId) return
      refreshActive()
      connection.start()
    },
    { immediate: true },
  )

  onBeforeUnmount(() => {
    window.removeEventListener('online', online)
    clearInterval(fallbackPoll)
    connection.stop()
  })
}
