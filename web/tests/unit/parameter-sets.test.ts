import { describe, expect, it } from 'vitest'

import { defaultForm, toRequest } from '@/features/benchmarks/benchmarkForm'
import {
  controlFor,
  parameterSetSpecs,
  rangeHint,
  setsForModel,
} from '@/features/parameterSets/parameterControls'

describe('controlFor', () => {
  it('gives a ranged number input for floats and whole numbers for ints', () => {
    expect(controlFor({ name: 'temperature', type: 'float', min: 0, max: 2 })).toEqual({
      kind: 'number',
      min: 0,
      max: 2,
      step: 'any',
    })
    expect(controlFor({ name: 'seed', type: 'int', min: null, max: null })).toEqual({
      kind: 'number',
      min: undefined,
      max: undefined,
      step: '1',
    })
  })

  it('gives a select for choices and for yes/no, text otherwise', () => {
    expect(
      controlFor({ name: 'reasoning_effort', type: 'str', choices: ['low', 'medium', 'high'] }),
    ).toEqual({ kind: 'select', options: ['low', 'medium', 'high'] })
    expect(controlFor({ name: 'logprobs', type: 'bool' })).toEqual({
      kind: 'select',
      options: ['true', 'false'],
    })
    expect(controlFor({ name: 'stop', type: 'list' })).toEqual({ kind: 'text' })
    expect(controlFor(undefined)).toEqual({ kind: 'text' })
  })
})

describe('rangeHint', () => {
  it('says the allowed range in words', () => {
    expect(rangeHint({ name: 'top_p', type: 'float', min: 0, max: 1 })).toBe('Number from 0 to 1')
    expect(rangeHint({ name: 'max_tokens', type: 'int', min: 1 })).toBe('Whole number, at least 1')
    expect(rangeHint({ name: 'stop', type: 'list' })).toBe('')
  })
})

describe('setsForModel', () => {
  const sets = [
    { id: 'a', name: 'Any', model_ref_id: null },
    { id: 'b', name: 'For m1', model_ref_id: 'm1' },
    { id: 'c', name: 'For m2', model_ref_id: 'm2' },
  ]

  it('offers the model’s own sets and the model-agnostic ones', () => {
    expect(setsForModel(sets, 'm1').map((s) => s.id)).toEqual(['a', 'b'])
  })

  it('offers only model-agnostic sets to an ad hoc model', () => {
    expect(setsForModel(sets, null).map((s) => s.id)).toEqual(['a'])
  })
})

describe('toRequest with parameter sets', () => {
  it('sends parameter_set_id only for targets that picked a set', () => {
    const form = defaultForm()
    form.targets = [
      { providerId: 'p1', modelId: 'sim-small', parameterSetId: 'set1' },
      { providerId: 'p1', modelId: 'sim-large', parameterSetId: null },
    ]
    expect(toRequest(form).targets).toEqual([
      { provider_id: 'p1', model_id: 'sim-small', parameter_set_id: 'set1' },
      { provider_id: 'p1', model_id: 'sim-large' },
    ])
  })
})

describe('parameterSetSpecs', () => {
  it('leaves out the request fields a set may not hold (tool_choice), keeps the budget', () => {
    const specs = [
      { name: 'temperature', type: 'float', min: 0, max: 1 },
      {
        name: 'tool_choice',
        type: 'str',
        choices: ['auto', 'required', 'none'],
        request_field: true,
      },
      { name: 'reasoning_budget', type: 'int', min: 1024, max: null, request_field: false },
    ]
    expect(parameterSetSpecs(specs).map((s) => s.name)).toEqual(['temperature', 'reasoning_budget'])
  })
})
