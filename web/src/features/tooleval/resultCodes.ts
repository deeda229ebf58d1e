// Plain-language names for the scorer's result codes (`toolcall.verdicts.ErrorCategory`) and the
// argument checks' statuses. The UI shows these words; the code itself stays available as a
// tooltip (title) for people who read the exports or the API.

const FAILURE_REASONS: Record<string, string> = {
  api_error: 'Request failed',
  bad_format: 'Calls written as text, not as tool calls',
  bad_json: 'Arguments are not valid JSON',
  unwanted_call: 'Called a tool when none was wanted',
  no_call: 'Made no tool call',
  hallucinated_tool: 'Called a tool that does not exist',
  wrong_tool: 'Called the wrong tool',
  wrong_call_count: 'Wrong number of calls',
  missing_argument: 'Left out a required argument',
  extra_argument: 'Sent an unexpected argument',
  type_error: 'Argument of the wrong type',
  wrong_argument: 'Wrong argument value',
  wrong_order: 'Calls in the wrong order',
  too_many_rounds: 'Too many rounds',
  incomplete_chain: 'Did not finish the chain of calls',
  unsourced_argument: 'Used a value no earlier result gave',
}

/** Why a case failed, in words; an unknown code reads as its words ("some_code" → "Some code"). */
export function failureReason(code: string | null | undefined): string {
  if (!code) return 'Failed'
  const known = FAILURE_REASONS[code]
  if (known) return known
  const words = code.replaceAll('_', ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** A case's result as one short phrase: "Passed", or why it failed. */
export function resultLabel(row: { passed: boolean; error_category?: string | null }): string {
  return row.passed ? 'Passed' : failureReason(row.error_category)
}

/** The code behind a result, for a tooltip (undefined when there is none to show). */
export function resultCode(row: {
  passed: boolean
  error_category?: string | null
}): string | undefined {
  return !row.passed && row.error_category ? `Result code: ${row.error_category}` : undefined
}

const ARGUMENT_STATUSES: Record<string, string> = {
  passed: 'Matches',
  failed: 'Wrong value',
  missing: 'Missing',
  omitted: 'Left out (allowed)',
  ignored: 'Not checked',
  unexpected: 'Not expected',
}

/** An argument check's status in words. */
export function argumentStatus(status: string): string {
  return ARGUMENT_STATUSES[status] ?? failureReason(status)
}

/** Every code a result may carry, for tests. */
export const KNOWN_FAILURE_CODES = Object.keys(FAILURE_REASONS)
