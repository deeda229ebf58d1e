// Words for the multi-turn transcript view: where each fed-back tool result came from, and
// which expected calls the model never made.
import type { components } from '@/api/schema'

import { shortJson } from './argumentReasons'

export type Conversation = components['schemas']['Conversation']
export type TranscriptCall = components['schemas']['TranscriptCall']
type CallCheck = components['schemas']['CallCheckOut']

/** "mock #2: when_arguments {"origin":"OSL"} matched", "mock #3 (any arguments)", … */
export function mockSourceText(call: TranscriptCall): string {
  const number =
    call.mock_index === null || call.mock_index === undefined ? null : call.mock_index + 1
  if (call.mock_source === 'when_arguments')
    return `Mock #${number}: its when_arguments ${shortJson(call.when_arguments)} matched`
  if (call.mock_source === 'unconditional')
    return `Mock #${number} for ${call.name} (no when_arguments: any call)`
  return `The case's default response (no mock answers ${call.name} with these arguments)`
}

/** How the call pairs with the case's expectations. */
export function pairingText(call: TranscriptCall, expected: readonly { name: string }[]): string {
  if (call.expected_index === null || call.expected_index === undefined)
    return 'Not expected: pairs with no expected call'
  const name = expected[call.expected_index]?.name ?? '?'
  const verdict = call.passed ? 'matches' : 'does not match'
  return `Expected #${call.expected_index + 1} (${name}): ${verdict}`
}

/** Expected calls the model never made (no model call paired with them). */
export function missedExpected(checks: readonly CallCheck[]): { index: number; tool: string }[] {
  return checks
    .filter((c) => c.call_index === null && c.expected_index !== null)
    .map((c) => ({ index: (c.expected_index ?? 0) + 1, tool: c.tool }))
}

/** Arguments as name/value rows; text that was not JSON stays one row. */
export function argumentRows(args: unknown): { name: string; value: string }[] {
  if (args !== null && typeof args === 'object' && !Array.isArray(args))
    return Object.entries(args as Record<string, unknown>).map(([name, value]) => ({
      name,
      value: shortJson(value),
    }))
  return [{ name: '(unparsed)', value: typeof args === 'string' ? args : shortJson(args) }]
}
