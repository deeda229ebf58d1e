// How the cases table shows a case: the prompt column and the expected column. Editing lives in
// caseForm.ts (controls) and caseFormCheck.ts (checks).
import type { SuiteCase } from './caseNormal'

export type { SuiteCase } from './caseNormal'

/** The text the prompt cell shows: the prompt, or the last user message of a message case. */
export function promptOf(testCase: SuiteCase): string {
  if (testCase.prompt !== null && testCase.prompt !== undefined) return testCase.prompt
  const users = (testCase.messages ?? []).filter((message) => message.role === 'user')
  return users.at(-1)?.content ?? ''
}

/** The expected column: the tools to call, or what the case wants instead. */
export function expectedSummary(
  testCase: Pick<SuiteCase, 'expected_calls' | 'should_call_tool'>,
): string {
  const names = (testCase.expected_calls ?? []).map((call) => call.name)
  if (names.length > 0) return names.join(', ')
  return testCase.should_call_tool === true ? 'any tool call' : 'no tool call'
}
