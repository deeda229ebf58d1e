// How a schedule, its occurrences and its alert metrics read on the pages.
import type { components } from '@/api/schema'

export type Schedule = components['schemas']['ScheduleOut']
export type ScheduleIn = components['schemas']['ScheduleIn']
export type Occurrence = components['schemas']['OccurrenceRecordOut']
export type NextOccurrence = components['schemas']['OccurrenceOut']
export type Estimate = components['schemas']['ScheduleEstimateOut']
export type AlertRules = components['schemas']['AlertRulesIn']
export type Alerts = components['schemas']['AlertsOut']
export type Episode = components['schemas']['AlertEpisodeOut']
export type Trend = components['schemas']['TrendOut']
export type TrendPoint = components['schemas']['TrendPointOut']
export type MetricName = components['schemas']['AlertRuleIn']['metric']

export interface ScheduleStatus {
  label: string
  tone: 'ok' | 'paused' | 'off' | 'finished'
  detail: string | null
}

const FINISHED_TEXT: Record<string, string> = {
  max_runs: 'its maximum number of runs is reached',
  ended: 'its end date has passed',
}

export function scheduleStatus(s: Schedule): ScheduleStatus {
  if (s.finished)
    return { label: 'Finished', tone: 'finished', detail: FINISHED_TEXT[s.finished] ?? null }
  if (s.paused_reason) return { label: 'Paused', tone: 'paused', detail: s.paused_reason }
  if (!s.enabled) return { label: 'Disabled', tone: 'off', detail: null }
  return { label: 'Enabled', tone: 'ok', detail: null }
}

const NEUTRAL = 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300'
export const STATUS_CLASS: Record<ScheduleStatus['tone'], string> = {
  ok: 'bg-emerald-50 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-200',
  paused: 'bg-amber-50 text-amber-800 dark:bg-amber-500/15 dark:text-amber-200',
  off: NEUTRAL,
  finished: NEUTRAL,
}

export function kindLabel(kind: string): string {
  return kind === 'eval' ? 'Tool eval' : 'Benchmark'
}

/** "Done", "Running", "Skipped: overlap" — the occurrence log's status in words. */
export function occurrenceText(o: Occurrence): string {
  if (o.status === 'skipped') {
    const reason = o.reason ?? 'skipped'
    const text = reason.charAt(0).toUpperCase() + reason.slice(1)
    return o.skipped_count && o.skipped_count > 1 ? `${text} (${o.skipped_count} runs)` : text
  }
  const words: Record<string, string> = {
    claimed: 'Starting',
    waiting: 'Waiting its turn',
    dispatched: 'Running',
    done: 'Done',
    failed: 'Failed',
    cancelled: 'Cancelled',
    interrupted: 'Interrupted',
  }
  return words[o.status] ?? o.status
}

/** The run page of an occurrence's run (benchmark or eval), if it has one. */
export function runRoute(kind: string, runId: string | null | undefined) {
  if (!runId) return null
  return kind === 'eval'
    ? { name: 'tooleval-run', params: { runId } }
    : { name: 'benchmark-run', params: { runId } }
}

export const METRICS: { id: MetricName; label: string; unit: string; kinds: string[] }[] = [
  { id: 'ttft_p50', label: 'TTFT p50', unit: 'ms', kinds: ['benchmark'] },
  { id: 'ttft_p95', label: 'TTFT p95', unit: 'ms', kinds: ['benchmark'] },
  { id: 'output_tps', label: 'Output tokens/s', unit: 'tokens/s', kinds: ['benchmark'] },
  { id: 'error_rate', label: 'Error rate', unit: '%', kinds: ['benchmark', 'eval'] },
  { id: 'cost', label: 'Cost per request', unit: 'USD', kinds: ['benchmark'] },
  { id: 'score', label: 'Tool-eval score', unit: '%', kinds: ['eval'] },
]

export function metricLabel(metric: string): string {
  return METRICS.find((m) => m.id === metric)?.label ?? metric
}

export function metricsFor(kind: string) {
  return METRICS.filter((m) => m.kinds.includes(kind))
}

/** A metric's value as the alert notices write it (the same rounding as the server's). */
export function formatMetric(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (metric === 'error_rate' || metric === 'score') return `${(value * 100).toFixed(1)} %`
  if (metric === 'cost') return `$${value.toFixed(6)}`
  if (metric === 'output_tps') return `${value.toFixed(1)} tokens/s`
  return `${value.toFixed(1)} ms`
}

/** The chart's y value: rates in percent, the rest as measured. */
export function chartValue(metric: string, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null
  return metric === 'error_rate' || metric === 'score' ? value * 100 : value
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'unknown'
  if (value === 0) return '$0.00'
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`
}

/** A p value in three significant figures, small ones in exponent form: "1.23e-5". */
export function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(2) : p.toPrecision(3)
}
