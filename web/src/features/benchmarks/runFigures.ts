// The run page's detailed figures, read (never recomputed) from the server's summary blocks
// (core.stats via speed.results.summary_block): rates of load runs, one row per context tier
// and load point, the spread of each metric, the error breakdown, the client's trust verdict
// and what the run cost.

export interface FullStats {
  count: number
  mean: number | null
  std: number | null
  min: number | null
  p50: number | null
  p90: number | null
  p95: number | null
  p99: number | null
  max: number | null
  /** Values outside Tukey's fences (1.5 IQR beyond the quartiles): flagged, never removed. */
  outliers: number
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

export function fullStats(block: unknown, metric: string): FullStats {
  const m = record(record(block)[metric])
  return {
    count: num(m.count) ?? 0,
    mean: num(m.mean),
    std: num(m.std),
    min: num(m.min),
    p50: num(m.p50),
    p90: num(m.p90),
    p95: num(m.p95),
    p99: num(m.p99),
    max: num(m.max),
    outliers: num(m.outlier_count) ?? 0,
  }
}

/** The metrics of the spread table: what each is, in which unit, and how many digits. */
export const SPREAD_METRICS = [
  { key: 'ttft_ms', label: 'Time to first token', unit: 'ms', digits: 1 },
  { key: 'itl_ms', label: 'Inter-token latency', unit: 'ms', digits: 2 },
  { key: 'tpot_ms', label: 'Time per output token', unit: 'ms', digits: 2 },
  { key: 'e2e_ms', label: 'End-to-end latency', unit: 'ms', digits: 1 },
  { key: 'output_tokens_per_s', label: 'Output speed', unit: 'tok/s', digits: 1 },
] as const

export interface SpreadRow {
  key: string
  label: string
  unit: string
  digits: number
  stats: FullStats
}

export function spreadRows(block: unknown): SpreadRow[] {
  return SPREAD_METRICS.map((m) => ({ ...m, stats: fullStats(block, m.key) })).filter(
    (row) => row.stats.count > 0,
  )
}

export interface LoadFigures {
  requestsPerS: number | null
  outputTokensPerS: number | null
  totalTokensPerS: number | null
  durationS: number | null
}

/** Throughput over the measured window of a block (a run, a target or one step). */
export function loadFigures(block: unknown): LoadFigures {
  const b = record(block)
  return {
    requestsPerS: num(b.request_throughput),
    outputTokensPerS: num(b.output_token_throughput),
    totalTokensPerS: num(b.total_token_throughput),
    durationS: num(b.duration_s),
  }
}

/** Load modes send at a concurrency or a request rate; profile runs measure one at a time. */
export function isLoadRun(mode: string | null | undefined): boolean {
  return mode === 'concurrency' || mode === 'rate'
}

export interface StepLike {
  name: string
  target: string
  context_tokens?: number | null
  prompt_tokens?: number | null
  concurrency?: number | null
  request_rate?: number | null
  skipped_reason?: string | null
  summary?: Record<string, unknown> | null
}

export interface StepRow {
  name: string
  target: string
  contextTokens: number | null
  /** "c=8" or "4 req/s": the load point the step ran at, null for profile steps. */
  load: string | null
  loadValue: number | null
  requests: number
  errors: number
  ttftP50: number | null
  ttftP95: number | null
  itlP50: number | null
  itlP95: number | null
  speedP50: number | null
  e2eP50: number | null
  e2eP95: number | null
  requestsPerS: number | null
  totalTokensPerS: number | null
  skipped: string | null
}

/** "c=4 · 8,000 context tokens": a step as people name it (its stored name is an id); the
 * target and the tier only when the run had several. */
export function stepLabel(step: StepLike, parts: { target: boolean; tier: boolean }): string {
  const [load] = loadOf(step)
  const tier =
    parts.tier && typeof step.context_tokens === 'number'
      ? `${step.context_tokens.toLocaleString('en')} context tokens`
      : null
  return [parts.target ? step.target : null, load, tier].filter(Boolean).join(' · ') || step.name
}

function loadOf(step: StepLike): [string | null, number | null] {
  if (typeof step.concurrency === 'number') return [`c=${step.concurrency}`, step.concurrency]
  if (typeof step.request_rate === 'number')
    return [`${step.request_rate.toLocaleString('en')} req/s`, step.request_rate]
  return [null, null]
}

/** One row per step (a target at one context tier and load point), in a reading order:
 * target, then tier, then load. */
export function stepRows(steps: StepLike[]): StepRow[] {
  const rows = steps.map((step): StepRow => {
    const s = step.summary ?? {}
    const ttft = fullStats(s, 'ttft_ms')
    const itl = fullStats(s, 'itl_ms')
    const e2e = fullStats(s, 'e2e_ms')
    const [load, loadValue] = loadOf(step)
    const rates = loadFigures(s)
    return {
      name: step.name,
      target: step.target,
      contextTokens: step.context_tokens ?? null,
      load,
      loadValue,
      requests: num(s.requests) ?? 0,
      errors: num(s.errors) ?? 0,
      ttftP50: ttft.p50,
      ttftP95: ttft.p95,
      itlP50: itl.p50,
      itlP95: itl.p95,
      speedP50: fullStats(s, 'output_tokens_per_s').p50,
      e2eP50: e2e.p50,
      e2eP95: e2e.p95,
      requestsPerS: rates.requestsPerS,
      totalTokensPerS: rates.totalTokensPerS,
      skipped: step.skipped_reason ?? null,
    }
  })
  const order = new Map(steps.map((s, i) => [s.target, i]))
  return rows.sort(
    (a, b) =>
      (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0) ||
      (a.contextTokens ?? 0) - (b.contextTokens ?? 0) ||
      (a.loadValue ?? 0) - (b.loadValue ?? 0),
  )
}

/** What the step table's rows differ by: it names its columns and heading after these. */
export function stepAxes(rows: StepRow[]): { targets: boolean; tiers: boolean; loads: boolean } {
  const distinct = <T>(pick: (row: StepRow) => T) => new Set(rows.map(pick)).size > 1
  return {
    targets: distinct((r) => r.target),
    tiers: distinct((r) => r.contextTokens),
    loads: rows.some((r) => r.load !== null),
  }
}

export function stepTableTitle(axes: { tiers: boolean; loads: boolean }): string {
  if (axes.tiers && axes.loads) return 'By load point and context tier'
  if (axes.loads) return 'By load point'
  if (axes.tiers) return 'By context tier'
  return 'By step'
}

const ERROR_LABELS: Record<string, string> = {
  auth: 'Authentication refused',
  rate_limit: 'Rate limited (429)',
  bad_request: 'Bad request (4xx)',
  not_found: 'Model or path not found',
  context_overflow: 'Prompt longer than the context window',
  timeout: 'Timed out',
  connection: 'Connection failed',
  server: 'Server error (5xx)',
  content_filtered: 'Blocked by a content filter',
}

export interface ErrorRow {
  category: string
  label: string
  count: number
  /** Share of the measured requests (cancelled ones excluded). */
  share: number | null
}

export function errorRows(block: unknown): ErrorRow[] {
  const b = record(block)
  const requests = num(b.requests) ?? 0
  return Object.entries(record(b.errors_by_category))
    .map(([category, count]) => ({
      category,
      label: ERROR_LABELS[category] ?? category.replaceAll('_', ' '),
      count: num(count) ?? 0,
      share: requests > 0 ? (num(count) ?? 0) / requests : null,
    }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
}

export interface TrustWarning {
  reasons: string[]
  /** Steps whose own window was not trustworthy (named as people read them), with reasons. */
  steps: { name: string; label: string; reasons: string[] }[]
}

function reasonsOf(diagnostics: unknown): string[] | null {
  const d = record(diagnostics)
  if (d.trustworthy !== false) return null
  const reasons = Array.isArray(d.untrustworthy_reasons)
    ? d.untrustworthy_reasons.filter((r): r is string => typeof r === 'string')
    : []
  return reasons.length > 0 ? reasons : ['the client could not keep up with its own measuring']
}

/** The run's diagnostics say its client may have distorted the figures (null: they do not). */
export function trustWarning(
  diagnostics: unknown,
  steps: (StepLike & { diagnostics?: unknown })[] = [],
): TrustWarning | null {
  const run = reasonsOf(diagnostics)
  const parts = {
    target: new Set(steps.map((s) => s.target)).size > 1,
    tier: new Set(steps.map((s) => s.context_tokens)).size > 1,
  }
  const flagged = steps.flatMap((s) => {
    const reasons = reasonsOf(s.diagnostics)
    return reasons ? [{ name: s.name, label: stepLabel(s, parts), reasons }] : []
  })
  if (run === null && flagged.length === 0) return null
  return { reasons: run ?? [], steps: flagged }
}

export interface CostShown {
  text: string
  note: string | null
  free: boolean
}

/** The demo simulator costs nothing, whatever its models' (absent) prices say. */
export function costShown(costUsd: number | null, targets: { is_demo?: boolean }[]): CostShown {
  if (targets.length > 0 && targets.every((t) => t.is_demo === true))
    return { text: '$0', note: 'free — demo simulator', free: true }
  if (costUsd === null) return { text: '—', note: 'unknown price', free: false }
  return { text: `$${costUsd.toFixed(4)}`, note: null, free: false }
}
