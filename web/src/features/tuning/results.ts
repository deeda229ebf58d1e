// A tuner run's figures in words: scores with their CI, latency, cost, parameter values, why
// the study stopped, the trials done of those planned, and the best trial so far.
import type { Interval, Trial, TrialKind, TrialState, TunerRun } from './resultsTypes'

/** A 0..1 score as "62.5%"; "—" when there is none. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined || !Number.isFinite(score)
    ? '—'
    : `${(100 * score).toFixed(1)}%`
}

/** A 95% CI of a 0..1 score: "58.1–66.9%". */
export function formatInterval(ci: Interval | null | undefined): string {
  if (!ci) return ''
  return `${(100 * ci.low).toFixed(1)}–${(100 * ci.high).toFixed(1)}%`
}

/** "62.5% ± 4.4": the half width of the CI in points (bootstrap intervals may lean, the
 * tooltip gives the bounds). */
export function formatScoreCi(score: number | null, ci: Interval | null | undefined): string {
  if (score === null || !Number.isFinite(score)) return '—'
  if (!ci) return formatScore(score)
  return `${formatScore(score)} ± ${((100 * (ci.high - ci.low)) / 2).toFixed(1)}`
}

const MINUS = '\u2212'

/** A difference of two 0..1 scores in percentage points: "+12.0 pts", "−3.5 pts". */
export function formatPoints(difference: number): string {
  const points = Math.round(1000 * difference) / 10
  if (points === 0) return '0.0 pts'
  return `${points > 0 ? '+' : MINUS}${Math.abs(points).toFixed(1)} pts`
}

/** "+4.1 to +19.6 pts". */
export function formatPointsInterval(ci: Interval | null | undefined): string {
  if (!ci) return ''
  return `${formatPoints(ci.low).replace(' pts', '')} to ${formatPoints(ci.high)}`
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'p unknown'
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/** Dollars with enough digits for a cheap trial: "$0.0042", "$1.25", "$0". */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—'
  if (usd === 0) return '$0'
  if (usd < 0.01) return `$${usd.toPrecision(2)}`
  return `$${usd.toFixed(2)}`
}

/** A parameter's value in a cell: numbers to 4 significant digits, anything else as JSON.
 * Absent: the provider's default is sent. */
export function formatParam(value: unknown): string {
  if (value === undefined || value === null) return 'default'
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)))
  }
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

export const KIND_LABELS: Record<TrialKind, string> = {
  baseline_default: 'Baseline · provider defaults',
  baseline_preset: 'Baseline · vendor preset',
  search: 'Search',
}

export const STATE_LABELS: Record<TrialState, string> = {
  running: 'Running',
  complete: 'Complete',
  pruned: 'Pruned',
  failed: 'Failed',
}

export function isBaseline(trial: Pick<Trial, 'kind'>): boolean {
  return trial.kind !== 'search'
}

const STOP_REASONS: Record<string, string> = {
  space_exhausted: 'Every point of the search space was tried.',
  max_trials: 'It reached its budget of trials.',
  max_calls: 'It reached its budget of model calls.',
  max_cost: 'It reached its cost budget.',
  max_wall: 'It reached its time budget.',
  early_stop: 'It stopped early: the best score stopped improving (patience reached).',
  cancelled: 'It was cancelled; the finished trials are kept.',
}

/** Why the study stopped, in a sentence (an unknown code is shown as it is). */
export function stopReasonText(reason: string | null | undefined): string | null {
  if (!reason) return null
  return STOP_REASONS[reason] ?? `It stopped: ${reason.replace(/_/g, ' ')}.`
}

function numberField(record: Record<string, unknown>, key: string): number | null {
  const value = record[key]
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** Trials the run plans: the estimate's figure, else the trial budget. */
export function plannedTrials(run: Pick<TunerRun, 'estimate' | 'budget'>): number | null {
  return numberField(run.estimate, 'planned_trials') ?? numberField(run.budget, 'max_trials')
}

export interface RunProgress {
  done: number
  running: number
  planned: number | null
  /** 0..100, null when nothing is planned. */
  percent: number | null
  calls: number
  costUsd: number
  /** Seconds the study has run, summed over resumes (stored as trials finish). */
  activeS: number
  /** The wall-time budget in seconds, null when unbounded. */
  wallS: number | null
}

/** Progress from the trials known on the page (live events included) and the run's own
 * counters, whichever is ahead. */
export function runProgress(
  run: Pick<
    TunerRun,
    'estimate' | 'budget' | 'trials_done' | 'calls_used' | 'cost_usd' | 'active_s'
  >,
  trials: readonly Trial[],
): RunProgress {
  const finished = trials.filter((t) => t.state !== 'running')
  const done = Math.max(run.trials_done, finished.length)
  const planned = plannedTrials(run)
  const calls = Math.max(
    run.calls_used,
    trials.reduce((sum, t) => sum + t.calls, 0),
  )
  const costUsd = Math.max(
    run.cost_usd,
    trials.reduce((sum, t) => sum + t.cost_usd, 0),
  )
  const percent = planned ? Math.min(100, Math.round((100 * done) / planned)) : null
  return {
    done,
    running: trials.length - finished.length,
    planned,
    percent,
    calls,
    costUsd,
    activeS: run.active_s,
    wallS: typeof run.budget.max_wall_s === 'number' ? run.budget.max_wall_s : null,
  }
}

/** The best scored trial: highest score; ties go to the lower cost, then the lower latency,
 * then the earlier trial (the server's rule). Running and failed trials do not count. */
export function bestTrial(trials: readonly Trial[]): Trial | null {
  let best: Trial | null = null
  for (const trial of trials) {
    if (trial.state !== 'complete' || trial.score === null) continue
    if (best === null || better(trial, best)) best = trial
  }
  return best
}

function better(a: Trial, b: Trial): boolean {
  const score = (a.score ?? 0) - (b.score ?? 0)
  if (Math.abs(score) > 1e-12) return score > 0
  if (a.cost_usd !== b.cost_usd) return a.cost_usd < b.cost_usd
  const la = a.latency_p50_ms ?? Number.POSITIVE_INFINITY
  const lb = b.latency_p50_ms ?? Number.POSITIVE_INFINITY
  if (la !== lb) return la < lb
  return a.number < b.number
}

/** The parameters shown as columns: the validated space's dimensions in order, then any
 * other name a trial's point carries (a space edited on resume). */
export function paramNames(
  run: Pick<TunerRun, 'validated_space'>,
  trials: readonly Trial[],
): string[] {
  const names: string[] = []
  const dims = run.validated_space.dimensions
  if (Array.isArray(dims)) {
    for (const d of dims) {
      const name = (d as { name?: unknown }).name
      if (typeof name === 'string' && !names.includes(name)) names.push(name)
    }
  }
  for (const trial of trials) {
    for (const name of Object.keys(trial.point)) if (!names.includes(name)) names.push(name)
  }
  return names
}

/** "#4" or "#1 (provider defaults)" for labels in charts and tooltips. */
export function trialLabel(trial: Pick<Trial, 'number' | 'kind'>): string {
  if (trial.kind === 'baseline_default') return `#${trial.number} (provider defaults)`
  if (trial.kind === 'baseline_preset') return `#${trial.number} (vendor preset)`
  return `#${trial.number}`
}
