// The new-experiment form's checks and the ExperimentCreate body it sends.
import type { TargetChoice } from '@/features/benchmarks/benchmarkForm'

import type { ExperimentCreate } from './types'

type ProfileName = NonNullable<ExperimentCreate['profile']>

export const PROFILES: readonly { id: ProfileName; label: string }[] = [
  { id: 'lenient', label: 'Lenient' },
  { id: 'strict', label: 'Strict' },
  { id: 'bfcl', label: 'BFCL' },
]

/** The API's limit on an experiment's models. */
export const MAX_MODELS = 8

export interface ExperimentFormState {
  name: string
  description: string
  suiteId: string
  /** null: the suite's current version. */
  suiteVersion: number | null
  profile: ProfileName
  targets: readonly TargetChoice[]
}

export type ExperimentPayloadResult =
  { ok: true; payload: ExperimentCreate } | { ok: false; problems: Record<string, string> }

/** The body, or each field's problem keyed as the API keys it. */
export function experimentPayload(form: ExperimentFormState): ExperimentPayloadResult {
  const problems: Record<string, string> = {}
  const name = form.name.trim()
  if (!name) problems.name = 'Name the experiment.'
  else if (name.length > 200) problems.name = 'Keep the name under 200 characters.'
  if (form.description.length > 5000)
    problems.description = 'Keep the description under 5,000 characters.'
  if (!form.suiteId) problems.suite_id = 'Pick the suite the experiment measures.'
  if (form.targets.length === 0) problems.models = 'Pick at least one model.'
  else if (form.targets.length > MAX_MODELS) problems.models = `Pick at most ${MAX_MODELS} models.`
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  const payload: ExperimentCreate = {
    name,
    description: form.description.trim(),
    suite_id: form.suiteId,
    profile: form.profile,
    models: form.targets.map((t) => ({ provider_id: t.providerId, model_id: t.modelId })),
  }
  if (form.suiteVersion !== null) payload.suite_version = form.suiteVersion
  return { ok: true, payload }
}
