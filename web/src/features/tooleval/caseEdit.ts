// Inline editing of a suite's test cases: a draft per edited row (prompt, expected calls as
// JSON, category), checked before it is saved, and applied to the case without touching the
// fields the table does not show (order, multi-turn settings, per-case tools…).
import type { components } from '@/api/schema'

export type SuiteCase = components['schemas']['TestCase-Output']
type ExpectedCall = components['schemas']['ExpectedCall-Output']

export interface CaseDraft {
  id: string
  prompt: string
  expectedText: string
  category: string
}

export type DraftCheck =
  | { ok: true; calls: ExpectedCall[]; problem: null; field: null }
  | { ok: false; calls: null; problem: string; field: keyof CaseDraft }

export const CASE_ID = /^\S{1,200}$/

/** The text the prompt cell edits: the prompt, or the last user message of a message case. */
export function promptOf(testCase: SuiteCase): string {
  if (testCase.prompt !== null && testCase.prompt !== undefined) return testCase.prompt
  const users = (testCase.messages ?? []).filter((message) => message.role === 'user')
  return users.at(-1)?.content ?? ''
}

export function draftOf(testCase: SuiteCase): CaseDraft {
  return {
    id: testCase.id,
    prompt: promptOf(testCase),
    expectedText: JSON.stringify(testCase.expected_calls ?? [], null, 2),
    category: testCase.category,
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The first problem of a draft; `toolNames` are the suite's tools (calls must name one). */
export function checkDraft(
  draft: CaseDraft,
  toolNames: string[],
  otherIds: string[] = [],
): DraftCheck {
  const fail = (field: keyof CaseDraft, problem: string): DraftCheck => ({
    ok: false,
    calls: null,
    problem,
    field,
  })
  if (!CASE_ID.test(draft.id))
    return fail('id', 'The case id needs 1–200 characters and no spaces.')
  if (otherIds.includes(draft.id))
    return fail('id', `Another case is already called “${draft.id}”.`)
  if (draft.prompt.trim() === '') return fail('prompt', 'Write the prompt the model gets.')
  if (draft.category.trim() === '')
    return fail('category', 'Give the case a category (e.g. simple).')
  let parsed: unknown
  try {
    parsed = JSON.parse(draft.expectedText.trim() === '' ? '[]' : draft.expectedText)
  } catch (error) {
    return fail('expectedText', `Expected calls are not valid JSON: ${(error as Error).message}`)
  }
  if (!Array.isArray(parsed))
    return fail('expectedText', 'Expected calls must be a JSON array ([] for “no tool call”).')
  for (const [index, call] of parsed.entries()) {
    const where = `Expected call ${index + 1}`
    if (!isRecord(call) || typeof call.name !== 'string')
      return fail('expectedText', `${where} needs a "name".`)
    if (toolNames.length > 0 && !toolNames.includes(call.name))
      return fail('expectedText', `${where}: the suite has no tool “${call.name}”.`)
    if (call.arguments !== undefined && !isRecord(call.arguments))
      return fail('expectedText', `${where}: "arguments" must be an object.`)
  }
  return { ok: true, calls: parsed as ExpectedCall[], problem: null, field: null }
}

/** The case with the draft applied: a message case keeps its messages, with the last user
 * message's text replaced. Expected calls lift an irrelevance mark (the API refuses both). */
export function applyDraft(
  testCase: SuiteCase,
  draft: CaseDraft,
  calls: ExpectedCall[],
): SuiteCase {
  const updated: SuiteCase = {
    ...testCase,
    id: draft.id,
    category: draft.category.trim(),
    expected_calls: calls,
  }
  if (testCase.messages && (testCase.prompt === null || testCase.prompt === undefined)) {
    const lastUser = testCase.messages.map((m) => m.role).lastIndexOf('user')
    updated.messages = testCase.messages.map((message, index) =>
      index === lastUser ? { ...message, content: draft.prompt } : message,
    )
  } else {
    updated.prompt = draft.prompt
  }
  if (calls.length > 0 && testCase.should_call_tool === false) updated.should_call_tool = null
  return updated
}

/** A new case's draft: an unused id, the most common category, no expected call yet. */
export function newDraft(cases: SuiteCase[]): CaseDraft {
  const ids = new Set(cases.map((c) => c.id))
  let number = cases.length + 1
  while (ids.has(`case-${number}`)) number += 1
  const counts = new Map<string, number>()
  for (const c of cases) counts.set(c.category, (counts.get(c.category) ?? 0) + 1)
  const category = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'simple'
  return { id: `case-${number}`, prompt: '', expectedText: '[]', category }
}

/** The new case from its draft (prompt based; ids and calls already checked). No expected
 * call means the model should answer without one (`should_call_tool` derived). */
export function caseFromDraft(draft: CaseDraft, calls: ExpectedCall[]): SuiteCase {
  return {
    id: draft.id,
    category: draft.category.trim(),
    prompt: draft.prompt,
    expected_calls: calls,
    order: 'unordered',
  }
}

/** What a keystroke in an inline editor means: Enter saves (Shift+Enter is a new line),
 * Escape cancels. IME composition is left alone. */
export function editKeyAction(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'isComposing'>,
): 'save' | 'cancel' | null {
  if (event.isComposing) return null
  if (event.key === 'Escape') return 'cancel'
  if (event.key === 'Enter' && !event.shiftKey) return 'save'
  return null
}

/** The expected column: the tools to call, or what the case wants instead. */
export function expectedSummary(
  testCase: Pick<SuiteCase, 'expected_calls' | 'should_call_tool'>,
): string {
  const names = (testCase.expected_calls ?? []).map((call) => call.name)
  if (names.length > 0) return names.join(', ')
  return testCase.should_call_tool === true ? 'any tool call' : 'no tool call'
}
