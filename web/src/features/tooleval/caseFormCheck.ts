// The case editor's checks, the same rules the server's Pydantic models apply (plus a few that
// save a user from a case nothing can pass), keyed by the control they belong to. Server 422s
// are mapped onto the same keys, so either kind of problem shows next to its control.
import type { ArgumentForm, CallForm, CaseForm } from './caseForm'
import { pathFromText } from './caseForm'
import { matchModeInfo } from './matchModes'
import type { MultiTurnForm } from './multiTurnForm'
import { parseJson, parseValueForm } from './valueForm'

/** Control key → message, e.g. `calls.0.args.1.fuzzyThreshold`. */
export type FormErrors = Record<string, string>

export const CASE_ID = /^\S{1,200}$/
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

export interface CheckContext {
  /** The tools an expected call may name (the case's own, else the suite's). */
  toolNames: string[]
  /** The other cases' ids (ids are unique within a suite). */
  otherIds: string[]
}

function numberIn(text: string, min: number, max: number | null): boolean {
  const number = Number(text.trim())
  return (
    text.trim() !== '' &&
    Number.isFinite(number) &&
    number >= min &&
    (max === null || number <= max)
  )
}

function checkArgument(arg: ArgumentForm, at: string, errors: FormErrors): void {
  if (arg.name.trim() === '') errors[`${at}.name`] = 'Give the argument a name.'
  arg.values.forEach((value, index) => {
    const parsed = parseValueForm(value)
    if (!parsed.ok) errors[`${at}.values.${String(index)}`] = parsed.problem
  })
  for (const field of ['objectsText', 'itemListsText'] as const) {
    if (arg[field].trim() === '') continue
    const parsed = parseJson(arg[field], 'a list')
    if (!parsed.ok) errors[`${at}.${field}`] = parsed.problem
    else if (!Array.isArray(parsed.value)) errors[`${at}.${field}`] = 'Enter a JSON list ([…]).'
  }
  if (arg.fuzzyThreshold.trim() !== '' && !numberIn(arg.fuzzyThreshold, 0, 1))
    errors[`${at}.fuzzyThreshold`] = 'Enter a similarity between 0 and 1, e.g. 0.85.'
  if (arg.numericTolerance.trim() !== '' && !numberIn(arg.numericTolerance, 0, null))
    errors[`${at}.numericTolerance`] = 'Enter a tolerance of 0 or more, e.g. 0.01.'
  const alternatives =
    arg.values.length +
    (arg.objectsText.trim() === '' ? 0 : 1) +
    (arg.itemListsText.trim() === '' ? 0 : 1)
  if (matchModeInfo(arg.match).comparesValues && alternatives === 0 && !arg.omittable)
    errors[`${at}.values`] =
      'Add an accepted value, or choose “Present” or “Ignore”: with none, nothing passes.'
}

function checkCall(call: CallForm, at: string, context: CheckContext, errors: FormErrors): void {
  if (call.name === '') errors[`${at}.name`] = 'Pick the tool the model should call.'
  else if (context.toolNames.length > 0 && !context.toolNames.includes(call.name))
    errors[`${at}.name`] = `There is no tool “${call.name}” for this case.`
  const seen = new Set<string>()
  call.args.forEach((arg, index) => {
    checkArgument(arg, `${at}.args.${String(index)}`, errors)
    if (seen.has(arg.name))
      errors[`${at}.args.${String(index)}.name`] = `“${arg.name}” is listed twice.`
    seen.add(arg.name)
  })
  call.sources.forEach((source, index) => {
    const where = `${at}.sources.${String(index)}`
    if (source.argument.trim() === '') errors[`${where}.argument`] = 'Name the argument.'
    if (source.fromTool.trim() === '')
      errors[`${where}.fromTool`] = 'Pick the tool whose result it comes from.'
    if (pathFromText(source.pathText) === null)
      errors[`${where}.pathText`] = 'Write the path like flights[0].id.'
  })
}

export function checkMultiTurn(form: MultiTurnForm, errors: FormErrors): void {
  const rounds = form.maxRounds.trim()
  if (!/^\d+$/.test(rounds) || !numberIn(rounds, 1, 100))
    errors['multiTurn.maxRounds'] = 'Enter a whole number of rounds from 1 to 100.'
  const hops = form.optimalHops.trim()
  if (hops !== '' && (!/^\d+$/.test(hops) || Number(hops) < 1))
    errors['multiTurn.optimalHops'] = 'Enter a whole number of calls, 1 or more (or leave empty).'
  form.mocks.forEach((mock, index) => {
    const at = `multiTurn.mocks.${String(index)}`
    if (mock.tool.trim() === '') errors[`${at}.tool`] = 'Pick the tool this response answers.'
    const names = new Set<string>()
    mock.when.forEach((entry, position) => {
      const where = `${at}.when.${String(position)}`
      if (entry.name.trim() === '') errors[`${where}.name`] = 'Name the argument.'
      else if (names.has(entry.name)) errors[`${where}.name`] = `“${entry.name}” is listed twice.`
      names.add(entry.name)
      const parsed = parseValueForm(entry.value)
      if (!parsed.ok) errors[`${where}.value`] = parsed.problem
    })
    const result = parseJson(mock.resultText, 'the tool result')
    if (!result.ok) errors[`${at}.resultText`] = result.problem
  })
  const fallback = parseJson(form.defaultResponseText, 'the default result')
  if (!fallback.ok) errors['multiTurn.defaultResponseText'] = fallback.problem
}

function checkTools(text: string, errors: FormErrors): void {
  const parsed = parseJson(text, 'the tools')
  if (!parsed.ok) {
    errors.toolsText = parsed.problem
    return
  }
  if (!Array.isArray(parsed.value)) {
    errors.toolsText = 'Enter the tools as a JSON list.'
    return
  }
  for (const [index, tool] of (parsed.value as unknown[]).entries()) {
    const name = (tool as { function?: { name?: unknown } } | null)?.function?.name
    if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
      errors.toolsText = `Tool ${String(index + 1)} needs a function name of letters, digits, _ or - (at most 64).`
      return
    }
  }
}

export function checkCaseForm(form: CaseForm, context: CheckContext): FormErrors {
  const errors: FormErrors = {}
  if (!CASE_ID.test(form.id)) errors.id = 'The case id needs 1–200 characters and no spaces.'
  else if (context.otherIds.includes(form.id))
    errors.id = `Another case is already called “${form.id}”.`
  if (form.category.trim() === '') errors.category = 'Give the case a category (e.g. simple).'
  if (form.input === 'prompt' && form.prompt.trim() === '')
    errors.prompt = 'Write the prompt the model gets.'
  if (form.input === 'messages') {
    if (form.messages.length === 0) errors.messages = 'Add at least one message.'
    else if (!form.messages.some((m) => m.role === 'user'))
      errors.messages = 'Add a user message: it is what the model answers.'
  }
  if (form.expectation === 'calls') {
    if (form.calls.length === 0)
      errors.calls = 'Add the call the model should make, or choose “No tool call”.'
    form.calls.forEach((call, index) => {
      checkCall(call, `calls.${String(index)}`, context, errors)
    })
  }
  if (form.multiTurn) checkMultiTurn(form.multiTurn, errors)
  if (form.toolsText !== null) checkTools(form.toolsText, errors)
  return errors
}

// --- server problems → controls -------------------------------------------------------------

const CASE_FIELDS: Record<string, string> = {
  id: 'id',
  category: 'category',
  prompt: 'prompt',
  messages: 'messages',
  tools: 'toolsText',
  order: 'order',
  expected_calls: 'calls',
}
const ARG_FIELDS: Record<string, string> = {
  fuzzy_threshold: 'fuzzyThreshold',
  numeric_tolerance: 'numericTolerance',
  acceptable: 'values',
  objects: 'objectsText',
  item_lists: 'itemListsText',
  match: 'match',
}
const MULTI_FIELDS: Record<string, string> = {
  max_rounds: 'maxRounds',
  optimal_hops: 'optimalHops',
  default_response: 'defaultResponseText',
}

/** The control a server problem belongs to. `field` is the dotted location below the case
 * (e.g. `expected_calls.0.arguments.city.fuzzy_threshold`); '' for the whole case. */
export function controlOfServerField(field: string, form: CaseForm): string {
  const parts = field.split('.').filter((p) => p !== '')
  const [head, ...rest] = parts
  if (head === undefined) return ''
  if (head === 'expected_calls' && rest[0] !== undefined) {
    const call = `calls.${rest[0]}`
    if (rest[1] === 'arguments' && rest[2] !== undefined) {
      const args = form.calls[Number(rest[0])]?.args ?? []
      const index = args.findIndex((arg) => arg.name === rest[2])
      if (index < 0) return call
      const sub = rest[3] !== undefined ? ARG_FIELDS[rest[3]] : undefined
      return `${call}.args.${String(index)}${sub ? `.${sub}` : ''}`
    }
    if (rest[1] === 'name') return `${call}.name`
    return call
  }
  if (head === 'multi_turn') {
    if (rest[0] === 'mock_responses' && rest[1] !== undefined) {
      const at = `multiTurn.mocks.${rest[1]}`
      if (rest[2] === 'result') return `${at}.resultText`
      if (rest[2] === 'tool') return `${at}.tool`
      return at
    }
    const sub = rest[0] !== undefined ? MULTI_FIELDS[rest[0]] : undefined
    return sub ? `multiTurn.${sub}` : 'multiTurn'
  }
  return CASE_FIELDS[head] ?? ''
}

/** Server field problems (`cases.3.expected_calls…` → message) for the case at `index`. */
export function serverErrorsForCase(
  fieldErrors: Record<string, string>,
  index: number,
  form: CaseForm,
): { errors: FormErrors; general: string[] } {
  const errors: FormErrors = {}
  const general: string[] = []
  const prefix = `cases.${String(index)}`
  for (const [field, message] of Object.entries(fieldErrors)) {
    if (field !== prefix && !field.startsWith(`${prefix}.`)) continue
    const control = controlOfServerField(field.slice(prefix.length + 1), form)
    if (control === '') general.push(message)
    else errors[control] ??= message
  }
  return { errors, general }
}
