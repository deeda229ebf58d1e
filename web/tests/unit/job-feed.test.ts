import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { LiveEvent } from '@/realtime/connection'
import { JobFeeds } from '@/realtime/job-feed'

function event(seq: number, jobId = 'job-1', type = 'benchmark_result'): LiveEvent {
  return { type, job_id: jobId, seq, at: '2026-11-01T10:00:00Z', data: { n: seq } }
}

const range = (from: number, to: number, jobId = 'job-1'): LiveEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => event(from + i, jobId))

interface PendingFetch {
  jobId: string
  after: number
  resolve(events: LiveEvent[]): void
  reject(error: Error): void
}

/** A fake events endpoint whose answers the test gives, one fetch at a time. */
function fakeStorage() {
  const pending: PendingFetch[] = []
  const fetchAfter = vi.fn(
    (jobId: string, after: number) =>
      new Promise<LiveEvent[]>((resolve, reject) =>
        pending.push({ jobId, after, resolve, reject }),
      ),
  )
  async function answer(events: LiveEvent[]): Promise<PendingFetch> {
    const next = pending.shift()
    if (!next) throw new Error('no fetch is waiting')
    next.resolve(events.filter((e) => e.seq > next.after))
    await vi.advanceTimersByTimeAsync(0)
    return next
  }
  async function fail(): Promise<void> {
    pending.shift()?.reject(new Error('offline'))
    await vi.advanceTimersByTimeAsync(0)
  }
  return { pending, fetchAfter, answer, fail }
}

function collector() {
  const batches: LiveEvent[][] = []
  const handler = vi.fn((events: LiveEvent[]) => void batches.push(events))
  const seqs = () => batches.flat().map((e) => e.seq)
  return { handler, batches, seqs }
}

let storage: ReturnType<typeof fakeStorage>
let feeds: JobFeeds

beforeEach(() => {
  vi.useFakeTimers()
  storage = fakeStorage()
  feeds = new JobFeeds({ fetchAfter: storage.fetchAfter, pollMs: 2000, retryMs: 3000 })
  feeds.setLive(true)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('job event subscriptions', () => {
  it('catches up once from storage, then takes socket events in order, each exactly once', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler)
    expect(storage.fetchAfter).toHaveBeenCalledExactlyOnceWith('job-1', 0)
    await storage.answer(range(1, 3))
    expect(got.seqs()).toEqual([1, 2, 3])

    // Replays of what the page already has (e.g. after a resume) are dropped.
    feeds.deliver(event(2))
    feeds.deliver(event(3))
    feeds.deliver(event(4))
    feeds.deliver(event(4))
    feeds.deliver(event(5))
    feeds.deliver(event(1, 'job-other'))
    expect(got.seqs()).toEqual([1, 2, 3, 4, 5])
    expect(got.batches.flat().map((e) => e.data)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })))
    expect(storage.fetchAfter).toHaveBeenCalledTimes(1)
  })

  it('holds socket events that arrive during the first catch-up and merges them in order', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler, { after: 2 })
    expect(storage.fetchAfter).toHaveBeenCalledWith('job-1', 2)
    feeds.deliver(event(6))
    feeds.deliver(event(5))
    expect(got.handler).not.toHaveBeenCalled()
    // Storage already holds 3–5; 6 exists only on the socket so far.
    await storage.answer(range(1, 5))
    expect(got.seqs()).toEqual([3, 4, 5, 6])
    expect(storage.fetchAfter).toHaveBeenCalledTimes(1)
  })

  it('fetches the missing events once when a sequence number jumps, then goes on live', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler)
    await storage.answer(range(1, 2))
    feeds.deliver(event(5))
    feeds.deliver(event(6))
    expect(got.seqs()).toEqual([1, 2])
    expect(storage.fetchAfter).toHaveBeenCalledTimes(2)
    expect(storage.fetchAfter).toHaveBeenLastCalledWith('job-1', 2)
    await storage.answer(range(1, 6))
    expect(got.seqs()).toEqual([1, 2, 3, 4, 5, 6])
    feeds.deliver(event(7))
    expect(got.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(storage.fetchAfter).toHaveBeenCalledTimes(2)
  })

  it('keeps fetching while a paged catch-up brings events and a gap is still open', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler)
    feeds.deliver(event(9))
    // The API answers at most a page: here 1–4, then 5–8.
    await storage.answer(range(1, 4))
    expect(storage.fetchAfter).toHaveBeenLastCalledWith('job-1', 4)
    await storage.answer(range(1, 8))
    expect(got.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(storage.fetchAfter).toHaveBeenCalledTimes(2)
  })

  it('catches up once per subscription after the socket reconnects', async () => {
    const first = collector()
    const second = collector()
    feeds.subscribe('job-1', first.handler)
    feeds.subscribe('job-2', second.handler)
    await storage.answer(range(1, 2))
    await storage.answer(range(1, 1, 'job-2'))
    storage.fetchAfter.mockClear()

    feeds.resync()
    expect(storage.fetchAfter.mock.calls).toEqual([
      ['job-1', 2],
      ['job-2', 1],
    ])
    await storage.answer(range(1, 3))
    await storage.answer(range(1, 1, 'job-2'))
    expect(first.seqs()).toEqual([1, 2, 3])
    expect(second.seqs()).toEqual([1])
  })

  it('polls storage only while the socket is down', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler)
    await storage.answer([])
    await vi.advanceTimersByTimeAsync(10_000)
    expect(storage.fetchAfter).toHaveBeenCalledTimes(1)

    feeds.setLive(false)
    await vi.advanceTimersByTimeAsync(2000)
    expect(storage.fetchAfter).toHaveBeenCalledTimes(2)
    await storage.answer(range(1, 1))
    // A beat while a fetch is still on its way is skipped, not queued.
    await vi.advanceTimersByTimeAsync(2000)
    await vi.advanceTimersByTimeAsync(2000)
    expect(storage.fetchAfter).toHaveBeenCalledTimes(3)
    await storage.answer(range(1, 2))
    expect(got.seqs()).toEqual([1, 2])

    feeds.setLive(true)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(storage.fetchAfter).toHaveBeenCalledTimes(3)
  })

  it('tries again later when storage cannot fill a gap yet', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler)
    await storage.answer(range(1, 1))
    feeds.deliver(event(3))
    await storage.answer(range(1, 1))
    expect(storage.fetchAfter).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(3000)
    expect(storage.fetchAfter).toHaveBeenCalledTimes(3)
    await storage.answer(range(1, 3))
    expect(got.seqs()).toEqual([1, 2, 3])
  })

  it('retries a failed catch-up after a pause', async () => {
    const got = collector()
    feeds.subscribe('job-1', got.handler)
    await storage.fail()
    expect(got.handler).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(3000)
    expect(storage.fetchAfter).toHaveBeenCalledTimes(2)
    await storage.answer(range(1, 2))
    expect(got.seqs()).toEqual([1, 2])
  })

  it('hands nothing more to a page that unsubscribed, even a fetch still on its way', async () => {
    const got = collector()
    const unsubscribe = feeds.subscribe('job-1', got.handler)
    feeds.setLive(false)
    expect(feeds.size).toBe(1)
    unsubscribe()
    expect(feeds.size).toBe(0)
    await storage.answer(range(1, 3))
    feeds.deliver(event(4))
    feeds.deliver(event(9))
    feeds.resync()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(got.handler).not.toHaveBeenCalled()
    expect(storage.fetchAfter).toHaveBeenCalledTimes(1)
  })
})
