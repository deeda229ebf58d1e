import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { applyJobEvent, type Job, resumePoints, useJobsStore } from '@/stores/jobs'

import { requestsTo, stubApi } from './fakes'
import { settle } from './mount-app'

function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    type: 'demo.units',
    title: 'Demo job',
    link: null,
    queue_reason: null,
    queue_reason_code: null,
    owner_id: 'user-1',
    status: 'queued',
    params: {},
    progress_percent: 0,
    progress_detail: null,
    eta_s: null,
    result: null,
    error: null,
    attempt: 1,
    cancel_requested: false,
    event_seq: 1,
    created_at: '2026-11-01T10:00:00Z',
    started_at: null,
    finished_at: null,
    ...overrides,
  }
}

function event(type: string, seq: number, data: Record<string, unknown> = {}, jobId = 'job-1') {
  return { type, job_id: jobId, seq, at: '2026-11-01T10:00:05Z', data }
}

beforeEach(() => setActivePinia(createPinia()))

describe('applyJobEvent', () => {
  it('follows a job from start through progress to the end', () => {
    let current = applyJobEvent(job(), event('job_started', 2, { attempt: 1 }))
    expect(current.status).toBe('running')
    current = applyJobEvent(
      current,
      event('job_progress', 3, { percent: 40, detail: 'unit 4 of 10', eta_s: 6 }),
    )
    expect(current).toMatchObject({
      progress_percent: 40,
      progress_detail: 'unit 4 of 10',
      eta_s: 6,
      event_seq: 3,
    })
    current = applyJobEvent(current, event('job_cancel_requested', 4))
    expect(current.cancel_requested).toBe(true)
    current = applyJobEvent(current, event('job_cancelled', 5))
    expect(current).toMatchObject({
      status: 'cancelled',
      eta_s: null,
      finished_at: '2026-11-01T10:00:05Z',
    })
  })

  it('marks a completed job as fully done and keeps a failure message', () => {
    expect(
      applyJobEvent(job({ status: 'running' }), event('job_completed', 2)).progress_percent,
    ).toBe(100)
    expect(
      applyJobEvent(job({ status: 'running' }), event('job_failed', 2, { error: 'boom' })),
    ).toMatchObject({
      status: 'failed',
      error: 'boom',
    })
  })
})

describe('jobs store', () => {
  it('lists active jobs and applies each live event once, in sequence order', async () => {
    stubApi({
      '/api/jobs': {
        body: {
          items: [job({ status: 'running', event_seq: 3 })],
          total: 1,
          limit: 100,
          offset: 0,
        },
      },
    })
    const jobs = useJobsStore()
    await jobs.loadActive()
    expect(jobs.active.map((j) => j.id)).toEqual(['job-1'])
    expect(jobs.lastSeq).toEqual({ 'job-1': 3 })

    jobs.handleEvent(event('job_progress', 3, { percent: 99 }))
    expect(jobs.byId['job-1']?.progress_percent).toBe(0)
    jobs.handleEvent(event('job_progress', 4, { percent: 50 }))
    jobs.handleEvent(event('job_completed', 5))
    expect(jobs.byId['job-1']?.status).toBe('done')
    expect(jobs.active).toEqual([])
    expect(jobs.lastSeq['job-1']).toBe(5)
  })

  it('fetches a job it first hears about from an event (started in another tab)', async () => {
    const fetch = stubApi({
      '/api/jobs/job-2': { body: job({ id: 'job-2', status: 'running', event_seq: 2 }) },
    })
    const jobs = useJobsStore()
    jobs.handleEvent(event('job_started', 2, {}, 'job-2'))
    await settle()
    expect(requestsTo(fetch, '/api/jobs/job-2')).toHaveLength(1)
    expect(jobs.active.map((j) => j.id)).toEqual(['job-2'])
  })

  it('cancels through the API and shows the answer', async () => {
    const fetch = stubApi({
      '/api/jobs': {
        body: { items: [job({ status: 'running' })], total: 1, limit: 100, offset: 0 },
      },
      '/api/jobs/job-1/cancel': {
        body: job({ status: 'running', cancel_requested: true, event_seq: 2 }),
      },
    })
    const jobs = useJobsStore()
    await jobs.loadActive()
    await jobs.cancel('job-1')
    expect(requestsTo(fetch, '/api/jobs/job-1/cancel')[0]?.method).toBe('POST')
    expect(jobs.byId['job-1']?.cancel_requested).toBe(true)
  })

  it('hands a subscriber stored then live events once each, and keeps the job current from them', async () => {
    const fetch = stubApi({
      '/api/jobs': {
        body: {
          items: [job({ status: 'running', event_seq: 2 })],
          total: 1,
          limit: 100,
          offset: 0,
        },
      },
      '/api/jobs/job-1/events': {
        body: [event('job_started', 1), event('job_progress', 2, { percent: 30 })],
      },
    })
    const jobs = useJobsStore()
    await jobs.loadActive()
    jobs.connection = 'open'
    const seen: number[] = []
    const stop = jobs.subscribe('job-1', (events) => seen.push(...events.map((e) => e.seq)))
    await settle()
    expect(requestsTo(fetch, '/api/jobs/job-1/events')[0]?.url).toContain('after=0')
    expect(seen).toEqual([1, 2])

    // The socket replays 2 (already had) and brings 3: the job store and the page see 3 once.
    jobs.handleEvent(event('job_progress', 2, { percent: 30 }))
    jobs.handleEvent(event('job_completed', 3))
    expect(seen).toEqual([1, 2, 3])
    expect(jobs.byId['job-1']?.status).toBe('done')

    stop()
    jobs.handleEvent(event('job_created', 5, { resumed: true }))
    await settle()
    expect(seen).toEqual([1, 2, 3])
    expect(requestsTo(fetch, '/api/jobs/job-1/events')).toHaveLength(1)
  })

  it('brings a job up to date from a catch-up while the socket is down', async () => {
    stubApi({
      '/api/jobs': {
        body: {
          items: [job({ status: 'running', event_seq: 2 })],
          total: 1,
          limit: 100,
          offset: 0,
        },
      },
      '/api/jobs/job-1/events': {
        body: [
          event('job_started', 2),
          event('job_progress', 3, { percent: 80 }),
          event('job_completed', 4),
        ],
      },
    })
    const jobs = useJobsStore()
    await jobs.loadActive()
    jobs.connection = 'waiting'
    const stop = jobs.subscribe('job-1', () => undefined, { after: 2 })
    await settle()
    expect(jobs.byId['job-1']).toMatchObject({ status: 'done', event_seq: 4 })
    expect(jobs.lastSeq['job-1']).toBe(4)
    stop()
  })
})

describe('jobs store: a job that ends while it is being fetched', () => {
  // The fetch answers with a snapshot from before the live events that came meanwhile: they
  // must still be applied, or the job (and the run page and indicator) shows "running" for good.
  it('applies live events that arrived while the job was being fetched', async () => {
    stubApi({
      '/api/jobs/job-2': { body: job({ id: 'job-2', status: 'running', event_seq: 2 }) },
    })
    const jobs = useJobsStore()
    jobs.handleEvent(event('job_started', 2, {}, 'job-2'))
    jobs.handleEvent(event('job_progress', 3, { percent: 60 }, 'job-2'))
    jobs.handleEvent(event('job_completed', 4, {}, 'job-2'))
    await settle()
    expect(jobs.byId['job-2']).toMatchObject({ status: 'done', event_seq: 4 })
    expect(jobs.active).toEqual([])
    expect(jobs.lastSeq['job-2']).toBe(4)
  })

  it('applies a catch-up that answered before the job fetch did', async () => {
    let answerJob: (value: Response) => void = () => undefined
    const jobAnswer = new Promise<Response>((resolve) => (answerJob = resolve))
    const stale = job({ id: 'job-3', status: 'running', event_seq: 2 })
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        const path = new URL(request.url).pathname
        if (path === '/api/jobs/job-3') return jobAnswer
        if (path === '/api/jobs/job-3/events')
          return Response.json([
            event('job_created', 1, {}, 'job-3'),
            event('job_started', 2, {}, 'job-3'),
            event('job_completed', 3, {}, 'job-3'),
          ])
        return Response.json({}, { status: 404 })
      }),
    )
    const jobs = useJobsStore()
    const fetching = jobs.fetchJob('job-3')
    const seen: number[] = []
    const stop = jobs.subscribe('job-3', (events) => seen.push(...events.map((e) => e.seq)))
    await settle()
    expect(seen).toEqual([1, 2, 3])
    answerJob(Response.json(stale))
    await fetching
    expect(jobs.byId['job-3']).toMatchObject({ status: 'done', event_seq: 3 })
    stop()
  })

  it('lets a second caller wait for the fetch already on its way', async () => {
    const fetch = stubApi({
      '/api/jobs/job-4': { body: job({ id: 'job-4', status: 'done', event_seq: 6 }) },
    })
    const jobs = useJobsStore()
    const first = jobs.fetchJob('job-4')
    await jobs.fetchJob('job-4')
    // The second call returned only once the job was there, with one request between them.
    expect(jobs.byId['job-4']?.status).toBe('done')
    await first
    expect(requestsTo(fetch, '/api/jobs/job-4')).toHaveLength(1)
  })

  it('never rolls a job back to an older snapshot', async () => {
    stubApi({
      '/api/jobs/job-1': { body: job({ status: 'running', event_seq: 2 }) },
    })
    const jobs = useJobsStore()
    jobs.handleEvent(event('job_started', 2))
    await settle()
    jobs.handleEvent(event('job_completed', 3))
    await jobs.fetchJob('job-1')
    expect(jobs.byId['job-1']).toMatchObject({ status: 'done', event_seq: 3 })
  })
})

describe('resumePoints', () => {
  it('names only jobs not known to have ended, the most recent, at most the cap', () => {
    const lastSeq: Record<string, number> = { a: 3, b: 5, c: 1, d: 2 }
    const byId = { a: { status: 'done' as const }, b: { status: 'running' as const } }
    expect(resumePoints(lastSeq, byId)).toEqual({ b: 5, c: 1, d: 2 })
    expect(resumePoints(lastSeq, byId, 2)).toEqual({ c: 1, d: 2 })
  })
})
