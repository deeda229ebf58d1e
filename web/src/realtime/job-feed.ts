// Per-page subscriptions to one job's events over the one WebSocket. A subscriber gets every
// event of its job exactly once and in sequence order: it first catches up from the stored
// events (`GET /api/jobs/{id}/events?after=…`), then takes socket events as they come. A
// sequence number that jumps, a socket reconnect, or a failed fetch leads to one more catch-up
// fetch; while the socket is down the stored events are polled instead.
import type { LiveEvent } from './connection'

/** Receives contiguous, ordered, never-repeated events of the subscribed job. */
export type JobEventHandler = (events: LiveEvent[]) => void
/** Stored events of a job with a sequence number above `after`, in order (the API pages them). */
export type FetchEventsAfter = (jobId: string, after: number) => Promise<LiveEvent[]>

export interface SubscribeOptions {
  /** The last sequence number the subscriber already has (0: from the job's first event). */
  after?: number
}

export interface JobFeedsOptions {
  fetchAfter: FetchEventsAfter
  /** While the socket is down, every subscription catches up on this beat. */
  pollMs?: number
  /** After a catch-up that failed or could not close a gap, try again this much later. */
  retryMs?: number
}

const DEFAULT_POLL_MS = 2000
const DEFAULT_RETRY_MS = 3000

class Subscription {
  applied: number
  /** Socket events beyond a gap, held until the catch-up fills it. */
  private readonly waiting = new Map<number, LiveEvent>()
  private fetching = false
  /** A catch-up was asked for (reconnect, poll) while one was in flight. */
  private again = false
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  closed = false

  constructor(
    readonly jobId: string,
    private readonly handler: JobEventHandler,
    after: number,
    private readonly options: Required<JobFeedsOptions>,
  ) {
    this.applied = after
  }

  /** A socket event: applied at once when it is the next one, else held and the gap fetched. */
  deliver(event: LiveEvent): void {
    if (this.closed || event.seq <= this.applied || this.waiting.has(event.seq)) return
    this.waiting.set(event.seq, event)
    if (this.fetching) return
    this.drain()
    if (this.waiting.size > 0) this.catchUp()
  }

  /** Fetch the stored events after the last applied one (one fetch at a time). */
  catchUp(): void {
    if (this.closed) return
    if (this.fetching) {
      this.again = true
      return
    }
    clearTimeout(this.retryTimer)
    this.fetching = true
    this.again = false
    const before = this.applied
    this.options.fetchAfter(this.jobId, before).then(
      (events) => {
        if (this.closed) return
        for (const event of events) {
          if (event.seq > this.applied && !this.waiting.has(event.seq))
            this.waiting.set(event.seq, event)
        }
        this.fetching = false
        this.drain()
        const progressed = this.applied > before
        // A gap still open after a fetch that brought something: the API pages, fetch on.
        if (this.again || (this.waiting.size > 0 && progressed)) this.catchUp()
        else if (this.waiting.size > 0) this.retryLater()
      },
      () => {
        this.fetching = false
        if (!this.closed) this.retryLater()
      },
    )
  }

  /** A polling beat: skipped while a fetch is still in flight. */
  poll(): void {
    if (!this.fetching) this.catchUp()
  }

  close(): void {
    this.closed = true
    this.waiting.clear()
    clearTimeout(this.retryTimer)
  }

  private retryLater(): void {
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => this.catchUp(), this.options.retryMs)
  }

  /** Hand over every held event that continues the sequence, as one batch. */
  private drain(): void {
    const batch: LiveEvent[] = []
    for (
      let next = this.waiting.get(this.applied + 1);
      next;
      next = this.waiting.get(this.applied + 1)
    ) {
      this.waiting.delete(next.seq)
      this.applied = next.seq
      batch.push(next)
    }
    for (const seq of [...this.waiting.keys()]) if (seq <= this.applied) this.waiting.delete(seq)
    if (batch.length > 0) this.handler(batch)
  }
}

export class JobFeeds {
  private readonly subscriptions = new Set<Subscription>()
  private readonly options: Required<JobFeedsOptions>
  private live = false
  private pollTimer: ReturnType<typeof setInterval> | undefined

  constructor(options: JobFeedsOptions) {
    this.options = {
      pollMs: options.pollMs ?? DEFAULT_POLL_MS,
      retryMs: options.retryMs ?? DEFAULT_RETRY_MS,
      fetchAfter: options.fetchAfter,
    }
  }

  /** Follow one job; returns the function that stops it. */
  subscribe(
    jobId: string,
    handler: JobEventHandler,
    { after = 0 }: SubscribeOptions = {},
  ): () => void {
    const subscription = new Subscription(jobId, handler, after, this.options)
    this.subscriptions.add(subscription)
    subscription.catchUp()
    this.updatePolling()
    return () => {
      subscription.close()
      this.subscriptions.delete(subscription)
      this.updatePolling()
    }
  }

  /** An event from the socket (replays included: what a subscriber has is dropped). */
  deliver(event: LiveEvent): void {
    for (const subscription of this.subscriptions) {
      if (subscription.jobId === event.job_id) subscription.deliver(event)
    }
  }

  /** The socket (re)connected and replayed: every subscriber checks storage once. */
  resync(): void {
    for (const subscription of this.subscriptions) subscription.catchUp()
  }

  /** Whether the socket is up; polling runs only while it is not. */
  setLive(live: boolean): void {
    this.live = live
    this.updatePolling()
  }

  /** How many subscriptions are open. */
  get size(): number {
    return this.subscriptions.size
  }

  private updatePolling(): void {
    const wanted = !this.live && this.subscriptions.size > 0
    if (wanted && this.pollTimer === undefined) {
      this.pollTimer = setInterval(() => {
        for (const subscription of this.subscriptions) subscription.poll()
      }, this.options.pollMs)
    } else if (!wanted && this.pollTimer !== undefined) {
      clearInterval(this.pollTimer)
      this.pollTimer = undefined
    }
  }
}
