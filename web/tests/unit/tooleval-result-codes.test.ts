// Result codes read as plain words (issue 17, bug 11): every code the scorer can give
// (`toolcall.verdicts.ErrorCategory`) has its own phrase, none shows the raw code.
import { describe, expect, it } from 'vitest'

import {
  argumentStatus,
  failureReason,
  KNOWN_FAILURE_CODES,
  resultCode,
  resultLabel,
} from '@/features/tooleval/resultCodes'

const SCORER_CODES = [
  'api_error',
  'bad_format',
  'bad_json',
  'unwanted_call',
  'no_call',
  'hallucinated_tool',
  'wrong_tool',
  'wrong_call_count',
  'missing_argument',
  'extra_argument',
  'type_error',
  'wrong_argument',
  'wrong_order',
  'too_many_rounds',
  'incomplete_chain',
  'unsourced_argument',
]

describe('result codes in plain language', () => {
  it('names every scorer code in words, each differently', () => {
    expect([...KNOWN_FAILURE_CODES].sort()).toEqual([...SCORER_CODES].sort())
    const phrases = SCORER_CODES.map(failureReason)
    expect(new Set(phrases).size).toBe(SCORER_CODES.length)
    for (const phrase of phrases) expect(phrase).not.toMatch(/_/)
    expect(failureReason('missing_argument')).toBe('Left out a required argument')
    expect(failureReason('some_new_code')).toBe('Some new code')
  })

  it('labels a case result and keeps its code for a tooltip', () => {
    expect(resultLabel({ passed: true, error_category: null })).toBe('Passed')
    expect(resultLabel({ passed: false, error_category: 'no_call' })).toBe('Made no tool call')
    expect(resultLabel({ passed: false, error_category: null })).toBe('Failed')
    expect(resultCode({ passed: false, error_category: 'no_call' })).toBe('Result code: no_call')
    expect(resultCode({ passed: true, error_category: null })).toBeUndefined()
    expect(
      ['passed', 'failed', 'missing', 'omitted', 'ignored', 'unexpected'].map(argumentStatus),
    ).toEqual([
      'Matches',
      'Wrong value',
      'Missing',
      'Left out (allowed)',
      'Not checked',
      'Not expected',
    ])
  })
})
