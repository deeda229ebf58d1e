// The tuning setup form: its defaults (the API's, TunerRunCreate), its checks per field and the
// body it sends to POST /api/tuning/estimate and /api/tuning/runs. Problems are keyed like the
// API's fields (`budget.max_trials`, `space.dimensions.0.low`) so a 422 lands at the same place.
import { type NumberInput, numberOrNull } from '@/features/benchmarks/benchmarkForm'
import type { SpecLike } from '@/features/parameterSets/parameterControls'

import { buildSpace, type DimensionDraft, type Problems, spaceProblems } from './space'
import type { ProfileName, StrategyKind, ToolMetric, TunerRunCreate } from './types'

export const LIMITS = {
  maxTrials: 500,
  maxConcurrency: 64,
  defaultTrials: 20,
  defaultStartup: 10,
  minWallS: 10,
  maxWallS: 7 * 24 * 3600,
  maxTimeoutS: 900,
} as const

export const STRATEGIES: { id: StrategyKind; label: string; hint: string }[] = [
  {
    id: 'tpe',
    label: 'TPE (Bayesian)',
    hint: 'Starts with random points, then proposes where good scores cluster. Best for most spaces.',
  },
  {
    id: 'random',
    label: 'Random',
    hint: 'Points drawn at random: a fair baseline, good for many dimensions.',
  },
  {
    id: 'grid',
    label: 'Grid',
    hint: 'Every combination of the steps (or a sample of them). Ranges need a step.',
  },
]

export const METRICS: { id: ToolMetric; label: string }[] = [
  { id: 'pass_rate', label: 'Pass rate (overall score)' },
  { id: 'tool_selection_f1', label: 'Tool selection F1' },
  { id: 'argument_accuracy', label: 'Argument accuracy' },
  { id: 'schema_valid_rate', label: 'Schema-valid rate' },
]

export interface TuningForm {
  name: string
  providerId: string
  modelId: string
  parameterSetId: string
  systemPrompt: string
  suiteId: string
  suiteVersion: number | null
  profile: ProfileName
  dimensions: DimensionDraft[]
  repeats: NumberInput
  /** A built-in vendor preset whose point runs as a baseline ('' = none). */
  vendorPresetId: string
  strategy: StrategyKind
  seed: NumberInput
  gridSample: NumberInput
  startupTrials: NumberInput
  reevaluateDuplicates: boolean
  objective: 'tool_eval' | 'judge'
  metric: ToolMetric
  judgeModelRefId: string
  minimizeLatency: boolean
  minimizeCost: boolean
  patience: NumberInput
  minDelta: NumberInput
  prune: boolean
  maxTrials: NumberInput
  maxCalls: NumberInput
  maxCostUsd: NumberInput
  /** Minutes in the form, seconds in the API. */
  maxWallMin: NumberInput
  concurrency: NumberInput
  timeoutS: NumberInput
}

export function defaultTuningForm(): TuningForm {
  return {
    name: '',
    providerId: '',
    modelId: '',
    parameterSetId: '',
    systemPrompt: '',
    suiteId: '',
    suiteVersion: null,
    profile: 'lenient',
    dimensions: [],
    repeats: 1,
    vendorPresetId: '',
    strategy: 'tpe',
    seed: 0,
    gridSample: '',
    startupTrials: LIMITS.defaultStartup,
    reevaluateDuplicates: false,
    objective: 'tool_eval',
    metric: 'pass_rate',
    judgeModelRefId: '',
    minimizeLatency: false,
    minimizeCost: false,
    patience: '',
    minDelta: 0,
    prune: true,
    maxTrials: LIMITS.defaultTrials,
    maxCalls: '',
    maxCostUsd: '',
    maxWallMin: '',
    concurrency: '',
    timeoutS: 120,
  }
}

interface Rule {
  label: string
  min: number
  max: number
  integer?: boolean
  /** Strictly above `min`. */
  above?: boolean
}

/** A number field: null when empty (not sent), a problem when set but out of its rule. */
function numberField(
  value: NumberInput,
  field: string,
  rule: Rule,
  problems: Problems,
  required = false,
): number | null {
  const typed = typeof value === 'string' && value.trim() !== ''
  const parsed = numberOrNull(value)
  if (parsed === null) {
    if (typed) problems[field] = `${rule.label} must be a number.`
    else if (required) problems[field] = `Enter ${rule.label.toLowerCase()}.`
    return null
  }
  const low = rule.above ? parsed <= rule.min : parsed < rule.min
  if (rule.integer && !Number.isInteger(parsed))
    problems[field] = `${rule.label} must be a whole number.`
  else if (low || parsed > rule.max)
    problems[field] =
      `${rule.label}: ${rule.above ? 'above' : 'from'} ${rule.min} ${rule.above ? 'and at most' : 'to'} ${rule.max}.`
  return parsed
}

export type TuningBuild = { ok: true; payload: TunerRunCreate } | { ok: false; problems: Problems }

/** The run's body, or every field's problem. Empty optional fields are left to the API. */
export function buildTuningPayload(form: TuningForm, specs: readonly SpecLike[]): TuningBuild {
  const problems: Problems = spaceProblems(form.dimensions, form.repeats, specs)
  if (!form.providerId || !form.modelId) problems.target = 'Pick the model to tune.'
  if (!form.suiteId) problems.suite_id = 'Pick a suite to score each trial on.'
  if (form.name.length > 200) problems.name = 'Keep the name under 200 characters.'
  const seed = numberField(
    form.seed,
    'strategy.seed',
    { label: 'Seed', min: 0, max: 2 ** 31 - 1, integer: true },
    problems,
  )
  const gridSample =
    form.strategy === 'grid'
      ? numberField(
          form.gridSample,
          'strategy.grid_sample',
          { label: 'Sample size', min: 1, max: 100_000, integer: true },
          problems,
        )
      : null
  const startup =
    form.strategy === 'tpe'
      ? numberField(
          form.startupTrials,
          'strategy.startup_trials',
          { label: 'Startup trials', min: 1, max: 100, integer: true },
          problems,
        )
      : null
  if (form.objective === 'judge' && !form.judgeModelRefId)
    problems['objective.judge_model_ref_id'] = 'Pick the model that judges the answers.'
  const patience = numberField(
    form.patience,
    'stopping.patience',
    { label: 'Patience', min: 1, max: LIMITS.maxTrials, integer: true },
    problems,
  )
  const minDelta = numberField(
    form.minDelta,
    'stopping.min_delta',
    { label: 'Minimum improvement', min: 0, max: 1 },
    problems,
  )
  const maxTrials = numberField(
    form.maxTrials,
    'budget.max_trials',
    { label: 'Trials', min: 1, max: LIMITS.maxTrials, integer: true },
    problems,
    true,
  )
  const maxCalls = numberField(
    form.maxCalls,
    'budget.max_calls',
    { label: 'Model calls', min: 1, max: 10_000_000, integer: true },
    problems,
  )
  const maxCost = numberField(
    form.maxCostUsd,
    'budget.max_cost_usd',
    { label: 'Cost', min: 0, max: 100_000, above: true },
    problems,
  )
  const wallMin = numberField(
    form.maxWallMin,
    'budget.max_wall_s',
    { label: 'Wall time (minutes)', min: LIMITS.minWallS / 60, max: LIMITS.maxWallS / 60 },
    problems,
  )
  const concurrency = numberField(
    form.concurrency,
    'concurrency',
    { label: 'Trials in parallel', min: 1, max: LIMITS.maxConcurrency, integer: true },
    problems,
  )
  const timeout = numberField(
    form.timeoutS,
    'timeout_s',
    { label: 'Timeout', min: 0, max: LIMITS.maxTimeoutS, above: true },
    problems,
  )
  if (Object.keys(problems).length > 0) return { ok: false, problems }

  const minimize: ('latency' | 'cost')[] = []
  if (form.minimizeLatency) minimize.push('latency')
  if (form.minimizeCost) minimize.push('cost')
  const payload: TunerRunCreate = {
    suite_id: form.suiteId,
    profile: form.profile,
    target: {
      provider_id: form.providerId,
      model_id: form.modelId,
      ...(form.parameterSetId ? { parameter_set_id: form.parameterSetId } : {}),
      ...(form.systemPrompt.trim() ? { system_prompt: form.systemPrompt } : {}),
    },
    space: buildSpace(form.dimensions, form.repeats),
    strategy: {
      kind: form.strategy,
      seed: seed ?? 0,
      reevaluate_duplicates: form.reevaluateDuplicates,
      ...(gridSample !== null ? { grid_sample: gridSample } : {}),
      startup_trials: startup ?? LIMITS.defaultStartup,
    },
    objective: {
      source: form.objective,
      metric: form.metric,
      minimize,
      ...(form.objective === 'judge' ? { judge_model_ref_id: form.judgeModelRefId } : {}),
    },
    stopping: { patience, min_delta: minDelta ?? 0, prune: form.prune },
    budget: {
      max_trials: maxTrials ?? LIMITS.defaultTrials,
      max_calls: maxCalls,
      max_cost_usd: maxCost,
      max_wall_s: wallMin === null ? null : Math.round(wallMin * 60),
    },
    timeout_s: timeout ?? 120,
  }
  if (form.name.trim()) payload.name = form.name.trim()
  if (form.suiteVersion !== null) payload.suite_version = form.suiteVersion
  if (form.vendorPresetId) payload.vendor_preset_id = form.vendorPresetId
  if (concurrency !== null) payload.concurrency = concurrency
  return { ok: true, payload }
}

/** Whether the objective asks for a Pareto front rather than one best point. */
export function isMultiObjective(form: Pick<TuningForm, 'minimizeLatency' | 'minimizeCost'>) {
  return form.minimizeLatency || form.minimizeCost
}
