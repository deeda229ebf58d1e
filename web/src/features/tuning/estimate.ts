// The estimate panel in words: what the registry changed in the space, the plan's figures, and
// where a refusal (422) belongs on the form.
import type { ApiError } from '@/api/errors'
import { formatDuration } from '@/format'

import { formatValue } from './space'
import type { DimensionDraft } from './space'
import type { SpaceAdjustment, TunerEstimate } from './types'

export type AdjustmentTone = 'dropped' | 'changed' | 'note'

export interface AdjustmentLine {
  param: string
  label: string
  tone: AdjustmentTone
  text: string
}

function range(value: unknown): string {
  return Array.isArray(value) && value.length === 2
    ? `${formatValue(value[0])} to ${formatValue(value[1])}`
    : formatValue(value)
}

/** One adjustment of the validated space, as a line of the panel. */
export function adjustmentLine(adjustment: SpaceAdjustment): AdjustmentLine {
  const { param, reason } = adjustment
  switch (adjustment.action) {
    case 'drop':
      return {
        param,
        label: 'Dropped',
        tone: 'dropped',
        text: `${param} is not searched: ${reason}`,
      }
    case 'drop_choice':
      return {
        param,
        label: 'Value removed',
        tone: 'dropped',
        text: `${param} = ${formatValue(adjustment.original)} is left out: ${reason}`,
      }
    case 'clamp':
      return {
        param,
        label: 'Clamped',
        tone: 'changed',
        text: `${param} ${range(adjustment.original)} becomes ${range(adjustment.value)} (${reason})`,
      }
    case 'rename':
      return {
        param,
        label: 'Renamed',
        tone: 'changed',
        text: `${param} is sent as ${formatValue(adjustment.value)} (${reason})`,
      }
    case 'inactive':
      return {
        param,
        label: 'Inactive',
        tone: 'dropped',
        text: `${param} is not searched: ${reason}`,
      }
    default:
      return { param, label: 'Note', tone: 'note', text: reason }
  }
}

/** The adjustments of one parameter (shown beside its row in the editor). */
export function adjustmentsOf(
  adjustments: readonly SpaceAdjustment[],
  param: string,
): AdjustmentLine[] {
  return adjustments.filter((a) => a.param === param).map(adjustmentLine)
}

export function formatUsdOrFree(value: number | null, priced: boolean): string {
  if (value === null) return priced ? '—' : 'not priced'
  if (value === 0) return 'free'
  return value < 0.01 ? `< $0.01` : `$${value.toFixed(2)}`
}

export interface EstimateFigure {
  label: string
  value: string
  hint?: string
}

/** The plan in figures: grid, trials, calls, cost and wall time. */
/** The judge objective's calls: one per case and repeat, outside max_calls. */
function judgeCalls(estimate: TunerEstimate): EstimateFigure[] {
  const perTrial = estimate.judge_calls_per_trial
  if (perTrial === null || perTrial === undefined) return []
  return [
    {
      label: 'Judge calls',
      value: `≤ ${(estimate.judge_max_calls ?? perTrial * estimate.planned_trials).toLocaleString('en')}`,
      hint: `${perTrial} per trial, one per case judged; not counted in max calls`,
    },
  ]
}

function costHint(estimate: TunerEstimate): string {
  const perTrial = `${formatUsdOrFree(estimate.cost_per_trial_usd, true)} per trial`
  if (estimate.judge_calls_per_trial === null || estimate.judge_calls_per_trial === undefined) {
    return perTrial
  }
  const judge = estimate.judge_cost_per_trial_usd
  return judge === null || judge === undefined
    ? `${perTrial}; the judge model has no price (its cost is not counted)`
    : `${perTrial}, the judge's ${formatUsdOrFree(judge, true)} included`
}

export function estimateFigures(estimate: TunerEstimate): EstimateFigure[] {
  const grid = estimate.space.grid_size
  const priced = estimate.cost_per_trial_usd !== null
  return [
    {
      label: 'Grid size',
      value: grid === null || grid === undefined ? 'continuous' : grid.toLocaleString('en'),
      hint:
        grid === null || grid === undefined
          ? 'A range without a step has no finite grid.'
          : 'Distinct points of the full grid.',
    },
    {
      label: 'Planned trials',
      value: String(estimate.planned_trials),
      hint: `${estimate.baselines.length} baseline${estimate.baselines.length === 1 ? '' : 's'} included; ${estimate.limiting}`,
    },
    {
      label: 'Model calls',
      value: `≤ ${estimate.max_calls.toLocaleString('en')}`,
      hint: `${estimate.calls_per_trial} per trial (${estimate.cases} cases × ${estimate.repeats} repeat${estimate.repeats === 1 ? '' : 's'})`,
    },
    ...judgeCalls(estimate),
    {
      label: 'Cost',
      value:
        estimate.max_cost_usd === null || estimate.max_cost_usd === 0
          ? formatUsdOrFree(estimate.max_cost_usd, priced)
          : `≤ ${formatUsdOrFree(estimate.max_cost_usd, priced)}`,
      hint: priced ? costHint(estimate) : 'The model has no price in the catalog.',
    },
    {
      label: 'Wall time',
      value: estimate.max_wall_s === null ? 'unknown' : `≤ ${formatDuration(estimate.max_wall_s)}`,
      hint:
        estimate.seconds_per_trial === null
          ? 'No recent latency for this endpoint yet.'
          : `about ${formatDuration(estimate.seconds_per_trial)} per trial, ${estimate.concurrency} in parallel`,
    },
  ]
}

/** Where the service's own refusals (`invalid_tuning`) belong, by what they name. */
const REFUSAL_FIELDS: [RegExp, string][] = [
  [/trials leaves no trial/i, 'budget.max_trials'],
  [/max_calls/i, 'budget.max_calls'],
  [/max_cost_usd/i, 'budget.max_cost_usd'],
  [/vendor preset/i, 'vendor_preset_id'],
  [/judge/i, 'objective.source'],
  [/suite/i, 'suite_id'],
]

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * A refusal's messages keyed by field: Pydantic's field paths as they come, the space's own
 * refusals ("temperature: impossible range …") at the dimension they name, and the run's
 * (budgets, preset, judge, suite) at the field they concern.
 */
export function refusalFields(
  error: ApiError | null,
  drafts: readonly Pick<DimensionDraft, 'name'>[],
): Record<string, string> {
  if (!error || error.status !== 422) return {}
  const fields: Record<string, string> = { ...error.fieldErrors }
  if (Object.keys(fields).length > 0) return fields
  const match = /^([A-Za-z_][\w.-]*): (.+)$/s.exec(error.message)
  if (match) {
    const [, param, reason] = match as unknown as [string, string, string]
    const index = drafts.findIndex((d) => d.name === param)
    if (index >= 0) return { [`space.dimensions.${index}`]: sentence(reason) }
    if (param === 'space') return { space: sentence(reason) }
    if (param === 'repeats') return { 'space.repeats': sentence(reason) }
  }
  if (error.code === 'invalid_search_space') return { space: sentence(error.message) }
  const field = REFUSAL_FIELDS.find(([pattern]) => pattern.test(error.message))?.[1]
  return field ? { [field]: sentence(error.message) } : {}
}

/** Problems of dimension `index`, for its row (any of its fields, the row's own first). */
export function dimensionProblems(
  problems: Record<string, string>,
  index: number,
): Record<string, string> {
  const prefix = `space.dimensions.${index}`
  const out: Record<string, string> = {}
  for (const [field, message] of Object.entries(problems)) {
    if (field === prefix) out.row = message
    else if (field.startsWith(`${prefix}.`)) out[field.slice(prefix.length + 1)] = message
  }
  return out
}
