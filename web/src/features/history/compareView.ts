// Shapes for the compare page: one row per run and target, and readable significance lines.
import type { CompareOut } from '@/stores/history'
import { metricOf, type MetricSummary } from '@/features/benchmarks/runSummary'

export interface CompareRow {
  runId: string
  runLabel: string
  target: string
  ttft: MetricSummary
  tpot: MetricSummary
  e2e: MetricSummary
  speed: MetricSummary
}

export const METRIC_LABELS: Record<string, string> = {
  ttft_ms: 'TTFT',
  ttfct_ms: 'First content token',
  tpot_ms: 'TPOT',
  e2e_ms: 'End to end',
  output_tokens_per_s: 'Output speed',
}

/** "#2 Nightly": the run's place in the comparison and its title (its models when untitled). */
export function runLabel(run: CompareOut['runs'][number], index: number): string {
  return `#${index + 1} ${run.title || run.targets.map((t) => t.model_display).join(' vs ')}`
}

/** What tells runs with the same title apart: their models, mode and start. */
export { benchmarkCaption as runCaption } from './runLabels'

export function compareRows(comparison: CompareOut): CompareRow[] {
  return comparison.runs.flatMap((run, index) =>
    Object.entries(comparison.summaries[run.id] ?? {}).map(([target, block]) => ({
      runId: run.id,
      runLabel: runLabel(run, index),
      target,
      ttft: metricOf(block, 'ttft_ms'),
      tpot: metricOf(block, 'tpot_ms'),
      e2e: metricOf(block, 'e2e_ms'),
      speed: metricOf(block, 'output_tokens_per_s'),
    })),
  )
}

export interface SignificanceLine {
  metric: string
  baseline: string
  other: string
  difference: number | null
  ci: [number, number] | null
  pValue: number | null
  significant: boolean
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

export function significanceLines(comparison: CompareOut): SignificanceLine[] {
  const label = (runId: string, target: string): string => {
    const index = comparison.runs.findIndex((r) => r.id === runId)
    return `#${index + 1} ${target}`
  }
  return comparison.significance.map((s) => {
    const ci = Array.isArray(s.test.median_difference_ci95)
      ? s.test.median_difference_ci95.map(num)
      : []
    return {
      metric: METRIC_LABELS[s.metric] ?? s.metric,
      baseline: label(s.baseline_run, s.baseline_target),
      other: label(s.other_run, s.other_target),
      difference: num(s.test.median_difference),
      ci:
        ci.length === 2 &&
        ci[0] !== null &&
        ci[1] !== null &&
        ci[0] !== undefined &&
        ci[1] !== undefined
          ? [ci[0], ci[1]]
          : null,
      pValue: num(s.test.p_value),
      significant: s.test.significant === true,
    }
  })
}
