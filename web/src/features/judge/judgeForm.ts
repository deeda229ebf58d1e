// The two judge forms as plain state → payload: "judge this run" on the eval run page
// (JudgeCasesIn) and the judge options of the eval run form (EvalJudgeOptions). Checks happen
// here so a refused form names its fields before anything is sent.
import { BUILTIN_JUDGE_VERDICT, type VerdictPolicy } from './figures'

export type JudgeScope = 'all' | 'failed' | 'category'

export interface JudgeRunForm {
  target: string
  judgeModelRefId: string
  promptEntryId: string
  /** Empty: the latest version. */
  promptVersion: number | '' | null
  scope: JudgeScope
  category: string
  showAutomated: boolean
  budgetUsd: number | '' | null
}

export function defaultJudgeRunForm(target = ''): JudgeRunForm {
  return {
    target,
    judgeModelRefId: '',
    promptEntryId: BUILTIN_JUDGE_VERDICT,
    promptVersion: null,
    scope: 'all',
    category: '',
    showAutomated: false,
    budgetUsd: null,
  }
}

export interface JudgeCasesPayload {
  eval_run_id: string
  target: string
  scope: JudgeScope
  category: string | null
  judge_model_ref_id: string
  prompt_entry_id: string
  prompt_version: number | null
  show_automated: boolean
  budget_usd: number | null
}

export type Problems = Record<string, string>
export type Built<T> = { ok: true; payload: T } | { ok: false; problems: Problems }

function optionalNumber(value: number | '' | null | undefined): number | null {
  return value === '' || value === null || value === undefined || Number.isNaN(value)
    ? null
    : Number(value)
}

function budgetProblem(budget: number | null): string | null {
  return budget !== null && !(budget > 0) ? 'A budget is more than $0 (or empty for none).' : null
}

function versionProblem(version: number | null): string | null {
  return version !== null && !(Number.isInteger(version) && version >= 1)
    ? 'A version is a whole number from 1 (or empty for the latest).'
    : null
}

export function buildJudgeCases(form: JudgeRunForm, evalRunId: string): Built<JudgeCasesPayload> {
  const problems: Problems = {}
  const budget = optionalNumber(form.budgetUsd)
  const version = optionalNumber(form.promptVersion)
  if (!form.target) problems.target = 'Pick the model whose answers to judge.'
  if (!form.judgeModelRefId) problems.judge_model_ref_id = 'Pick a judge model.'
  if (!form.promptEntryId) problems.prompt_entry_id = 'Pick a judge prompt.'
  if (form.scope === 'category' && !form.category) problems.category = 'Pick a category.'
  const budgetError = budgetProblem(budget)
  if (budgetError) problems.budget_usd = budgetError
  const versionError = versionProblem(version)
  if (versionError) problems.prompt_version = versionError
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return {
    ok: true,
    payload: {
      eval_run_id: evalRunId,
      target: form.target,
      scope: form.scope,
      category: form.scope === 'category' ? form.category : null,
      judge_model_ref_id: form.judgeModelRefId,
      prompt_entry_id: form.promptEntryId,
      prompt_version: version,
      show_automated: form.showAutomated,
      budget_usd: budget,
    },
  }
}

/** The eval run form's judge section: off, or judge live and/or below a pass-rate threshold. */
export interface EvalJudgeForm {
  enabled: boolean
  judgeModelRefId: string
  promptEntryId: string
  promptVersion: number | '' | null
  live: boolean
  /** Pass-rate percent under which the failed cases are judged after the run. */
  autoJudgeBelow: number | '' | null
  showAutomated: boolean
  budgetUsd: number | '' | null
  verdictPolicy: VerdictPolicy
}

export function defaultEvalJudgeForm(): EvalJudgeForm {
  return {
    enabled: false,
    judgeModelRefId: '',
    promptEntryId: BUILTIN_JUDGE_VERDICT,
    promptVersion: null,
    live: true,
    autoJudgeBelow: null,
    showAutomated: false,
    budgetUsd: null,
    verdictPolicy: 'automated_final',
  }
}

export interface EvalJudgePayload {
  judge_model_ref_id: string
  prompt_entry_id: string
  prompt_version: number | null
  live: boolean
  auto_judge_below: number | null
  show_automated: boolean
  budget_usd: number | null
  verdict_policy: VerdictPolicy
}

/** null when judging is off (the run carries no judge options). */
export function buildEvalJudge(form: EvalJudgeForm): Built<EvalJudgePayload | null> {
  if (!form.enabled) return { ok: true, payload: null }
  const problems: Problems = {}
  const budget = optionalNumber(form.budgetUsd)
  const version = optionalNumber(form.promptVersion)
  const threshold = optionalNumber(form.autoJudgeBelow)
  if (!form.judgeModelRefId) problems['judge.judge_model_ref_id'] = 'Pick a judge model.'
  if (!form.live && threshold === null) {
    problems['judge.auto_judge_below'] =
      'Judge live, or set a pass rate under which the failed cases are judged.'
  }
  if (threshold !== null && !(threshold > 0 && threshold <= 100)) {
    problems['judge.auto_judge_below'] = 'A pass rate in percent, above 0 and at most 100.'
  }
  const budgetError = budgetProblem(budget)
  if (budgetError) problems['judge.budget_usd'] = budgetError
  const versionError = versionProblem(version)
  if (versionError) problems['judge.prompt_version'] = versionError
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return {
    ok: true,
    payload: {
      judge_model_ref_id: form.judgeModelRefId,
      prompt_entry_id: form.promptEntryId || BUILTIN_JUDGE_VERDICT,
      prompt_version: version,
      live: form.live,
      auto_judge_below: threshold,
      show_automated: form.showAutomated,
      budget_usd: budget,
      verdict_policy: form.verdictPolicy,
    },
  }
}
