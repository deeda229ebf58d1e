import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  LiveConnection,
  type LiveEvent,
  type LiveConnectionOptions,
  socketUrl,
} from '@/realtime/connection'

/** Just enough of a WebSocket for the connection to drive. */
class FakeSocket {
  static OPEN = 1
  readyState = 0
  sent: Record<string, unknown>[] = []
  onopen: (() => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  closedWith: number | null = null

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }

  close(code = 1000): void {
    this.closedWith = code
    this.readyState = 3
  }

  open(): void {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
  }

  receive(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent)
  }

  drop(code: number): void {
    this.readyState = 3
    this.onclose?.({ code } as CloseEvent)
  }
}

let sockets: FakeSocket[]
let events: LiveEvent[]

function connection(overrides: Partial<LiveConnectionOptions> = {}): LiveConnection {
  let ticket = 0
  return new LiveConnection({
    requestTicket: async () => ({ url: `/ws?ticket=t${++ticket}` }),
    lastSeqs: () => ({ 'job-a': 4 }),
    onEvent: (event) => events.push(event),
    createSocket: (url) => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket as unknown as WebSocket
    },
    initialDelayMs: 1000,
    maxDelayMs: 8000,
    random: () => 1,
    ...overrides,
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.stubGlobal('WebSocket', FakeSocket)
  sockets = []
  events = []
})

afterEach(() => {
  vi.useRealTimers()
})

describe('live connection', () => {
  it('connects with a ticket and asks for missed events by last sequence number', async () => {
    const live = connection()
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(sockets).toHaveLength(1)
    expect(sockets[0]?.url).toBe('ws://127.0.0.1:8501/ws?ticket=t1')
    sockets[0]?.open()
    expect(sockets[0]?.sent[0]).toEqual({ type: 'resume', last_seq: { 'job-a': 4 } })
    live.stop()
  })

  it('dispatches job events and answers server heartbeats', async () => {
    const live = connection()
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    const socket = sockets[0]
    socket?.open()
    socket?.receive({ type: 'hello', heartbeat_s: 20 })
    expect(live.currentState).toBe('open')
    socket?.receive({
      type: 'job_progress',
      job_id: 'job-a',
      seq: 5,
      at: '2026-11-01T00:00:00Z',
      data: { percent: 50 },
    })
    socket?.receive({ type: 'ping' })
    expect(events.map((event) => [event.job_id, event.seq])).toEqual([['job-a', 5]])
    expect(socket?.sent.at(-1)).toEqual({ type: 'ping' })
    live.stop()
    expect(socket?.closedWith).toBe(1000)
  })

  it('reconnects with growing, capped delays and a fresh ticket each time', async () => {
    const live = connection()
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(live.backoffMs(0)).toBe(1000)
    expect(live.backoffMs(2)).toBe(4000)
    expect(live.backoffMs(10)).toBe(8000)

    sockets[0]?.drop(1006)
    expect(live.currentState).toBe('waiting')
    await vi.advanceTimersByTimeAsync(999)
    expect(sockets).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(sockets).toHaveLength(2)
    expect(sockets[1]?.url).toContain('ticket=t2')

    sockets[1]?.drop(1006)
    await vi.advanceTimersByTimeAsync(1999)
    expect(sockets).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sockets).toHaveLength(3)
    // A successful hello resets the backoff.
    sockets[2]?.open()
    sockets[2]?.receive({ type: 'hello', heartbeat_s: 20 })
    sockets[2]?.drop(1006)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sockets).toHaveLength(4)
    live.stop()
  })

  it('replaces a socket that went silent for three heartbeats', async () => {
    const live = connection()
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    sockets[0]?.open()
    sockets[0]?.receive({ type: 'hello', heartbeat_s: 1 })
    await vi.advanceTimersByTimeAsync(3000)
    expect(sockets[0]?.closedWith).toBe(4000)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sockets).toHaveLength(2)
    live.stop()
  })

  it('stops for good when the origin is refused or the session is gone', async () => {
    const refused = connection()
    refused.start()
    await vi.advanceTimersByTimeAsync(0)
    sockets[0]?.drop(4403)
    expect(refused.currentState).toBe('stopped')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(sockets).toHaveLength(1)

    const signedOut = connection({ requestTicket: async () => ({ stop: true }) })
    signedOut.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(signedOut.currentState).toBe('stopped')
  })

  it('builds ws:// and wss:// URLs from the page location', () => {
    expect(
      socketUrl('/ws?ticket=x', {
        href: 'https://bench.example/jobs',
        protocol: 'https:',
      } as Location),
    ).toBe('wss://bench.example/ws?ticket=x')
  })
})
