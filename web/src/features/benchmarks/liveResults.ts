// What the live view shows while a benchmark runs, built from the job's stored events
// (`benchmark_result`, `benchmark_aggregate`, `benchmark_step`, and `benchmark_superseded`
// when a resumed run remeasures a step: those results stay listed, greyed, and count in no
// chart). Pure, so it is easy to test.
export interface LiveResult {
  seq: number
  requestId: string
  superseded: boolean
  target: string
  step: string
  warmup: boolean
  ttftMs: number | null
  tpotMs: number | null
  e2eMs: number | null
  outputTokens: number | null
  tokensPerS: number | null
  error: string | null
}

export interface LiveAggregate {
  target: string
  requests: number
  errors: number
  ttftP50: number | null
  tpotP50: number | null
  e2eP50: number | null
  tokensPerSP50: number | null
}

export interface LiveState {
  afterSeq: number
  results: LiveResult[]
  aggregates: Record<string, LiveAggregate>
  stepsDone: string[]
  skipped: Record<string, string>
}

export interface StoredEvent {
  type: string
  seq: number
  data: Record<string, unknown>
}

/** The streaming table and charts keep this many results; the history has them all. */
export const MAX_LIVE_RESULTS = 2000

export function emptyLive(): LiveState {
  return { afterSeq: 0, results: [], aggregates: {}, stepsDone: [], skipped: {} }
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function resultOf(event: StoredEvent): LiveResult {
  const d = event.data
  return {
    seq: event.seq,
    requestId: text(d.request_id),
    superseded: false,
    target: text(d.target),
    step: text(d.step),
    warmup: d.warmup === true,
    ttftMs: num(d.ttft_ms),
    tpotMs: num(d.tpot_ms),
    e2eMs: num(d.e2e_ms),
    outputTokens: num(d.output_tokens),
    tokensPerS: num(d.output_tokens_per_s),
    error: typeof d.error === 'string' ? d.error : null,
  }
}

function aggregateOf(data: Record<string, unknown>): LiveAggregate {
  return {
    target: text(data.target),
    requests: num(data.requests) ?? 0,
    errors: num(data.errors) ?? 0,
    ttftP50: num(data.ttft_ms_p50),
    tpotP50: num(data.tpot_ms_p50),
    e2eP50: num(data.e2e_ms_p50),
    tokensPerSP50: num(data.output_tokens_per_s_p50),
  }
}

/** The state with these events applied; events at or below `afterSeq` are ignored (replays). */
export function applyEvents(state: LiveState, events: StoredEvent[]): LiveState {
  const fresh = events.filter((e) => e.seq > state.afterSeq).sort((a, b) => a.seq - b.seq)
  if (fresh.length === 0) return state
  let results = [...state.results]
  const aggregates = { ...state.aggregates }
  const stepsDone = [...state.stepsDone]
  const skipped = { ...state.skipped }
  for (const event of fresh) {
    if (event.type === 'benchmark_result') results.push(resultOf(event))
    else if (event.type === 'benchmark_aggregate') {
      const aggregate = aggregateOf(event.data)
      aggregates[aggregate.target] = aggregate
    } else if (event.type === 'benchmark_step') {
      const name = text(event.data.name)
      if (!stepsDone.includes(name)) stepsDone.push(name)
      if (typeof event.data.skipped_reason === 'string') skipped[name] = event.data.skipped_reason
    } else if (event.type === 'benchmark_superseded') {
      const ids = new Set(Array.isArray(event.data.request_ids) ? event.data.request_ids : [])
      results = results.map((r) => (ids.has(r.requestId) ? { ...r, superseded: true } : r))
    }
  }
  const lastSeq = fresh[fresh.length - 1]?.seq ?? state.afterSeq
  return {
    afterSeq: Math.max(state.afterSeq, lastSeq),
    results: results.slice(-MAX_LIVE_RESULTS),
    aggregates,
    stepsDone,
    skipped,
  }
}

/** Per target, the measured (non-warm-up, successful, not superseded) values of one metric in arrival order. */
export function seriesByTarget(
  results: LiveResult[],
  pick: (result: LiveResult) => number | null,
): Record<string, number[]> {
  const series: Record<string, number[]> = {}
  for (const result of results) {
    if (result.warmup || result.error || result.superseded) continue
    const value = pick(result)
    if (value === null) continue
    ;(series[result.target] ??= []).push(value)
  }
  return series
}
