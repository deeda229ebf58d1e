// Steps a resumed run measured over more than one job attempt: what each attempt kept and the
// client's health in its window. Figures are read from the server's diagnostics
// (speed.diagnostics.Diagnostics.to_dict), never recomputed here.

import { stepLabel, type StepLike } from '@/features/benchmarks/runFigures'

export interface StepAttemptLike {
  attempt: number | null
  rows: number
  superseded: boolean
  diagnostics?: Record<string, unknown> | null
  partial?: boolean
}

export interface AttemptRow {
  key: string
  /** "Attempt 1", or "Before attempts were recorded". */
  label: string
  /** "7 requests kept", "3 requests superseded", "no request stored". */
  rows: string
  cpuShare: string | null
  loopLagP99: string | null
  /** The window ended at the interruption: figures up to its last report. */
  partial: boolean
  /** No report of the window: nothing known of the client's health. */
  unknown: boolean
  untrustworthy: string[]
}

export interface ResumedStep {
  name: string
  label: string
  attempts: AttemptRow[]
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function rowsText(attempt: StepAttemptLike): string {
  if (attempt.rows === 0) return 'no request stored'
  const noun = attempt.rows === 1 ? 'request' : 'requests'
  return `${attempt.rows.toLocaleString('en')} ${noun} ${attempt.superseded ? 'superseded' : 'kept'}`
}

export function attemptRow(attempt: StepAttemptLike, index: number): AttemptRow {
  const diagnostics = record(attempt.diagnostics)
  const cpu = num(diagnostics.client_cpu_share)
  const lag = num(record(diagnostics.event_loop_lag_ms).p99)
  const reasons = Array.isArray(diagnostics.untrustworthy_reasons)
    ? diagnostics.untrustworthy_reasons.filter((r): r is string => typeof r === 'string')
    : []
  return {
    key: `${attempt.attempt ?? 'none'}-${attempt.superseded ? 's' : 'k'}-${index}`,
    label:
      attempt.attempt === null ? 'Before attempts were recorded' : `Attempt ${attempt.attempt}`,
    rows: rowsText(attempt),
    cpuShare: cpu === null ? null : `${Math.round(cpu * 100)}%`,
    loopLagP99: lag === null ? null : `${lag.toFixed(1)} ms`,
    partial: attempt.partial === true,
    unknown: cpu === null && lag === null,
    untrustworthy: reasons,
  }
}

/** The steps that span more than one attempt, each with one row per attempt (oldest first). */
export function resumedSteps(
  steps: (StepLike & { attempts?: StepAttemptLike[] | null })[],
): ResumedStep[] {
  const parts = {
    target: new Set(steps.map((s) => s.target)).size > 1,
    tier: new Set(steps.map((s) => s.context_tokens)).size > 1,
  }
  return steps
    .filter((s) => (s.attempts ?? []).length > 1)
    .map((s) => ({
      name: s.name,
      label: stepLabel(s, parts),
      attempts: (s.attempts ?? []).map(attemptRow),
    }))
}
