import { describe, expect, it } from 'vitest'

import { checkToolsJson } from '@/features/tooleval/toolsJson'

const tool = (name: string, parameters: unknown = { type: 'object', properties: {} }) => ({
  type: 'function',
  function: { name, parameters },
})

describe('tools editor validation', () => {
  it('accepts a list of function tools', () => {
    const check = checkToolsJson(JSON.stringify([tool('get_weather'), tool('book-flight')]))
    expect(check.problem).toBeNull()
    expect(check.tools).toHaveLength(2)
  })

  it('names the first problem', () => {
    expect(checkToolsJson('{').problem).toMatch(/Not valid JSON/)
    expect(checkToolsJson('{}').problem).toBe('Tools must be a JSON array.')
    expect(checkToolsJson(JSON.stringify([tool('a b')])).problem).toContain('function.name')
    expect(checkToolsJson(JSON.stringify([tool('book.flight')])).problem).toContain('function.name')
    expect(checkToolsJson(JSON.stringify([tool('x'), tool('x')])).problem).toContain('used twice')
    expect(checkToolsJson(JSON.stringify([tool('x', { type: 'array' })])).problem).toContain(
      'parameters.type',
    )
    expect(checkToolsJson(JSON.stringify([{ type: 'retrieval' }])).problem).toContain(
      '"type" must be "function"',
    )
  })
})
