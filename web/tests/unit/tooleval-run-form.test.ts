import { describe, expect, it } from 'vitest'

import {
  buildEvalPayload,
  changedAdvanced,
  defaultRunForm,
  systemPromptNote,
  toolChoiceProblem,
} from '@/features/tooleval/evalRunForm'

const TARGETS = [{ providerId: 'p1', modelId: 'm1' }]
const TOOLS = ['get_weather', 'book_flight']

describe('buildEvalPayload', () => {
  it('sends only the profile and the API default timeout when nothing is set', () => {
    const result = buildEvalPayload(defaultRunForm(), 's1', TARGETS, TOOLS)
    expect(result).toEqual({
      ok: true,
      payload: {
        suite_id: 's1',
        targets: [{ provider_id: 'p1', model_id: 'm1' }],
        profile: 'lenient',
        timeout_s: 120,
      },
    })
  })

  it('sends every field the user set, sampling extras as params', () => {
    const form = {
      ...defaultRunForm(),
      profile: 'strict' as const,
      toolChoice: 'book_flight',
      systemPrompt: 'Use tools.',
      temperature: 0.4,
      topP: '0.9',
      maxTokens: 512,
      seed: 7,
      concurrency: 3,
      timeoutS: 45,
    }
    const result = buildEvalPayload(form, 's1', TARGETS, TOOLS)
    expect(result).toEqual({
      ok: true,
      payload: {
        suite_id: 's1',
        targets: [{ provider_id: 'p1', model_id: 'm1' }],
        profile: 'strict',
        timeout_s: 45,
        temperature: 0.4,
        max_tokens: 512,
        concurrency: 3,
        tool_choice: 'book_flight',
        system_prompt: 'Use tools.',
        params: { top_p: 0.9, seed: 7 },
      },
    })
  })

  it('keeps temperature 0 (a value, not "unset")', () => {
    const result = buildEvalPayload({ ...defaultRunForm(), temperature: 0 }, 's', TARGETS, [])
    expect(result.ok && result.payload.temperature).toBe(0)
  })

  it('treats a cleared timeout as the API default', () => {
    const result = buildEvalPayload({ ...defaultRunForm(), timeoutS: '' }, 's', TARGETS, [])
    expect(result.ok && result.payload.timeout_s).toBe(120)
  })

  it('reports each bad field under the key the API uses', () => {
    const form = {
      ...defaultRunForm(),
      toolChoice: 'nope',
      temperature: 2.5,
      topP: 'abc',
      maxTokens: 1.5,
      seed: -1,
      concurrency: 65,
      timeoutS: 0,
    }
    const result = buildEvalPayload(form, 's', [], TOOLS)
    expect(result).toEqual({
      ok: false,
      problems: {
        targets: 'Pick at least one model.',
        temperature: 'Temperature must be between 0 and 2.',
        'params.top_p': 'Top-p must be a number.',
        max_tokens: 'Max tokens must be a whole number.',
        'params.seed': 'Seed must be at least 0.',
        concurrency: 'Concurrency must be between 1 and 64.',
        timeout_s: 'Timeout must be above 0 and at most 900.',
        tool_choice: '"nope" is neither auto, required, none nor a tool of this suite.',
      },
    })
  })

  it('refuses a timeout above the limit and a system prompt over 100,000 characters', () => {
    const form = { ...defaultRunForm(), timeoutS: 901, systemPrompt: 'x'.repeat(100_001) }
    const result = buildEvalPayload(form, 's', TARGETS, [])
    expect(result.ok ? null : Object.keys(result.problems)).toEqual(['timeout_s', 'system_prompt'])
  })
})

describe('toolChoiceProblem', () => {
  it('accepts the modes, the suite tools and "not sent"', () => {
    for (const choice of ['', 'auto', 'required', 'none', 'get_weather'])
      expect(toolChoiceProblem(choice, TOOLS)).toBeNull()
    expect(toolChoiceProblem('Auto', TOOLS)).toContain('neither')
  })
})

describe('systemPromptNote', () => {
  it('says which prompt wins', () => {
    expect(systemPromptNote('', 'Suite prompt')).toContain("suite's own system prompt is sent")
    expect(systemPromptNote('Mine', 'Suite prompt')).toContain("replaces the suite's own")
    expect(systemPromptNote('', null)).toBe('Empty: no system prompt (the suite has none).')
    expect(systemPromptNote('Mine', '  ')).toContain('The suite has no system prompt')
  })
})

describe('changedAdvanced', () => {
  it('counts the advanced settings that differ from the defaults', () => {
    expect(changedAdvanced(defaultRunForm())).toBe(0)
    expect(changedAdvanced({ ...defaultRunForm(), topP: 0.5, timeoutS: 30 })).toBe(2)
  })
})
