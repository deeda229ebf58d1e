// The tuner run API's shapes as the results page reads them (src/benchstudio/tuning/schemas/
// runs.py: TunerRunDetail with its run, trials and results).
import type { components } from '@/api/schema'

export type TrialKind = 'baseline_default' | 'baseline_preset' | 'search'
export type TrialState = 'running' | 'complete' | 'pruned' | 'failed'
export type TunerStatus =
  'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted'

export interface Interval {
  low: number
  high: number
}

export interface Trial {
  id: string
  number: number
  kind: TrialKind
  state: TrialState
  point: Record<string, unknown>
  effective: Record<string, unknown>
  eval_run_id: string | null
  score: number | null
  score_ci95: Interval | null
  repeat_scores: number[]
  values: number[]
  partial: number | null
  cases: number
  calls: number
  latency_p50_ms: number | null
  cost_usd: number
  error: string | null
  pareto?: boolean
  started_at: string
  finished_at: string | null
}

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
  space: Record<string, unknown>
  validated_space: Record<string, unknown>
  strategy: Record<string, unknown>
  objective: Record<string, unknown>
  stopping: Record<string, unknown>
  budget: Record<string, unknown>
  vendor_preset_id: string | null
  concurrency: number
  estimate: Record<string, unknown>
  trials_done: number
  calls_used: number
  cost_usd: number
  merged_points: number
  stop_reason: string | null
  error: string | null
  experiment_id: string | null
  best_score?: number | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export interface BaselineComparison {
  baseline_trial_id: string
  baseline_kind: TrialKind
  baseline_score: number
  difference: number
  difference_ci95: Interval | null
  p_value: number | null
  significant: boolean
  summary: string
}

export interface Importance {
  param: string
  importance: number
}

export interface TunerResults {
  best_trial_id: string | null
  best_score: number | null
  best_score_ci95: Interval | null
  best_point: Record<string, unknown> | null
  best_effective: Record<string, unknown> | null
  baselines: BaselineComparison[]
  pareto_trial_ids: string[]
  objectives: string[]
  importance: Importance[]
  importance_note?: string | null
}

export interface TunerRunDetail {
  run: TunerRun
  trials: Trial[]
  results: TunerResults
}

export type ApplyBestIn = components['schemas']['ApplyBestIn']
export type ApplyBestOut = components['schemas']['ApplyBestOut']
