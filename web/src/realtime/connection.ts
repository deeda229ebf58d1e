// The one WebSocket to the server for live job events. It authenticates with a single-use
// ticket (the access token never appears in a URL), resumes by sending the last sequence number
// seen per job so the server replays what was missed, answers heartbeats, and reconnects with
// jittered exponential backoff. Every frame is validated first (`frames.ts`): one that fails
// is dropped and never reaches a store.
import { type ControlFrame, type LiveEvent, parseFrame } from './frames'

export type { LiveEvent } from './frames'

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped'

/** What a failed ticket request means for the connection. */
export type TicketOutcome = { url: string } | { retry: true } | { stop: true }

export interface LiveConnectionOptions {
  /** Ask the API for a ticket; the URL is relative to the page (e.g. "/ws?ticket=…"). */
  requestTicket(): Promise<TicketOutcome>
  /** The last sequence number seen per job, sent on every (re)connect. */
  lastSeqs(): Record<string, number>
  onEvent(event: LiveEvent): void
  /** After a (re)connect has replayed what was missed. */
  onResumed?(replayed: number): void
  onStateChange?(state: ConnectionState): void
  onControl?(message: ControlFrame): void
  createSocket?(url: string): WebSocket
  initialDelayMs?: number
  maxDelayMs?: number
  random?: () => number
}

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE_CODES = new Set([4403])
const TOO_MANY_SOCKETS = 4429
const DEFAULT_HEARTBEAT_S = 20
const MISSED_HEARTBEATS = 3

export function socketUrl(path: string, location: Location = window.location): string {
  const url = new URL(path, location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

export class LiveConnection {
  private socket: WebSocket | null = null
  private state: ConnectionState = 'idle'
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private watchdog: ReturnType<typeof setTimeout> | undefined
  private heartbeatS = DEFAULT_HEARTBEAT_S
  /** Bumped by stop(), so a ticket request still in flight from before is ignored. */
  private generation = 0
  private readonly options: LiveConnectionOptions

  constructor(options: LiveConnectionOptions) {
    this.options = options
  }

  get currentState(): ConnectionState {
    return this.state
  }

  start(): void {
    if (this.state === 'connecting' || this.state === 'open') return
    this.attempt = 0
    void this.connect()
  }

  stop(): void {
    this.generation += 1
    this.setState('stopped')
    clearTimeout(this.retryTimer)
    clearTimeout(this.watchdog)
    const socket = this.socket
    this.socket = null
    socket?.close(1000, 'signed out')
  }

  /** Reconnect now (e.g. the browser came back online) instead of waiting out the backoff. */
  reconnectNow(): void {
    if (this.state !== 'waiting') return
    clearTimeout(this.retryTimer)
    void this.connect()
  }

  send(message: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false
    this.socket.send(JSON.stringify(message))
    return true
  }

  /** The delay before reconnect attempt `attempt` (0-based): exponential, capped, jittered. */
  backoffMs(attempt: number): number {
    const initial = this.options.initialDelayMs ?? 1000
    const max = this.options.maxDelayMs ?? 30_000
    const base = Math.min(max, initial * 2 ** attempt)
    const random = this.options.random ?? Math.random
    return Math.round(base * (0.5 + random() / 2))
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return
    this.state = state
    this.options.onStateChange?.(state)
  }

  private async connect(): Promise<void> {
    const generation = this.generation
    this.setState('connecting')
    let outcome: TicketOutcome
    try {
      outcome = await this.options.requestTicket()
    } catch {
      outcome = { retry: true }
    }
    if (generation !== this.generation) return
    if ('stop' in outcome) return this.stop()
    if ('retry' in outcome) return this.scheduleRetry()
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url))
    const socket = create(socketUrl(outcome.url))
    this.socket = socket
    socket.onopen = () => {
      // Ask for what was missed at once: live events wait until this resume is answered.
      socket.send(JSON.stringify({ type: 'resume', last_seq: this.options.lastSeqs() }))
    }
    socket.onmessage = (message: MessageEvent) => this.receive(socket, message)
    socket.onclose = (event: CloseEvent) => this.closed(socket, event)
  }

  private receive(socket: WebSocket, message: MessageEvent): void {
    if (socket !== this.socket) return
    this.armWatchdog()
    const parsed = parseFrame(String(message.data))
    if (parsed === null) return
    if (parsed.kind === 'event') {
      this.options.onEvent(parsed.event)
      return
    }
    const frame = parsed.frame
    switch (frame.type) {
      case 'hello':
        if (typeof frame.heartbeat_s === 'number') this.heartbeatS = frame.heartbeat_s
        this.attempt = 0
        this.setState('open')
        this.armWatchdog()
        return
      case 'resumed':
        this.options.onResumed?.(typeof frame.replayed === 'number' ? frame.replayed : 0)
        return
      case 'ping':
        // The server closes a socket it has not heard from for three heartbeats.
        this.send({ type: 'ping' })
        return
      default:
        this.options.onControl?.(frame)
    }
  }

  private closed(socket: WebSocket, event: CloseEvent): void {
    if (socket !== this.socket) return
    this.socket = null
    clearTimeout(this.watchdog)
    if (this.state === 'stopped') return
    if (FATAL_CLOSE_CODES.has(event.code)) return this.stop()
    if (event.code === TOO_MANY_SOCKETS) this.attempt = Math.max(this.attempt, 3)
    this.scheduleRetry()
  }

  private scheduleRetry(): void {
    this.setState('waiting')
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs(this.attempt))
    this.attempt += 1
  }

  /** A socket that silently died (sleeping laptop, dropped NAT) is noticed and replaced. */
  private armWatchdog(): void {
    clearTimeout(this.watchdog)
    const socket = this.socket
    this.watchdog = setTimeout(
      () => {
        if (socket === null || socket !== this.socket) return
        this.socket = null
        socket.close(4000, 'heartbeat missed')
        this.scheduleRetry()
      },
      this.heartbeatS * 1000 * MISSED_HEARTBEATS,
    )
  }
}
