// A running tuner's trials, advanced by its job events: `tuner_trial_started` adds a running
// row for the point being evaluated, `tuner_trial` replaces it with the stored trial (finished,
// pruned or failed). Events replay from the job's start, so applying one twice changes nothing.
import type { LiveEvent } from '@/realtime/connection'

import type { Trial, TrialKind } from './resultsTypes'

export const TRIAL_STARTED_EVENT = 'tuner_trial_started'
export const TRIAL_EVENT = 'tuner_trial'

const KINDS: readonly TrialKind[] = ['baseline_default', 'baseline_preset', 'search']

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The running row a start event stands for (null: not a start of this run). */
export function startedTrial(event: LiveEvent, runId: string): Trial | null {
  const d = event.data
  if (event.type !== TRIAL_STARTED_EVENT || d.run_id !== runId) return null
  if (typeof d.number !== 'number') return null
  const kind = KINDS.includes(d.kind as TrialKind) ? (d.kind as TrialKind) : 'search'
  const point = isRecord(d.point) ? d.point : {}
  return {
    id: `running-${d.number}`,
    number: d.number,
    kind,
    state: 'running',
    point,
    effective: point,
    eval_run_id: null,
    score: null,
    score_ci95: null,
    repeat_scores: [],
    values: [],
    partial: null,
    cases: 0,
    calls: 0,
    latency_p50_ms: null,
    cost_usd: 0,
    error: null,
    pareto: false,
    started_at: event.at,
    finished_at: null,
  }
}

/** The stored trial a trial event carries (null: not a trial of this run). */
export function finishedTrial(event: LiveEvent, runId: string): Trial | null {
  const d = event.data
  if (event.type !== TRIAL_EVENT || d.run_id !== runId || !isRecord(d.trial)) return null
  const trial = d.trial as unknown as Trial
  return typeof trial.number === 'number' && typeof trial.id === 'string' ? trial : null
}

/** The trials after the events, in number order. A start never overwrites a row already
 * there (the stored trial may have arrived first through a fetch). */
export function withTrialEvents(trials: Trial[], events: LiveEvent[], runId: string): Trial[] {
  const byNumber = new Map(trials.map((t) => [t.number, t]))
  let changed = false
  for (const event of events) {
    const started = startedTrial(event, runId)
    if (started && !byNumber.has(started.number)) {
      byNumber.set(started.number, started)
      changed = true
    }
    const finished = finishedTrial(event, runId)
    if (finished) {
      byNumber.set(finished.number, finished)
      changed = true
    }
  }
  if (!changed) return trials
  return [...byNumber.values()].sort((a, b) => a.number - b.number)
}

/** Whether an event is one of this page's (to refresh the results once trials arrive). */
export function isTrialEvent(event: LiveEvent): boolean {
  return event.type === TRIAL_EVENT
}

/** A fetched detail's trials merged with those the page has: per trial number the fetched
 * row wins unless it is still running and the page already has the finished one (a fetch
 * that left before the trial's event). Rows only the page has (just started) are kept. */
export function mergeTrials(local: readonly Trial[], fetched: readonly Trial[]): Trial[] {
  const byNumber = new Map(local.map((t) => [t.number, t]))
  for (const trial of fetched) {
    const known = byNumber.get(trial.number)
    if (!known || trial.state !== 'running' || known.state === 'running') {
      byNumber.set(trial.number, trial)
    }
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number)
}
