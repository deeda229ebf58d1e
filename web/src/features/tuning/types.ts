// The tuner's API shapes (src/benchstudio/tuning/schemas), as the web app uses them.
import type { components } from '@/api/schema'

export type ChoiceValue = string | number | boolean | Record<string, unknown> | unknown[]

export interface ConditionIn {
  param?: string | null
  values?: ChoiceValue[]
  model_pattern?: string | null
}

export interface RangeDimensionIn {
  kind: 'range'
  name: string
  low: number
  high: number
  step?: number | null
  scale?: 'linear' | 'log'
  integer?: boolean
  condition?: ConditionIn | null
}

export interface ChoiceDimensionIn {
  kind: 'choice'
  name: string
  choices: ChoiceValue[]
  condition?: ConditionIn | null
}

export type DimensionIn = RangeDimensionIn | ChoiceDimensionIn

export interface SearchSpaceIn {
  dimensions: DimensionIn[]
  repeats?: number
}

/** A dimension as the server reports it (vendor presets, the validated space). */
export interface DimensionOut {
  kind: 'range' | 'choice'
  name: string
  low?: number | null
  high?: number | null
  step?: number | null
  scale?: 'linear' | 'log' | null
  integer?: boolean | null
  choices?: unknown[] | null
  condition?: { param: string | null; values: unknown[]; model_pattern: string | null } | null
}

export type SpaceAction = 'drop' | 'clamp' | 'drop_choice' | 'inactive' | 'rename' | 'warn'

export interface SpaceAdjustment {
  param: string
  action: SpaceAction
  reason: string
  original?: unknown
  value?: unknown
}

export interface ValidatedSpace {
  provider: string
  model: string
  dimensions: DimensionOut[]
  repeats: number
  adjustments: SpaceAdjustment[]
  grid_size?: number | null
}

export interface VendorPreset {
  id: string
  family: string
  label: string
  source: string
  applies_to: string
  recommended: Record<string, unknown>
  dimensions: DimensionOut[]
  notes: string
}

export interface SpacePreset {
  id: string
  name: string
  description: string
  space: Record<string, unknown>
  created_at: string
  updated_at: string
}

export type StrategyKind = 'grid' | 'random' | 'tpe'
export type ToolMetric =
  'pass_rate' | 'tool_selection_f1' | 'argument_accuracy' | 'schema_valid_rate'
export type ProfileName = components['schemas']['ProfileName']
export type EvalTargetIn = components['schemas']['EvalTargetIn']

export interface TunerRunCreate {
  name?: string | null
  suite_id: string
  suite_version?: number | null
  profile?: ProfileName
  target: EvalTargetIn
  space: SearchSpaceIn
  vendor_preset_id?: string | null
  strategy?: {
    kind?: StrategyKind
    seed?: number
    grid_sample?: number | null
    startup_trials?: number
    reevaluate_duplicates?: boolean
  }
  objective?: {
    source?: 'tool_eval' | 'judge'
    metric?: ToolMetric
    minimize?: ('latency' | 'cost')[]
    judge_model_ref_id?: string | null
  }
  stopping?: { patience?: number | null; min_delta?: number; prune?: boolean }
  budget?: {
    max_trials?: number
    max_calls?: number | null
    max_cost_usd?: number | null
    max_wall_s?: number | null
  }
  concurrency?: number | null
  timeout_s?: number
  experiment_id?: string | null
}

export interface TunerEstimate {
  space: ValidatedSpace
  cases: number
  repeats: number
  baselines: { kind: string; label: string; point: Record<string, unknown> }[]
  planned_trials: number
  calls_per_trial: number
  max_calls: number
  cost_per_trial_usd: number | null
  max_cost_usd: number | null
  seconds_per_trial: number | null
  max_wall_s: number | null
  concurrency: number
  limiting: string
  warnings: string[]
}

export type TunerStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'

export interface TunerRun {
  id: string
  name: string
  status: TunerStatus
  job_id: string | null
  suite_id: string
  suite_name: string
  suite_version: number
  profile: string
  target: Record<string, unknown>
  budget: Record<string, unknown>
  estimate: Record<string, unknown>
  trials_done: number
  calls_used: number
  cost_usd: number
  merged_points: number
  stop_reason: string | null
  error: string | null
  best_score?: number | null
  created_at: string
}

export interface TunerRunPage {
  items: TunerRun[]
  total: number
  limit: number
  offset: number
}
