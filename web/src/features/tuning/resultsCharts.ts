// The series the results charts plot, from the trials: score against latency or cost with the
// Pareto front, score against each parameter, and the binned mean score over two parameters.
// Only complete, scored trials count: a pruned trial's partial score is not comparable.
import type { ChartSeries } from '@/components/charts/series'

import {
  formatCost,
  formatLatency,
  formatParam,
  formatScore,
  isBaseline,
  trialLabel,
} from './results'
import type { Trial } from './resultsTypes'

export type ParetoAxis = 'latency' | 'cost'

function scored(trials: readonly Trial[]): Trial[] {
  return trials.filter((t) => t.state === 'complete' && t.score !== null)
}

function axisValue(trial: Trial, axis: ParetoAxis): number | null {
  const value = axis === 'latency' ? trial.latency_p50_ms : trial.cost_usd
  return value !== null && Number.isFinite(value) ? value : null
}

function pct(score: number | null): number {
  return Math.round(1000 * (score ?? 0)) / 10
}

/** Ids of the trials no other trial beats on both a higher score and a lower x. */
export function paretoFrontIds(trials: readonly Trial[], axis: ParetoAxis): string[] {
  const points = scored(trials)
    .map((t) => ({ t, x: axisValue(t, axis) }))
    .filter((p): p is { t: Trial; x: number } => p.x !== null)
    .sort((a, b) => a.x - b.x || (b.t.score ?? 0) - (a.t.score ?? 0))
  const front: string[] = []
  let bestScore = Number.NEGATIVE_INFINITY
  for (const { t } of points) {
    const score = t.score ?? 0
    if (score > bestScore) {
      front.push(t.id)
      bestScore = score
    }
  }
  return front
}

function tooltip(trial: Trial, axis: ParetoAxis | null): string {
  const x = axis === 'cost' ? formatCost(trial.cost_usd) : formatLatency(trial.latency_p50_ms)
  const params = Object.entries(trial.point)
    .map(([k, v]) => `${k}=${formatParam(v)}`)
    .join(', ')
  const figures = axis ? `${formatScore(trial.score)} at ${x}` : formatScore(trial.score)
  return `${trialLabel(trial)} ${figures}${params ? ` · ${params}` : ''}`
}

/** Three series: the other trials, the front (joined by a line, in x order) and the
 * baselines (marked apart; one on the front is in both). */
export function paretoSeries(trials: readonly Trial[], axis: ParetoAxis): ChartSeries[] {
  const front = new Set(paretoFrontIds(trials, axis))
  const withX = scored(trials).filter((t) => axisValue(t, axis) !== null)
  const point = (t: Trial) => ({ x: axisValue(t, axis) ?? 0, y: pct(t.score) })
  const group = (keep: (t: Trial) => boolean): Trial[] =>
    withX.filter(keep).sort((a, b) => (axisValue(a, axis) ?? 0) - (axisValue(b, axis) ?? 0))
  const others = group((t) => !front.has(t.id) && !isBaseline(t))
  const onFront = group((t) => front.has(t.id))
  const baselines = group((t) => isBaseline(t))
  return [
    { label: 'Trials', data: others.map(point), tooltips: others.map((t) => tooltip(t, axis)) },
    {
      label: 'Pareto front',
      data: onFront.map(point),
      tooltips: onFront.map((t) => tooltip(t, axis)),
      showLine: true,
    },
    {
      label: 'Baselines',
      data: baselines.map(point),
      tooltips: baselines.map((t) => tooltip(t, axis)),
      pointStyle: 'triangle',
    },
  ]
}

/** Whether a parameter's values are numbers (a scatter) rather than choices (bars). */
export function isNumericParam(trials: readonly Trial[], name: string): boolean {
  const values = trials.map((t) => t.point[name]).filter((v) => v !== undefined && v !== null)
  return values.length > 0 && values.every((v) => typeof v === 'number')
}

export type ParamChart =
  | { kind: 'scatter'; series: ChartSeries[] }
  | { kind: 'bar'; labels: string[]; series: ChartSeries[] }

/** Score against one parameter: each trial as a point for a number, the mean score per value
 * for a choice. Trials without the parameter (left at the default) are left out. */
export function paramChart(trials: readonly Trial[], name: string): ParamChart {
  const having = scored(trials).filter((t) => t.point[name] !== undefined && t.point[name] !== null)
  if (isNumericParam(trials, name)) {
    const sorted = [...having].sort((a, b) => Number(a.point[name]) - Number(b.point[name]))
    return {
      kind: 'scatter',
      series: [
        {
          label: 'Score',
          data: sorted.map((t) => ({ x: Number(t.point[name]), y: pct(t.score) })),
          tooltips: sorted.map((t) => tooltip(t, null)),
        },
      ],
    }
  }
  const groups = new Map<string, number[]>()
  for (const t of having) {
    const key = formatParam(t.point[name])
    groups.set(key, [...(groups.get(key) ?? []), t.score ?? 0])
  }
  const labels = [...groups.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
  return {
    kind: 'bar',
    labels,
    series: [
      {
        label: 'Mean score',
        data: labels.map((l) => {
          const scores = groups.get(l) ?? []
          return pct(scores.reduce((s, v) => s + v, 0) / scores.length)
        }),
      },
    ],
  }
}

export interface HeatmapCell {
  /** Mean 0..1 score of the trials in the cell; null when none fell there. */
  mean: number | null
  count: number
}

export interface Heatmap {
  xLabels: string[]
  yLabels: string[]
  /** rows[y][x], y in yLabels order. */
  rows: HeatmapCell[][]
  min: number | null
  max: number | null
  trials: number
}

export const HEATMAP_MAX_BINS = 6

interface Binning {
  labels: string[]
  index: (value: unknown) => number
}

/** One bin per distinct value when there are few; equal-width ranges for many numbers. */
export function binsFor(values: readonly unknown[], maxBins = HEATMAP_MAX_BINS): Binning {
  const numeric = values.length > 0 && values.every((v) => typeof v === 'number')
  if (numeric) {
    const nums = values as number[]
    const distinct = [...new Set(nums)].sort((a, b) => a - b)
    if (distinct.length > maxBins) {
      const min = distinct[0] ?? 0
      const max = distinct[distinct.length - 1] ?? 0
      const width = (max - min) / maxBins
      const labels = Array.from(
        { length: maxBins },
        (_, i) => `${formatParam(min + i * width)}–${formatParam(min + (i + 1) * width)}`,
      )
      // The maximum belongs to the last bin.
      const index = (v: unknown) => Math.min(maxBins - 1, Math.floor(((v as number) - min) / width))
      return { labels, index }
    }
    return { labels: distinct.map(formatParam), index: (v) => distinct.indexOf(v as number) }
  }
  const keys = [...new Set(values.map(formatParam))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  )
  return { labels: keys, index: (v) => keys.indexOf(formatParam(v)) }
}

/** Mean score per (x bin, y bin) over the complete trials that set both parameters. */
export function heatmap(
  trials: readonly Trial[],
  xParam: string,
  yParam: string,
  maxBins = HEATMAP_MAX_BINS,
): Heatmap {
  const present = (t: Trial, name: string) => t.point[name] !== undefined && t.point[name] !== null
  const having = scored(trials).filter((t) => present(t, xParam) && present(t, yParam))
  const xBins = binsFor(
    having.map((t) => t.point[xParam]),
    maxBins,
  )
  const yBins = binsFor(
    having.map((t) => t.point[yParam]),
    maxBins,
  )
  const sums = yBins.labels.map(() => xBins.labels.map(() => ({ sum: 0, count: 0 })))
  for (const t of having) {
    const cell = sums[yBins.index(t.point[yParam])]?.[xBins.index(t.point[xParam])]
    if (!cell) continue
    cell.sum += t.score ?? 0
    cell.count += 1
  }
  const rows = sums.map((row) =>
    row.map((c) => ({ mean: c.count > 0 ? c.sum / c.count : null, count: c.count })),
  )
  const means = rows.flat().flatMap((c) => (c.mean === null ? [] : [c.mean]))
  return {
    xLabels: xBins.labels,
    yLabels: yBins.labels,
    rows,
    min: means.length > 0 ? Math.min(...means) : null,
    max: means.length > 0 ? Math.max(...means) : null,
    trials: having.length,
  }
}

/** 0..1 position of a cell's mean between the map's lowest and highest, for its shade. */
export function cellShade(mean: number | null, min: number | null, max: number | null): number {
  if (mean === null || min === null || max === null) return 0
  return max === min ? 1 : (mean - min) / (max - min)
}

/** Whether the cost axis says anything (an unpriced model costs 0 on every trial). */
export function hasCost(trials: readonly Trial[]): boolean {
  return scored(trials).some((t) => t.cost_usd > 0)
}
