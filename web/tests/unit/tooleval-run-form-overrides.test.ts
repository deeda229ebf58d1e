import { describe, expect, it } from 'vitest'

import {
  buildEvalPayload,
  defaultRunForm,
  emptyOverride,
  modelKey,
  overrideModels,
  versionOptions,
} from '@/features/tooleval/evalRunForm'

const A = { providerId: 'p1', modelId: 'm1' }
const B = { providerId: 'p2', modelId: 'm2', parameterSetId: 'set1' }

describe('per-model overrides', () => {
  it('sends an enabled override on its own target only, as system_prompt and params', () => {
    const form = defaultRunForm()
    form.temperature = 0
    form.overrides[modelKey(B)] = {
      enabled: true,
      systemPrompt: 'Be brief.',
      temperature: '0.7',
      topP: 0.5,
      maxTokens: '64',
      seed: 3,
    }
    const result = buildEvalPayload(form, 's1', [A, B], [])
    expect(result).toEqual({
      ok: true,
      payload: {
        suite_id: 's1',
        targets: [
          { provider_id: 'p1', model_id: 'm1' },
          {
            provider_id: 'p2',
            model_id: 'm2',
            parameter_set_id: 'set1',
            system_prompt: 'Be brief.',
            params: { temperature: 0.7, top_p: 0.5, max_tokens: 64, seed: 3 },
          },
        ],
        profile: 'lenient',
        timeout_s: 120,
        temperature: 0,
      },
    })
  })

  it('sends nothing for a switched-off override, or for an enabled one left empty', () => {
    const form = defaultRunForm()
    form.overrides[modelKey(A)] = { ...emptyOverride(), systemPrompt: 'kept', temperature: 1 }
    form.overrides[modelKey(B)] = { ...emptyOverride(), enabled: true, systemPrompt: '   ' }
    const result = buildEvalPayload(form, 's1', [A, B], [])
    expect(result.ok && result.payload.targets).toEqual([
      { provider_id: 'p1', model_id: 'm1' },
      { provider_id: 'p2', model_id: 'm2', parameter_set_id: 'set1' },
    ])
  })

  it('reports an override problem at its target, as the API keys it', () => {
    const form = defaultRunForm()
    form.overrides[modelKey(B)] = {
      ...emptyOverride(),
      enabled: true,
      temperature: 2.5,
      topP: 'x',
      maxTokens: 1.5,
      seed: -1,
      systemPrompt: 'a'.repeat(100_001),
    }
    const result = buildEvalPayload(form, 's1', [A, B], [])
    expect(result).toEqual({
      ok: false,
      problems: {
        'targets.1.params.temperature': 'Temperature must be between 0 and 2.',
        'targets.1.params.top_p': 'Top-p must be a number.',
        'targets.1.params.max_tokens': 'Max tokens must be a whole number.',
        'targets.1.params.seed': 'Seed must be at least 0.',
        'targets.1.system_prompt': 'Keep the system prompt under 100,000 characters.',
      },
    })
  })

  it('shares one override between two targets of the same model, checked once', () => {
    const twice = [A, { ...A, parameterSetId: 'set2' }]
    expect(overrideModels(twice)).toEqual([{ key: 'p1/m1', target: A, index: 0 }])
    const form = defaultRunForm()
    form.overrides['p1/m1'] = { ...emptyOverride(), enabled: true, seed: 9 }
    const result = buildEvalPayload(form, 's1', twice, [])
    expect(result.ok && result.payload.targets.map((t) => t.params)).toEqual([
      { seed: 9 },
      { seed: 9 },
    ])
    form.overrides['p1/m1'] = { ...emptyOverride(), enabled: true, seed: -2 }
    expect(buildEvalPayload(form, 's1', twice, [])).toEqual({
      ok: false,
      problems: { 'targets.0.params.seed': 'Seed must be at least 0.' },
    })
  })
})

describe('suite version', () => {
  it('sends suite_version only for a version other than the current one', () => {
    const form = defaultRunForm()
    const current = buildEvalPayload(form, 's1', [A], [])
    expect(current.ok && 'suite_version' in current.payload).toBe(false)
    form.suiteVersion = 2
    const older = buildEvalPayload(form, 's1', [A], [])
    expect(older.ok && older.payload.suite_version).toBe(2)
  })

  it('lists the current version first, then the older ones newest first', () => {
    const versions = [
      { version: 1, note: 'created', case_count: 8 },
      { version: 3, note: '', case_count: 1 },
      { version: 2, note: 'renamed', case_count: 8 },
    ]
    expect(versionOptions(versions, 3)).toEqual([
      { value: null, label: 'Current: version 3 · 1 case' },
      { value: 2, label: 'Version 2 · 8 cases' },
      { value: 1, label: 'Version 1 · 8 cases' },
    ])
    expect(versionOptions([], 4)).toEqual([{ value: null, label: 'Current: version 4' }])
  })
})
