// Cases an MCP import drafted with `<your value>` where it knew no example value. Running them
// sends the placeholder to the model, so the run form warns first. The server applies the same
// rule (evals/runs/domain/placeholders.py) and names such cases in the submit's `warnings`.
import type { components } from '@/api/schema'

/** The parts of a case the rule reads. */
type SuiteCase = Pick<components['schemas']['TestCase-Output'], 'id' | 'prompt' | 'messages'>

export const PLACEHOLDER = '<your value>'

export function holdsPlaceholder(testCase: SuiteCase): boolean {
  const texts = [testCase.prompt ?? '', ...(testCase.messages ?? []).map((m) => m.content)]
  return texts.some((text) => text.includes(PLACEHOLDER))
}

/** Ids of the cases still holding the placeholder, in suite order. */
export function placeholderCaseIds(cases: readonly SuiteCase[]): string[] {
  return cases.filter(holdsPlaceholder).map((c) => c.id)
}

/** The server's wording: "2 cases still hold <your value> placeholders: a, b." */
export function placeholderMessage(ids: readonly string[]): string {
  const count = ids.length
  const shown = ids.slice(0, 5).join(', ') + (count > 5 ? ` and ${count - 5} more` : '')
  const cases = count === 1 ? 'case still holds' : 'cases still hold'
  return `${count} ${cases} ${PLACEHOLDER} placeholders: ${shown}.`
}
