// The eval run form's experiment: what choosing one up front sets (its version, profile and
// models) and whether the run as configured lands on the experiment's scale.
import type { TargetChoice } from '@/features/benchmarks/benchmarkForm'
import type { EvalRunFormState } from '@/features/tooleval/evalRunForm'

import type { ExperimentOut } from './types'

export type ExperimentChoice = Pick<
  ExperimentOut,
  'id' | 'name' | 'suite_id' | 'suite_version' | 'profile' | 'models' | 'archived'
>

export interface ExperimentPrefill {
  /** null: the suite's current version (the form's "current" choice). */
  suiteVersion: number | null
  profile: EvalRunFormState['profile']
  targets: TargetChoice[]
}

const PROFILES: readonly string[] = ['lenient', 'strict', 'bfcl']

export function experimentPrefill(
  experiment: ExperimentChoice,
  currentVersion: number,
): ExperimentPrefill {
  return {
    suiteVersion: experiment.suite_version === currentVersion ? null : experiment.suite_version,
    profile: (PROFILES.includes(experiment.profile)
      ? experiment.profile
      : 'lenient') as EvalRunFormState['profile'],
    targets: experiment.models.map((m) => ({ providerId: m.provider_id, modelId: m.model_id })),
  }
}

export interface ScaleNote {
  /** The select's hint. */
  text: string | undefined
  offScale: boolean
  /** Why the run would be shown apart, when it would. */
  warning: string
}

/** Whether a run with these settings counts on the experiment's scale, in words. */
export function experimentScaleNote(
  experiment: ExperimentChoice | null,
  form: Pick<EvalRunFormState, 'suiteVersion' | 'profile'>,
  currentVersion: number,
): ScaleNote {
  if (!experiment)
    return {
      text: 'File the run under an experiment to compare it with its baseline and best.',
      offScale: false,
      warning: '',
    }
  const version = form.suiteVersion ?? currentVersion
  const problems: string[] = []
  if (version !== experiment.suite_version)
    problems.push(
      `suite version ${version} (the experiment uses version ${experiment.suite_version})`,
    )
  if (form.profile !== experiment.profile)
    problems.push(`the ${form.profile} profile (the experiment scores with ${experiment.profile})`)
  if (problems.length === 0)
    return {
      text: 'Its scores count towards the experiment’s baseline and best.',
      offScale: false,
      warning: '',
    }
  return {
    text: undefined,
    offScale: true,
    warning: `This run uses ${problems.join(' and ')}: it will be filed but shown apart as off scale, never as the baseline or the best.`,
  }
}
