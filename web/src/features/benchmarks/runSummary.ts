// Reading the server's summary blocks (core.stats via speed.results.summary_block) for the
// run page: per-target rows, the winner per metric and how sure we can be about it.
export interface MetricSummary {
  count: number
  p50: number | null
  p90: number | null
  p99: number | null
  median_ci95: [number, number] | null
  confidence: string | null
}

export interface TargetRow {
  target: string
  requests: number
  errors: number
  /** Requests the run cut short when it stopped: neither measured nor errors. */
  cancelled: number
  ttft: MetricSummary
  tpot: MetricSummary
  e2e: MetricSummary
  speed: MetricSummary
  throughput: number | null
}

export interface Winner {
  metric: 'ttft' | 'speed'
  label: string
  target: string
  value: number
  runnerUp: string | null
  /** 'clear': the medians' 95% intervals do not overlap; 'close': they do; 'alone': one target. */
  verdict: 'clear' | 'close' | 'alone'
  confidence: string | null
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function interval(value: unknown): [number, number] | null {
  if (!Array.isArray(value) || value.length !== 2) return null
  const [low, high] = value.map(num)
  return low === null || high === null || low === undefined || high === undefined
    ? null
    : [low, high]
}

export function metricOf(block: unknown, name: string): MetricSummary {
  const m = record(record(block)[name])
  return {
    count: num(m.count) ?? 0,
    p50: num(m.p50),
    p90: num(m.p90),
    p99: num(m.p99),
    median_ci95: interval(m.median_ci95),
    confidence: typeof m.confidence === 'string' ? m.confidence : null,
  }
}

export function targetRows(targetSummaries: Record<string, unknown>): TargetRow[] {
  return Object.entries(targetSummaries).map(([target, block]) => {
    const b = record(block)
    return {
      target,
      requests: num(b.requests) ?? 0,
      errors: num(b.errors) ?? 0,
      cancelled: num(b.cancelled) ?? 0,
      ttft: metricOf(b, 'ttft_ms'),
      tpot: metricOf(b, 'tpot_ms'),
      e2e: metricOf(b, 'e2e_ms'),
      speed: metricOf(b, 'output_tokens_per_s'),
      throughput: num(b.output_token_throughput),
    }
  })
}

function overlaps(a: [number, number] | null, b: [number, number] | null): boolean {
  if (!a || !b) return true
  return a[0] <= b[1] && b[0] <= a[1]
}

function pickWinner(rows: TargetRow[], metric: 'ttft' | 'speed'): Winner | null {
  const lowerIsBetter = metric === 'ttft'
  const ranked = rows
    .filter((row) => row[metric].p50 !== null)
    .sort((a, b) => {
      const diff = (a[metric].p50 ?? 0) - (b[metric].p50 ?? 0)
      return lowerIsBetter ? diff : -diff
    })
  const best = ranked[0]
  if (!best || best[metric].p50 === null) return null
  const second = ranked[1] ?? null
  const verdict =
    second === null
      ? 'alone'
      : overlaps(best[metric].median_ci95, second[metric].median_ci95)
        ? 'close'
        : 'clear'
  return {
    metric,
    label: metric === 'ttft' ? 'Fastest first token' : 'Fastest output',
    target: best.target,
    value: best[metric].p50,
    runnerUp: second?.target ?? null,
    verdict,
    confidence: best[metric].confidence,
  }
}

export function winners(rows: TargetRow[]): Winner[] {
  return [pickWinner(rows, 'ttft'), pickWinner(rows, 'speed')].filter(
    (w): w is Winner => w !== null,
  )
}

export function fmt(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—'
  return value.toLocaleString(undefined, {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  })
}
