// Readable sentences for the drill-down: why one argument passed or failed, and the model's calls
// with their argument text parsed (the API keeps it as the exact JSON text the model wrote).
import type { CaseDetail } from '@/stores/evals'

type ArgumentCheck = CaseDetail['argument_checks'][number]['arguments'][number]

export function shortJson(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value)
}

function accepted(expected: unknown[]): string {
  if (expected.length === 0) return 'no value is listed as acceptable'
  return `accepted: ${expected.map(shortJson).join(' or ')}`
}

/** The matcher's own detail when it says more than "no match". */
function matcherDetail(arg: ArgumentCheck): string {
  const detail = arg.detail.trim()
  return detail === '' || /: no match$/.test(detail) ? '' : ` (${detail})`
}

export function argumentReason(arg: ArgumentCheck): string {
  switch (arg.status) {
    case 'passed':
      return `Matches: ${shortJson(arg.actual)}${matcherDetail(arg)}.`
    case 'failed':
      return `Sent ${shortJson(arg.actual)}, but ${accepted(arg.expected)}${matcherDetail(arg)}.`
    case 'missing':
      return `Not sent, but the case requires it (${accepted(arg.expected)}).`
    case 'omitted':
      return 'Not sent; the case allows leaving it out.'
    case 'ignored':
      return 'Not checked: the case ignores this argument.'
    case 'unexpected':
      return `Sent, but the case does not expect it${arg.detail.includes('allows') ? '; this profile allows it when the schema does' : ''}.`
  }
}

/** Calls as the drill-down shows them: arguments as JSON values when the text parses. */
export function readableCalls(calls: Record<string, unknown>[]): Record<string, unknown>[] {
  return calls.map((call) => {
    if (typeof call.arguments !== 'string') return call
    try {
      return { ...call, arguments: JSON.parse(call.arguments) as unknown }
    } catch {
      return call // malformed JSON stays as the model wrote it: that is the finding
    }
  })
}
