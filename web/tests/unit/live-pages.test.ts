// The benchmark and eval run pages follow their job over the one (fake) WebSocket: stored
// events once, then socket events directly; a gap or a reconnect fetches once more.
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Router } from 'vue-router'

import { requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

/** Just enough of a WebSocket for LiveConnection; the test plays the server. */
class FakeSocket {
  static OPEN = 1
  static instances: FakeSocket[] = []
  readyState = 0
  sent: Record<string, unknown>[] = []
  onopen: (() => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.instances.push(this)
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>)
  }

  close(): void {
    this.readyState = 3
  }

  /** Open, greet and answer the resume, as the server does. */
  connect(): void {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
    this.receive({ type: 'hello', heartbeat_s: 20 })
    this.receive({ type: 'resumed', replayed: 0 })
  }

  receive(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent)
  }

  drop(): void {
    this.readyState = 3
    this.onclose?.({ code: 1006 } as CloseEvent)
  }
}

let mounted: VueWrapper | undefined

beforeEach(() => {
  FakeSocket.instances = []
  vi.stubGlobal('WebSocket', FakeSocket)
  stubColorScheme(false)
})

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  vi.unstubAllGlobals()
})

const AT = '2026-11-01T10:00:01Z'

function job(status = 'running', eventSeq = 2) {
  return {
    id: 'job-1',
    type: 'benchmark',
    owner_id: 'user-1',
    status,
    params: {},
    progress_percent: 10,
    progress_detail: null,
    eta_s: null,
    result: null,
    error: null,
    attempt: 1,
    cancel_requested: false,
    event_seq: eventSeq,
    created_at: '2026-11-01T10:00:00Z',
    started_at: '2026-11-01T10:00:00Z',
    finished_at: null,
  }
}

function resultEvent(seq: number) {
  return {
    type: 'benchmark_result',
    job_id: 'job-1',
    seq,
    at: AT,
    data: {
      target: 'Simulator model',
      step: 'Simulator model@0',
      warmup: false,
      ttft_ms: 100 + seq,
      tpot_ms: 2,
      e2e_ms: 300,
      output_tokens: 64,
      output_tokens_per_s: 90,
    },
  }
}

const STARTED = { type: 'job_started', job_id: 'job-1', seq: 1, at: AT, data: { attempt: 1 } }

const RUNNING_RUN = {
  id: 'run-1',
  job_id: 'job-1',
  run_key: 'k',
  source: 'server',
  title: 'live one',
  mode: 'profile',
  status: 'running',
  stop_reason: null,
  error: null,
  request_count: 0,
  error_count: 0,
  cost_usd: null,
  wall_s: null,
  created_at: '2026-11-01T10:00:00Z',
  started_at: '2026-11-01T10:00:00Z',
  finished_at: null,
  targets: [
    {
      target_key: 'Simulator model',
      provider_id: 'prov-1',
      provider_name: 'Simulator (demo)',
      model_id: 'benchstudio-sim',
      model_display: 'Simulator model',
      protocol: 'openai',
    },
  ],
  config: {},
  diagnostics: {},
  environment: {},
  request: { mode: 'profile', runs: 10 },
  slo_search: [],
  steps: [],
  summary: null,
  target_summaries: {},
}

/** The `after` query of every events fetch, in order. */
function afters(fetch: ReturnType<typeof stubApi>): string[] {
  return requestsTo(fetch, '/api/jobs/job-1/events').map(
    (r) => new URL(r.url).searchParams.get('after') ?? '',
  )
}

function liveTtfts(wrapper: VueWrapper): string[] {
  // Newest first; the third cell is TTFT.
  return wrapper
    .findAll('[data-testid="live-result"]')
    .map((row) => row.findAll('td')[2]?.text() ?? '')
}

async function openSocket(): Promise<FakeSocket> {
  await settle()
  const socket = FakeSocket.instances.at(-1)
  if (!socket) throw new Error('the app opened no socket')
  socket.connect()
  await settle()
  return socket
}

describe('benchmark run page, live', () => {
  let fetch: ReturnType<typeof stubApi>
  let router: Router

  beforeEach(async () => {
    fetch = stubApi({
      '/api/realtime/ticket': { body: { url: '/ws?ticket=t1', ticket: 't1', expires_in_s: 30 } },
      '/api/jobs': { body: { items: [job()], total: 1, limit: 100, offset: 0 } },
      '/api/jobs/job-1': { body: job() },
      '/api/benchmarks/run-1': { body: RUNNING_RUN },
      // Storage, as each fetch finds it: 1–2 at first, 1–5 once the socket has skipped 4.
      '/api/jobs/job-1/events': [
        { body: [STARTED, resultEvent(2)] },
        { body: [STARTED, resultEvent(2)] },
        { body: [STARTED, ...[2, 3, 4, 5].map(resultEvent)] },
      ],
    })
    ;({ wrapper: mounted, router } = await mountApp('/benchmarks/run-1'))
  })

  it('catches up once, then shows socket events as they come, each once and in order', async () => {
    const wrapper = mounted as VueWrapper
    const socket = await openSocket()
    expect(socket.sent[0]).toMatchObject({ type: 'resume' })
    // On opening, and once more after the socket resumed.
    expect(afters(fetch)).toEqual(['0', '2'])
    expect(liveTtfts(wrapper)).toEqual(['102.0'])

    socket.receive(resultEvent(3))
    socket.receive(resultEvent(3))
    await settle()
    expect(liveTtfts(wrapper)).toEqual(['103.0', '102.0'])
    expect(afters(fetch)).toEqual(['0', '2'])

    // 4 never came over the socket: 5 shows the gap, one fetch fills it.
    socket.receive(resultEvent(5))
    await settle()
    expect(afters(fetch)).toEqual(['0', '2', '3'])
    expect(liveTtfts(wrapper)).toEqual(['105.0', '104.0', '103.0', '102.0'])
  })

  it('catches up once after the socket reconnects', async () => {
    const socket = await openSocket()
    expect(afters(fetch)).toEqual(['0', '2'])
    vi.useFakeTimers()
    try {
      socket.drop()
      await vi.advanceTimersByTimeAsync(1500)
    } finally {
      vi.useRealTimers()
    }
    const again = await openSocket()
    expect(again).not.toBe(socket)
    expect(afters(fetch)).toEqual(['0', '2', '2'])
    expect(liveTtfts(mounted as VueWrapper)).toEqual(['105.0', '104.0', '103.0', '102.0'])
  })

  it('stops following when the page is left', async () => {
    const socket = await openSocket()
    await router.push('/history')
    await settle()
    socket.receive(resultEvent(5))
    await settle()
    expect(afters(fetch)).toEqual(['0', '2'])
  })
})

describe('eval run page, live', () => {
  const EVAL_RUN = {
    id: 'eval-1',
    job_id: 'job-1',
    suite_id: 'suite-1',
    suite_name: 'Weather',
    suite_version: 1,
    profile: 'strict',
    status: 'running',
    error: null,
    created_at: '2026-11-01T10:00:00Z',
    started_at: '2026-11-01T10:00:00Z',
    finished_at: null,
    total_cases: 4,
    finished_cases: 1,
    passed_cases: 1,
    comparisons: [],
    job: null,
    settings: {},
    summary: null,
    summaries: {},
    targets: [{ display_name: 'Simulator model' }],
  }
  const STORED_ROW = {
    id: 'res-1',
    target: 'Simulator model',
    case_id: 'weather-1',
    category: 'simple',
    passed: true,
    error_category: null,
    latency_ms: 40,
    prompt_tokens: 10,
    completion_tokens: 5,
    finished_at: AT,
  }
  function caseEvent(seq: number, n: number, passed: boolean) {
    return {
      type: 'eval_case_result',
      job_id: 'job-1',
      seq,
      at: AT,
      data: {
        run_id: 'eval-1',
        result_id: `res-${n}`,
        target: 'Simulator model',
        case_id: `weather-${n}`,
        category: 'simple',
        pass: passed,
        error_category: passed ? null : 'wrong_tool',
        latency_ms: 50,
        finished: n,
        passed: passed ? n - 1 : 1,
        total: 4,
      },
    }
  }

  it('adds each finished case from the socket without reloading the cases', async () => {
    const fetch = stubApi({
      '/api/realtime/ticket': { body: { url: '/ws?ticket=t1', ticket: 't1', expires_in_s: 30 } },
      '/api/jobs/job-1': { body: job('running', 2) },
      '/api/evals/eval-1': { body: EVAL_RUN },
      '/api/evals/eval-1/cases': { body: { items: [STORED_ROW], total: 1, limit: 500, offset: 0 } },
      // The stored event of the case the cases page already lists is not shown twice.
      '/api/jobs/job-1/events': { body: [STARTED, caseEvent(2, 1, true)] },
    })
    const { wrapper } = await mountApp('/tool-eval/runs/eval-1')
    mounted = wrapper
    const socket = await openSocket()
    const rows = () =>
      wrapper.findAll('[data-testid="eval-case-row"]').map((row) => row.findAll('td')[0]?.text())
    expect(rows()).toEqual(['weather-1'])

    socket.receive(caseEvent(3, 2, false))
    await settle()
    expect(rows()).toEqual(['weather-1', 'weather-2'])
    expect(wrapper.text()).toContain('2 of 4 done')
    // The result reads in words; the raw code is only a tooltip (issue 17, bug 11).
    expect(wrapper.text()).toContain('Called the wrong tool')
    expect(wrapper.text()).not.toContain('wrong_tool')
    expect(wrapper.findAll('[data-testid="eval-case-result"]')[1]?.attributes('title')).toBe(
      'Result code: wrong_tool',
    )
    expect(requestsTo(fetch, '/api/evals/eval-1/cases')).toHaveLength(1)
  })
})
