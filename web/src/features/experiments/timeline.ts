// The experiment timeline's data: the scored results on the experiment's scale in time order,
// one line of points per kind (eval, judge, tuner), and the baseline and the best as marker
// points of their own, labelled. Off-scale results are left off the chart (the page lists them
// apart with their reason), as are results without a score yet.
import { KIND_LABELS, formatScore } from './figures'
import type { ExperimentResult, ResultKind } from './types'

export const KIND_COLORS: Record<ResultKind, string> = {
  eval: '#6366f1',
  judge: '#f59e0b',
  tuner: '#10b981',
}
export const BASELINE_COLOR = '#0f172a'
export const BEST_COLOR = '#e11d48'

/** Chart.js point styles used for the series: circles for plain results, a diamond for the
 * baseline, a triangle for the best. */
export type PointStyle = 'circle' | 'rectRot' | 'triangle'

export interface TimelinePoint {
  /** Position on the x axis (0-based, time order). */
  index: number
  result: ExperimentResult
  /** Percent, 0..100. */
  y: number
}

export interface TimelineSeries {
  /** The legend's text. */
  label: string
  /** What the series holds: a kind's results, or the baseline / best marker. */
  role: ResultKind | 'baseline' | 'best'
  color: string
  pointStyle: PointStyle
  pointRadius: number
  /** Joined by a line (a kind's results) or a lone marker. */
  showLine: boolean
  /** One value per x position; null where the series has no point. */
  data: (number | null)[]
  /** The label drawn next to a marker point ("Baseline", "Best"); null for plain series. */
  marker: string | null
}

export interface Timeline {
  /** Tick labels, one per plotted result. */
  labels: string[]
  points: TimelinePoint[]
  series: TimelineSeries[]
  /** Results on another suite version or profile: listed apart, never plotted. */
  offScale: number
  /** On-scale results not plotted because they have no score yet (running, failed, unscored). */
  unscored: number
}

const KIND_ORDER: ResultKind[] = ['eval', 'judge', 'tuner']

function shortTime(at: string): string {
  const date = new Date(at)
  if (Number.isNaN(date.getTime())) return at
  return date.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
}

function markerSeries(
  points: readonly TimelinePoint[],
  pick: (r: ExperimentResult) => boolean,
  template: Omit<TimelineSeries, 'data'>,
): TimelineSeries | null {
  const chosen = points.find((p) => pick(p.result))
  if (!chosen) return null
  const data = points.map((p) => (p === chosen ? p.y : null))
  return { ...template, data }
}

/** Build the chart's series from the experiment's results (as the API lists them, in time
 * order; sorted again here so the chart never depends on that). */
export function buildTimeline(
  results: readonly ExperimentResult[],
  format: (at: string) => string = shortTime,
): Timeline {
  const onScale = results.filter((r) => r.on_scale)
  const scored = onScale
    .filter((r) => r.score !== null && Number.isFinite(r.score))
    .map((r, order) => ({ r, order }))
    .sort((a, b) => Date.parse(a.r.at) - Date.parse(b.r.at) || a.order - b.order)
    .map(({ r }) => r)
  const points: TimelinePoint[] = scored.map((result, index) => ({
    index,
    result,
    y: Math.round(1000 * (result.score ?? 0)) / 10,
  }))

  const series: TimelineSeries[] = []
  for (const kind of KIND_ORDER) {
    if (!points.some((p) => p.result.kind === kind)) continue
    series.push({
      label: KIND_LABELS[kind],
      role: kind,
      color: KIND_COLORS[kind],
      pointStyle: 'circle',
      pointRadius: 4,
      showLine: true,
      data: points.map((p) => (p.result.kind === kind ? p.y : null)),
      marker: null,
    })
  }
  const same = points.find((p) => p.result.is_baseline && p.result.is_best)
  const markers = same
    ? [
        markerSeries(points, (r) => r.is_baseline && r.is_best, {
          label: 'Baseline and best',
          role: 'best',
          color: BEST_COLOR,
          pointStyle: 'rectRot',
          pointRadius: 9,
          showLine: false,
          marker: 'Baseline = best',
        }),
      ]
    : [
        markerSeries(points, (r) => r.is_baseline, {
          label: 'Baseline',
          role: 'baseline',
          color: BASELINE_COLOR,
          pointStyle: 'rectRot',
          pointRadius: 9,
          showLine: false,
          marker: 'Baseline',
        }),
        markerSeries(points, (r) => r.is_best, {
          label: 'Best',
          role: 'best',
          color: BEST_COLOR,
          pointStyle: 'triangle',
          pointRadius: 10,
          showLine: false,
          marker: 'Best',
        }),
      ]
  for (const marker of markers) if (marker) series.push(marker)

  return {
    labels: points.map((p) => format(p.result.at)),
    points,
    series,
    offScale: results.length - onScale.length,
    unscored: onScale.length - points.length,
  }
}

/** The tooltip's lines for the point at `index`. */
export function pointDescription(point: TimelinePoint): string[] {
  const r = point.result
  const counts = r.passed !== null && r.total !== null ? ` (${r.passed}/${r.total})` : ''
  const roles = [r.is_baseline ? 'baseline' : '', r.is_best ? 'best' : ''].filter(Boolean)
  return [
    `${KIND_LABELS[r.kind]}: ${r.label}`,
    `Score ${formatScore(r.score)}${counts}`,
    ...(roles.length ? [`The ${roles.join(' and ')}`] : []),
  ]
}

/** A sentence summing the chart up for screen readers (the canvas itself is an image). */
export function timelineSummary(timeline: Timeline): string {
  if (timeline.points.length === 0) return 'No scored results on this scale yet.'
  const parts = timeline.points.map(
    (p) =>
      `${p.result.label} ${formatScore(p.result.score)}${p.result.is_baseline ? ' (baseline)' : ''}${p.result.is_best ? ' (best)' : ''}`,
  )
  return `Scores in time order: ${parts.join('; ')}.`
}
