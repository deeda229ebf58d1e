import { describe, expect, it } from 'vitest'

import {
  argumentRows,
  missedExpected,
  mockSourceText,
  pairingText,
  type TranscriptCall,
} from '@/features/tooleval/transcript'

const CALL: TranscriptCall = {
  call_index: 0,
  name: 'search_flights',
  arguments: { origin: 'OSL' },
  result: { flights: [] },
  mock_source: 'when_arguments',
  mock_index: 0,
  when_arguments: { origin: 'OSL' },
  expected_index: 0,
  passed: true,
}

describe('transcript wording', () => {
  it('names the mock that answered a call', () => {
    expect(mockSourceText(CALL)).toBe('Mock #1: its when_arguments {"origin":"OSL"} matched')
    expect(mockSourceText({ ...CALL, mock_source: 'unconditional', mock_index: 1 })).toBe(
      'Mock #2 for search_flights (no when_arguments: any call)',
    )
    expect(mockSourceText({ ...CALL, mock_source: 'default', mock_index: null })).toContain(
      "The case's default response",
    )
  })

  it('says how a call pairs with the expected chain', () => {
    const expected = [{ name: 'search_flights' }, { name: 'book_flight' }]
    expect(pairingText(CALL, expected)).toBe('Expected #1 (search_flights): matches')
    expect(pairingText({ ...CALL, expected_index: 1, passed: false }, expected)).toBe(
      'Expected #2 (book_flight): does not match',
    )
    expect(pairingText({ ...CALL, expected_index: null, passed: null }, expected)).toContain(
      'Not expected',
    )
  })

  it('lists expected calls never made and lays arguments out as rows', () => {
    const checks = [
      { expected_index: 0, call_index: 0, tool: 'a', passed: true, arguments: [] },
      { expected_index: 1, call_index: null, tool: 'b', passed: false, arguments: [] },
      { expected_index: null, call_index: 2, tool: 'c', passed: false, arguments: [] },
    ]
    expect(missedExpected(checks)).toEqual([{ index: 2, tool: 'b' }])
    expect(argumentRows({ a: 1, b: 'x' })).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '"x"' },
    ])
    expect(argumentRows('not json')).toEqual([{ name: '(unparsed)', value: 'not json' }])
  })
})
