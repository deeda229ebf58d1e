import { describe, expect, it } from 'vitest'

import {
  holdsPlaceholder,
  placeholderCaseIds,
  placeholderMessage,
} from '@/features/tooleval/placeholders'

describe('placeholders', () => {
  const cases = [
    { id: 'b', messages: [{ role: 'user' as const, content: 'x = <your value>' }] },
    { id: 'a', prompt: 'fine' },
    { id: 'c', prompt: 'Use lookup with token = <your value>.' },
    { id: 'd', prompt: 'token = <your VALUE>' },
  ]

  it('finds the marker in prompts and messages, keeping suite order', () => {
    expect(placeholderCaseIds(cases)).toEqual(['b', 'c'])
    expect(holdsPlaceholder({ id: 'x', prompt: null })).toBe(false)
  })

  it('words the warning as the server does', () => {
    expect(placeholderMessage(['b', 'c'])).toBe(
      '2 cases still hold <your value> placeholders: b, c.',
    )
    expect(placeholderMessage(['x'])).toBe('1 case still holds <your value> placeholders: x.')
    expect(placeholderMessage(['1', '2', '3', '4', '5', '6', '7'])).toBe(
      '7 cases still hold <your value> placeholders: 1, 2, 3, 4, 5 and 2 more.',
    )
  })
})
