// The setup a tuner run ran with, in words: each dimension of the space as validated for the
// model, the registry's adjustments, the strategy, the objective and the budgets. The run
// stores these as JSON objects; anything missing or odd is left out rather than guessed.
import { formatCost, formatParam } from './results'
import type { TunerRun } from './resultsTypes'

type Json = Record<string, unknown>

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {}
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : []
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

export interface DimensionLine {
  name: string
  text: string
}

/** "0 to 1.2, step 0.1", "1e-3 to 1 (log)", "one of: low, high"; "only when mode is a". */
export function describeDimension(dimension: Json): DimensionLine {
  const name = str(dimension.name) ?? '?'
  let text: string
  if (dimension.kind === 'choice') {
    const choices = Array.isArray(dimension.choices) ? dimension.choices : []
    text = `one of ${choices.map(formatParam).join(', ')}`
  } else {
    const parts = [`${formatParam(num(dimension.low))} to ${formatParam(num(dimension.high))}`]
    const step = num(dimension.step)
    if (step !== null) parts.push(`step ${formatParam(step)}`)
    if (dimension.scale === 'log') parts.push('log scale')
    if (dimension.integer === true) parts.push('integers')
    text = parts.join(', ')
  }
  const condition = obj(dimension.condition)
  const when: string[] = []
  const param = str(condition.param)
  if (param && Array.isArray(condition.values)) {
    when.push(`${param} is ${condition.values.map(formatParam).join(' or ')}`)
  }
  const pattern = str(condition.model_pattern)
  if (pattern) when.push(`the model matches ${pattern}`)
  if (when.length > 0) text += `; only when ${when.join(' and ')}`
  return { name, text }
}

export interface AdjustmentLine {
  param: string
  action: string
  reason: string
}

export interface SetupSummary {
  dimensions: DimensionLine[]
  adjustments: AdjustmentLine[]
  repeats: number
  gridSize: number | null
  strategy: string
  objective: string
  stopping: string[]
  budgets: string[]
  mergedPoints: number
  concurrency: number
}

const STRATEGIES: Record<string, string> = {
  grid: 'Grid search',
  random: 'Random search',
  tpe: 'TPE (Bayesian optimisation)',
}

function strategyText(strategy: Json): string {
  const kind = str(strategy.kind) ?? 'tpe'
  const parts = [STRATEGIES[kind] ?? kind]
  const sample = num(strategy.grid_sample)
  if (kind === 'grid' && sample !== null) parts.push(`sampling ${sample} points`)
  if (kind === 'tpe' && num(strategy.startup_trials) !== null)
    parts.push(`${num(strategy.startup_trials)} random trials first`)
  if (num(strategy.seed) !== null) parts.push(`seed ${num(strategy.seed)}`)
  if (strategy.reevaluate_duplicates === true) parts.push('duplicates evaluated again')
  return parts.join(', ')
}

function objectiveText(objective: Json): string {
  const source = str(objective.source) ?? 'tool_eval'
  const metric = str(objective.metric) ?? 'pass_rate'
  const main =
    source === 'judge' ? 'Maximise the judge score' : `Maximise ${metric.replace(/_/g, ' ')}`
  const minimize = Array.isArray(objective.minimize)
    ? objective.minimize.filter((m): m is string => typeof m === 'string')
    : []
  return minimize.length > 0 ? `${main}; minimise ${minimize.join(' and ')} (Pareto)` : main
}

function stoppingLines(stopping: Json): string[] {
  const lines: string[] = []
  const patience = num(stopping.patience)
  if (patience !== null) {
    const delta = num(stopping.min_delta) ?? 0
    lines.push(
      `Stop after ${patience} trials without an improvement${delta > 0 ? ` above ${(100 * delta).toFixed(1)} pts` : ''}`,
    )
  }
  lines.push(stopping.prune === false ? 'No pruning' : 'Prune trials that cannot beat the best')
  return lines
}

function budgetLines(budget: Json): string[] {
  const lines: string[] = []
  const trials = num(budget.max_trials)
  if (trials !== null) lines.push(`${trials} trials (baselines count)`)
  const calls = num(budget.max_calls)
  if (calls !== null) lines.push(`${calls.toLocaleString()} model calls`)
  const cost = num(budget.max_cost_usd)
  if (cost !== null) lines.push(`${formatCost(cost)} cost`)
  const wall = num(budget.max_wall_s)
  if (wall !== null) lines.push(`${Math.round(wall / 60)} min wall time`)
  return lines
}

export function setupSummary(run: TunerRun): SetupSummary {
  const validated = obj(run.validated_space)
  const space = obj(run.space)
  const dimensions = list(validated.dimensions ?? space.dimensions).map(describeDimension)
  const adjustments = list(validated.adjustments).map((a) => ({
    param: str(a.param) ?? '?',
    action: str(a.action) ?? '',
    reason: str(a.reason) ?? '',
  }))
  return {
    dimensions,
    adjustments,
    repeats: num(validated.repeats) ?? num(space.repeats) ?? 1,
    gridSize: num(validated.grid_size),
    strategy: strategyText(obj(run.strategy)),
    objective: objectiveText(obj(run.objective)),
    stopping: stoppingLines(obj(run.stopping)),
    budgets: budgetLines(obj(run.budget)),
    mergedPoints: run.merged_points,
    concurrency: run.concurrency,
  }
}

/** The target model's name for the header: "model on provider". */
export function targetText(target: Record<string, unknown>): string {
  const model = str(target.display_name) ?? str(target.model_id) ?? str(target.model) ?? 'model'
  const provider = str(target.provider_name)
  return provider ? `${model} on ${provider}` : model
}
