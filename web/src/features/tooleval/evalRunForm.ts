// The eval run form's rules: its defaults (the API's), checks at each field, and the EvalCreate
// payload it sends. Empty sampling fields mean "the provider's default": nothing is sent.
import type { components } from '@/api/schema'
import { type NumberInput, numberOrNull } from '@/features/benchmarks/benchmarkForm'
import type { TargetChoice } from '@/features/benchmarks/benchmarkForm'

export type EvalCreate = components['schemas']['EvalCreate']
type EvalTargetIn = components['schemas']['EvalTargetIn']
type ProfileName = components['schemas']['ProfileName']

export const TOOL_CHOICE_MODES = ['auto', 'required', 'none'] as const

/** The API's defaults (EvalCreate), stated once for the inputs' hints. */
export const API_DEFAULTS = {
  profile: 'lenient' as ProfileName,
  timeoutS: 120,
  maxTimeoutS: 900,
  concurrency: 4,
  localConcurrency: 2,
  maxConcurrency: 64,
  maxTokens: 200_000,
  maxSystemPrompt: 100_000,
} as const

/** One model's own settings, sent on its target (EvalTargetIn): they win over the run's. */
export interface TargetOverride {
  /** The "Override for this model" switch: off sends nothing, whatever the fields hold. */
  enabled: boolean
  /** '' keeps the run's (or the suite's) system prompt. */
  systemPrompt: string
  temperature: NumberInput
  topP: NumberInput
  maxTokens: NumberInput
  seed: NumberInput
}

export function emptyOverride(): TargetOverride {
  return { enabled: false, systemPrompt: '', temperature: '', topP: '', maxTokens: '', seed: '' }
}

/** Overrides are per model: one key for a provider's model, whatever its parameter set. */
export function modelKey(target: TargetChoice): string {
  return `${target.providerId}/${target.modelId}`
}

export interface EvalRunFormState {
  /** null: the suite's current version (the API's default). */
  suiteVersion: number | null
  /** By `modelKey`; a model without an entry has no override. */
  overrides: Record<string, TargetOverride>
  profile: ProfileName
  /** '' sends no tool_choice (providers then behave as "auto"). */
  toolChoice: string
  /** '' keeps the suite's own system prompt. */
  systemPrompt: string
  temperature: NumberInput
  topP: NumberInput
  maxTokens: NumberInput
  seed: NumberInput
  concurrency: NumberInput
  timeoutS: NumberInput
}

export function defaultRunForm(): EvalRunFormState {
  return {
    suiteVersion: null,
    overrides: {},
    profile: API_DEFAULTS.profile,
    toolChoice: '',
    systemPrompt: '',
    temperature: '',
    topP: '',
    maxTokens: '',
    seed: '',
    concurrency: '',
    timeoutS: API_DEFAULTS.timeoutS,
  }
}

/** Field problems keyed as the API keys them (`temperature`, `params.top_p`, …). */
export type FormProblems = Record<string, string>

export type BuildResult = { ok: true; payload: EvalCreate } | { ok: false; problems: FormProblems }

function isInteger(value: number): boolean {
  return Number.isInteger(value)
}

/** A text the user typed that is not a number at all (a cleared field is fine). */
function notANumber(value: NumberInput): boolean {
  return typeof value === 'string' && value.trim() !== '' && numberOrNull(value) === null
}

interface NumberRule {
  field: string
  label: string
  min: number
  max?: number
  integer?: boolean
  /** Strictly above `min` (the timeout). */
  exclusiveMin?: boolean
}

function checkNumber(value: NumberInput, rule: NumberRule, problems: FormProblems): number | null {
  if (notANumber(value)) {
    problems[rule.field] = `${rule.label} must be a number.`
    return null
  }
  const parsed = numberOrNull(value)
  if (parsed === null) return null
  const range =
    rule.max === undefined
      ? `${rule.exclusiveMin ? 'above' : 'at least'} ${rule.min}`
      : `${rule.exclusiveMin ? 'above' : 'between'} ${rule.min}${rule.exclusiveMin ? ' and at most' : ' and'} ${rule.max}`
  if (rule.integer && !isInteger(parsed))
    problems[rule.field] = `${rule.label} must be a whole number.`
  else if (rule.exclusiveMin ? parsed <= rule.min : parsed < rule.min)
    problems[rule.field] = `${rule.label} must be ${range}.`
  else if (rule.max !== undefined && parsed > rule.max)
    problems[rule.field] = `${rule.label} must be ${range}.`
  return parsed
}

/** Whether `choice` is a mode or one of the suite's tools ('' = not sent). */
export function toolChoiceProblem(choice: string, toolNames: readonly string[]): string | null {
  if (choice === '' || (TOOL_CHOICE_MODES as readonly string[]).includes(choice)) return null
  if (toolNames.includes(choice)) return null
  return `"${choice}" is neither auto, required, none nor a tool of this suite.`
}

export function targetPayload(target: TargetChoice): EvalTargetIn {
  return {
    provider_id: target.providerId,
    model_id: target.modelId,
    ...(target.parameterSetId ? { parameter_set_id: target.parameterSetId } : {}),
  }
}

/** A model's override as the target's `system_prompt` and `params` (temperature and
 * max_tokens ride in params too: EvalTargetIn has no fields of its own for them, and the
 * runner lets a target's params win over the run's). Problems keyed `targets.<i>.…`. */
function overridePayload(
  override: TargetOverride | undefined,
  index: number,
  problems: FormProblems,
): Pick<EvalTargetIn, 'system_prompt' | 'params'> {
  if (!override?.enabled) return {}
  const at = `targets.${index}`
  const rules: [keyof TargetOverride, string, NumberRule][] = [
    ['temperature', 'temperature', { field: '', label: 'Temperature', min: 0, max: 2 }],
    ['topP', 'top_p', { field: '', label: 'Top-p', min: 0, max: 1 }],
    [
      'maxTokens',
      'max_tokens',
      { field: '', label: 'Max tokens', min: 1, max: API_DEFAULTS.maxTokens, integer: true },
    ],
    ['seed', 'seed', { field: '', label: 'Seed', min: 0, integer: true }],
  ]
  const params: Record<string, number> = {}
  for (const [key, name, rule] of rules) {
    const field = `${at}.params.${name}`
    const value = checkNumber(override[key] as NumberInput, { ...rule, field }, problems)
    if (value !== null) params[name] = value
  }
  const out: Pick<EvalTargetIn, 'system_prompt' | 'params'> = {}
  if (override.systemPrompt.length > API_DEFAULTS.maxSystemPrompt)
    problems[`${at}.system_prompt`] =
      `Keep the system prompt under ${API_DEFAULTS.maxSystemPrompt.toLocaleString('en')} characters.`
  else if (override.systemPrompt.trim() !== '') out.system_prompt = override.systemPrompt
  if (Object.keys(params).length > 0) out.params = params
  return out
}

/** Each distinct model of the targets once, with the index of its first target (where its
 * override's problems are keyed). */
export function overrideModels(
  targets: readonly TargetChoice[],
): { key: string; target: TargetChoice; index: number }[] {
  const seen = new Map<string, { key: string; target: TargetChoice; index: number }>()
  targets.forEach((target, index) => {
    const key = modelKey(target)
    if (!seen.has(key)) seen.set(key, { key, target, index })
  })
  return [...seen.values()]
}

/** Which version of the suite a run uses, for the select: the current one first. */
export function versionOptions(
  versions: readonly { version: number; case_count: number }[],
  current: number,
): { value: number | null; label: string }[] {
  const cases = (n: number): string => `${n} case${n === 1 ? '' : 's'}`
  const own = versions.find((v) => v.version === current)
  const older = versions
    .filter((v) => v.version !== current)
    .sort((a, b) => b.version - a.version)
    .map((v) => ({
      value: v.version,
      // No change note: the select is narrow (the Versions tab shows the notes).
      label: `Version ${v.version} · ${cases(v.case_count)}`,
    }))
  const currentLabel = `Current: version ${current}${own ? ` · ${cases(own.case_count)}` : ''}`
  return [{ value: null, label: currentLabel }, ...older]
}

/** The EvalCreate body, or each field's problem. Only what the user set is sent, apart from
 * the profile and the timeout (which always have a value). */
export function buildEvalPayload(
  form: EvalRunFormState,
  suiteId: string,
  targets: readonly TargetChoice[],
  toolNames: readonly string[],
): BuildResult {
  const problems: FormProblems = {}
  if (targets.length === 0) problems.targets = 'Pick at least one model.'
  const temperature = checkNumber(
    form.temperature,
    { field: 'temperature', label: 'Temperature', min: 0, max: 2 },
    problems,
  )
  const topP = checkNumber(
    form.topP,
    { field: 'params.top_p', label: 'Top-p', min: 0, max: 1 },
    problems,
  )
  const maxTokens = checkNumber(
    form.maxTokens,
    {
      field: 'max_tokens',
      label: 'Max tokens',
      min: 1,
      max: API_DEFAULTS.maxTokens,
      integer: true,
    },
    problems,
  )
  const seed = checkNumber(
    form.seed,
    { field: 'params.seed', label: 'Seed', min: 0, integer: true },
    problems,
  )
  const concurrency = checkNumber(
    form.concurrency,
    {
      field: 'concurrency',
      label: 'Concurrency',
      min: 1,
      max: API_DEFAULTS.maxConcurrency,
      integer: true,
    },
    problems,
  )
  let timeout = checkNumber(
    form.timeoutS,
    {
      field: 'timeout_s',
      label: 'Timeout',
      min: 0,
      max: API_DEFAULTS.maxTimeoutS,
      exclusiveMin: true,
    },
    problems,
  )
  if (timeout === null && !problems.timeout_s) timeout = API_DEFAULTS.timeoutS
  const choice = form.toolChoice.trim()
  const choiceProblem = toolChoiceProblem(choice, toolNames)
  if (choiceProblem) problems.tool_choice = choiceProblem
  if (form.systemPrompt.length > API_DEFAULTS.maxSystemPrompt)
    problems.system_prompt = `Keep the system prompt under ${API_DEFAULTS.maxSystemPrompt.toLocaleString('en')} characters.`
  // A model picked twice (two parameter sets) shares one override, checked once.
  const firstIndex = new Map(overrideModels(targets).map((m) => [m.key, m.index]))
  const targetBodies = targets.map((target, index) => {
    const key = modelKey(target)
    const own = firstIndex.get(key) === index ? problems : {}
    return { ...targetPayload(target), ...overridePayload(form.overrides[key], index, own) }
  })
  if (Object.keys(problems).length > 0) return { ok: false, problems }

  const params: Record<string, number> = {}
  if (topP !== null) params.top_p = topP
  if (seed !== null) params.seed = seed
  const payload: EvalCreate = {
    suite_id: suiteId,
    targets: targetBodies,
    profile: form.profile,
    timeout_s: timeout ?? API_DEFAULTS.timeoutS,
  }
  if (form.suiteVersion !== null) payload.suite_version = form.suiteVersion
  if (temperature !== null) payload.temperature = temperature
  if (maxTokens !== null) payload.max_tokens = maxTokens
  if (concurrency !== null) payload.concurrency = concurrency
  if (choice !== '') payload.tool_choice = choice
  if (form.systemPrompt.trim() !== '') payload.system_prompt = form.systemPrompt
  if (Object.keys(params).length > 0) payload.params = params
  return { ok: true, payload }
}

/** Which system prompt the run sends, in words, for the hint under the textarea. */
export function systemPromptNote(own: string, suitePrompt: string | null | undefined): string {
  const suiteHas = (suitePrompt ?? '').trim() !== ''
  if (own.trim() !== '')
    return suiteHas
      ? "This prompt replaces the suite's own system prompt for this run."
      : 'The suite has no system prompt; this one is sent.'
  return suiteHas
    ? "Empty: the suite's own system prompt is sent (shown as the placeholder)."
    : 'Empty: no system prompt (the suite has none).'
}

/** The form's settings that differ from the API's defaults, e.g. for a collapsed summary. */
export function changedAdvanced(form: EvalRunFormState): number {
  const defaults = defaultRunForm()
  const keys: (keyof EvalRunFormState)[] = ['topP', 'maxTokens', 'seed', 'concurrency', 'timeoutS']
  return keys.filter((key) => String(form[key] ?? '') !== String(defaults[key] ?? '')).length
}
