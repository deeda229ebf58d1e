// Chart data for a finished run: histograms from the stored request rows, and per-step
// figures (throughput vs load for sweeps, latency vs context tier).
import type { ChartSeries } from '@/components/charts/series'
import { histogram } from '@/components/charts/histogram'
import type { RequestRow, StepOut } from '@/stores/benchmarks'

import { metricOf } from './runSummary'

/** A stored row's outcome: `cancelled` when the run cut it short, else `error` or `ok`. */
export function outcomeOf(row: RequestRow): 'ok' | 'cancelled' | 'error' {
  const error = row.error
  if (error === null || error === undefined || error === false || error === '') return 'ok'
  const category = typeof error === 'object' ? (error as { category?: unknown }).category : error
  return category === 'cancelled' ? 'cancelled' : 'error'
}

// Superseded rows (a remeasured step's earlier attempt) stay stored but count in no figure;
// cancelled rows (cut short, their last gap open-ended) and errors neither.
export function measured(rows: RequestRow[]): RequestRow[] {
  return rows.filter((row) => !row.warmup && outcomeOf(row) === 'ok' && !row.superseded)
}

function numbers(values: unknown[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
}

export interface HistogramChart {
  labels: string[]
  series: ChartSeries[]
}

/** One histogram over all targets' values (shared bins), a series per target. */
export function histogramByTarget(
  rows: RequestRow[],
  pick: (row: RequestRow) => number[],
): HistogramChart {
  const byTarget = new Map<string, number[]>()
  for (const row of measured(rows)) {
    const key = String(row.target ?? '')
    byTarget.set(key, [...(byTarget.get(key) ?? []), ...pick(row)])
  }
  const all = [...byTarget.values()].flat()
  const shared = histogram(all)
  if (shared.counts.length === 0) return { labels: [], series: [] }
  const min = Math.min(...all)
  const series = [...byTarget.entries()].map(([label, values]) => {
    const counts = new Array<number>(shared.counts.length).fill(0)
    for (const v of values) {
      const index = Math.min(counts.length - 1, Math.floor((v - min) / shared.binWidth))
      counts[index] = (counts[index] ?? 0) + 1
    }
    return { label, data: counts }
  })
  return { labels: shared.labels, series }
}

export const ttftValues = (row: RequestRow): number[] => numbers([row.ttft_ms])
export const itlValues = (row: RequestRow): number[] =>
  Array.isArray(row.itl_ms) ? numbers(row.itl_ms) : []

/** Per target, y(step) against x(step) for the steps that have both, sorted by x. */
export function stepSeries(
  steps: StepOut[],
  x: (step: StepOut) => number | null | undefined,
  y: (step: StepOut) => number | null,
): ChartSeries[] {
  const byTarget = new Map<string, { x: number; y: number }[]>()
  for (const step of steps) {
    const xv = x(step)
    const yv = y(step)
    if (step.skipped_reason || xv === null || xv === undefined || yv === null) continue
    byTarget.set(step.target, [...(byTarget.get(step.target) ?? []), { x: xv, y: yv }])
  }
  return [...byTarget.entries()].map(([label, points]) => ({
    label,
    data: points.sort((a, b) => a.x - b.x),
  }))
}

export function hasSpread(series: ChartSeries[]): boolean {
  return series.some((s) => new Set((s.data as { x: number }[]).map((p) => p.x)).size > 1)
}

export const stepThroughput = (step: StepOut): number | null => {
  const value = step.summary?.output_token_throughput
  return typeof value === 'number' ? value : null
}
export const stepTtftP50 = (step: StepOut): number | null => metricOf(step.summary, 'ttft_ms').p50
export const stepE2eP50 = (step: StepOut): number | null => metricOf(step.summary, 'e2e_ms').p50
