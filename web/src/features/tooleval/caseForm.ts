// A test case as editor state and back: prompt or messages, what the model should do (these
// calls / any call / no call), each expected call's arguments with their accepted values, match
// mode and tolerances, and the multi-turn settings. `caseFromForm(caseToForm(c))` equals
// `normalCase(c)` for every valid case, so opening and saving a case never changes it.
import {
  type ArgumentExpectation,
  type ArgumentSource,
  compactArgument,
  DEFAULT_CATEGORY,
  type ExpectedCall,
  normalArgument,
  normalTool,
  type SuiteCase,
} from './caseNormal'
import type { CallOrder, MatchMode } from './matchModes'
import { type MultiTurnForm, multiTurnFromForm, multiTurnToForm } from './multiTurnForm'
import { parseValueForm, type ValueForm, valueFormOf } from './valueForm'

export type Role = 'system' | 'user' | 'assistant' | 'tool'

export interface MessageForm {
  role: Role
  content: string
}

export interface ArgumentForm {
  name: string
  match: MatchMode | ''
  omittable: boolean
  fuzzyThreshold: string
  numericTolerance: string
  /** Accepted literal values: any one passes. */
  values: ValueForm[]
  /** Structured alternatives for object / list values (nested expectations), as JSON. */
  objectsText: string
  itemListsText: string
}

export interface SourceForm {
  argument: string
  fromTool: string
  pathText: string
}

export interface CallForm {
  name: string
  args: ArgumentForm[]
  sources: SourceForm[]
}

/** calls: the listed calls; any: any tool call passes; none: the model should answer in text. */
export type Expectation = 'calls' | 'any' | 'none'

export interface CaseForm {
  id: string
  category: string
  input: 'prompt' | 'messages'
  prompt: string
  messages: MessageForm[]
  expectation: Expectation
  /** Whether `should_call_tool` is written out rather than derived from the calls. */
  explicitShouldCall: boolean
  calls: CallForm[]
  order: CallOrder
  multiTurn: MultiTurnForm | null
  /** The case's own tools as JSON (BFCL entries bring theirs); null: the suite's tools. */
  toolsText: string | null
}

// --- sourced argument paths: flights[0].id ---------------------------------------------------

const PLAIN_KEY = /^[A-Za-z_][\w-]*$/

export function pathToText(path: (string | number)[]): string {
  const plain = path.every((step) =>
    typeof step === 'number' ? Number.isInteger(step) && step >= 0 : PLAIN_KEY.test(step),
  )
  if (!plain) return JSON.stringify(path)
  return path
    .map((step, index) =>
      typeof step === 'number' ? `[${String(step)}]` : index === 0 ? step : `.${step}`,
    )
    .join('')
}

const STEP = /^(?:\.?([A-Za-z_][\w-]*)|\[(\d+)\])/

/** A path typed as `flights[0].id`, or as a JSON list for keys with other characters. */
export function pathFromText(text: string): (string | number)[] | null {
  const trimmed = text.trim()
  if (trimmed === '') return []
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      if (
        Array.isArray(parsed) &&
        parsed.every((s) => typeof s === 'string' || (typeof s === 'number' && Number.isInteger(s)))
      )
        return parsed as (string | number)[]
    } catch {
      // not JSON: read it as the dotted form below
    }
  }
  const path: (string | number)[] = []
  let rest = trimmed
  let first = true
  while (rest !== '') {
    const match = STEP.exec(rest)
    if (!match || (first && match[0].startsWith('.'))) return null
    path.push(match[1] !== undefined ? match[1] : Number(match[2]))
    rest = rest.slice(match[0].length)
    first = false
  }
  return path
}

// --- case → form -----------------------------------------------------------------------------

function jsonOrEmpty(list: unknown[]): string {
  return list.length === 0 ? '' : JSON.stringify(list, null, 2)
}

export function argumentToForm(name: string, arg: ArgumentExpectation): ArgumentForm {
  const full = normalArgument(arg)
  const compact = compactArgument(full)
  return {
    name,
    match: full.match ?? '',
    omittable: full.omittable,
    fuzzyThreshold: full.fuzzy_threshold === null ? '' : String(full.fuzzy_threshold),
    numericTolerance: full.numeric_tolerance === null ? '' : String(full.numeric_tolerance),
    values: (full.acceptable ?? []).map(valueFormOf),
    objectsText: jsonOrEmpty(compact.objects ?? []),
    itemListsText: jsonOrEmpty(compact.item_lists ?? []),
  }
}

export function callToForm(call: ExpectedCall): CallForm {
  return {
    name: call.name,
    args: Object.entries(call.arguments ?? {}).map(([name, arg]) => argumentToForm(name, arg)),
    sources: (call.sourced_arguments ?? []).map((source) => ({
      argument: source.argument,
      fromTool: source.from_tool,
      pathText: pathToText(source.path ?? []),
    })),
  }
}

export function caseToForm(testCase: SuiteCase): CaseForm {
  const calls = testCase.expected_calls ?? []
  const should = testCase.should_call_tool ?? null
  let expectation: Expectation = 'none'
  if (calls.length > 0) expectation = 'calls'
  else if (should === true) expectation = 'any'
  const usesMessages = testCase.prompt === null || testCase.prompt === undefined
  return {
    id: testCase.id,
    category: testCase.category ?? DEFAULT_CATEGORY,
    input: usesMessages ? 'messages' : 'prompt',
    prompt: testCase.prompt ?? '',
    messages: (testCase.messages ?? []).map((m) => ({ role: m.role, content: m.content })),
    expectation,
    explicitShouldCall: should !== null,
    calls: calls.map(callToForm),
    order: testCase.order ?? 'unordered',
    multiTurn: testCase.multi_turn ? multiTurnToForm(testCase.multi_turn) : null,
    toolsText: testCase.tools ? JSON.stringify(testCase.tools.map(normalTool), null, 2) : null,
  }
}

// --- form → case (call only when the form checks out; see caseFormCheck.ts) -------------------

function parsedOr<T>(text: string, fallback: T): T {
  if (text.trim() === '') return fallback
  return JSON.parse(text) as T
}

function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text)
}

export function argumentFromForm(form: ArgumentForm): ArgumentExpectation {
  return normalArgument({
    acceptable: form.values.map((value) => {
      const parsed = parseValueForm(value)
      return parsed.ok ? parsed.value : null
    }),
    objects: parsedOr(form.objectsText, []),
    item_lists: parsedOr(form.itemListsText, []),
    omittable: form.omittable,
    match: form.match === '' ? null : form.match,
    fuzzy_threshold: numberOrNull(form.fuzzyThreshold),
    numeric_tolerance: numberOrNull(form.numericTolerance),
  })
}

export function callFromForm(form: CallForm): ExpectedCall {
  return {
    name: form.name,
    arguments: Object.fromEntries(form.args.map((arg) => [arg.name, argumentFromForm(arg)])),
    sourced_arguments: form.sources.map((source): ArgumentSource => ({
      argument: source.argument,
      from_tool: source.fromTool,
      path: pathFromText(source.pathText) ?? [],
    })),
  }
}

function shouldCallTool(form: CaseForm): boolean | null {
  if (form.expectation === 'any') return true
  if (!form.explicitShouldCall) return null
  return form.expectation === 'calls'
}

export function caseFromForm(form: CaseForm): SuiteCase {
  const calls = form.expectation === 'calls' ? form.calls.map(callFromForm) : []
  return {
    id: form.id,
    category: form.category,
    prompt: form.input === 'prompt' ? form.prompt : null,
    messages: form.input === 'messages' ? form.messages.map((m) => ({ ...m })) : null,
    tools: form.toolsText === null ? null : parsedOr(form.toolsText, []),
    expected_calls: calls,
    order: form.order,
    should_call_tool: shouldCallTool(form),
    multi_turn: form.multiTurn ? multiTurnFromForm(form.multiTurn) : null,
  }
}

// --- new things --------------------------------------------------------------------------------

export function blankArgument(name: string, value: ValueForm | null): ArgumentForm {
  return {
    name,
    match: '',
    omittable: false,
    fuzzyThreshold: '',
    numericTolerance: '',
    values: value ? [value] : [],
    objectsText: '',
    itemListsText: '',
  }
}

/** A new case: an unused id, the most common category, a prompt, no expected call yet. */
export function blankCaseForm(cases: Pick<SuiteCase, 'id' | 'category'>[]): CaseForm {
  const ids = new Set(cases.map((c) => c.id))
  let number = cases.length + 1
  while (ids.has(`case-${String(number)}`)) number += 1
  const counts = new Map<string, number>()
  for (const c of cases) counts.set(c.category, (counts.get(c.category) ?? 0) + 1)
  const category = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'simple'
  return {
    id: `case-${String(number)}`,
    category,
    input: 'prompt',
    prompt: '',
    messages: [],
    expectation: 'calls',
    explicitShouldCall: false,
    calls: [],
    order: 'unordered',
    multiTurn: null,
    toolsText: null,
  }
}
