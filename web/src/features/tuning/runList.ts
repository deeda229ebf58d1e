// The tuner runs list: its filters (kept in the address), statuses in words and each row's
// figures (trials done of planned, the model tuned).
import type { TunerRun, TunerStatus } from './types'

export const STATUSES: { id: TunerStatus; label: string }[] = [
  { id: 'queued', label: 'Queued' },
  { id: 'running', label: 'Running' },
  { id: 'completed', label: 'Completed' },
  { id: 'failed', label: 'Failed' },
  { id: 'cancelled', label: 'Cancelled' },
]

export function statusLabel(status: string): string {
  return STATUSES.find((s) => s.id === status)?.label ?? status
}

/** Badge colours per status (light and dark). */
export function statusClass(status: string): string {
  switch (status) {
    case 'completed':
      return 'bg-emerald-50 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-200'
    case 'failed':
      return 'bg-rose-50 text-rose-800 dark:bg-rose-500/15 dark:text-rose-200'
    case 'running':
    case 'queued':
      return 'bg-brand-50 text-brand-800 dark:bg-brand-500/15 dark:text-brand-200'
    default:
      return 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300'
  }
}

export function isLive(run: Pick<TunerRun, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running'
}

export interface RunFilters {
  q: string
  status: TunerStatus | ''
}

/** The filters from the address (?q=&status=); anything unknown is ignored. */
export function filtersFrom(query: Record<string, unknown>): RunFilters {
  const q = typeof query.q === 'string' ? query.q : ''
  const raw = typeof query.status === 'string' ? query.status : ''
  const status = STATUSES.some((s) => s.id === raw) ? (raw as TunerStatus) : ''
  return { q, status }
}

export function filtersQuery(filters: RunFilters): Record<string, string> {
  const query: Record<string, string> = {}
  if (filters.q.trim()) query.q = filters.q.trim()
  if (filters.status) query.status = filters.status
  return query
}

function numberAt(record: Record<string, unknown>, key: string): number | null {
  const value = record[key]
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** Trials planned: the estimate's figure, else the trial budget. */
export function plannedTrials(run: Pick<TunerRun, 'estimate' | 'budget'>): number | null {
  return numberAt(run.estimate, 'planned_trials') ?? numberAt(run.budget, 'max_trials')
}

/** "7 of 20" (or "7" when nothing says how many were planned). */
export function trialsText(run: Pick<TunerRun, 'trials_done' | 'estimate' | 'budget'>): string {
  const planned = plannedTrials(run)
  return planned === null ? String(run.trials_done) : `${run.trials_done} of ${planned}`
}

/** The model tuned, from the run's stored target. */
export function modelText(run: Pick<TunerRun, 'target'>): string {
  const model = run.target.model_id
  return typeof model === 'string' ? model : '—'
}

export function costText(cost: number): string {
  if (cost === 0) return '$0'
  return cost < 0.01 ? '< $0.01' : `$${cost.toFixed(2)}`
}
