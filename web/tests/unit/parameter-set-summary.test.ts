import { describe, expect, it } from 'vitest'

import { appliedSetLines, appliedSetText } from '@/features/parameterSets/appliedSummary'

describe('appliedSetText', () => {
  it('names the set and the values it applied, in order', () => {
    expect(appliedSetText('Creative', { temperature: 0.9, top_p: 0.95 })).toBe(
      'Creative · temperature 0.9, top_p 0.95',
    )
    expect(appliedSetText('Stops', { stop: ['END'], seed: 7, style: 'terse' })).toBe(
      'Stops · stop ["END"], seed 7, style terse',
    )
  })

  it('says so when every value of the set was overridden', () => {
    expect(appliedSetText('Careful', {})).toBe('Careful · nothing applied')
    expect(appliedSetText('Careful', null)).toBe('Careful · nothing applied')
  })
})

describe('appliedSetLines', () => {
  it('has one line per target that ran with a set', () => {
    expect(
      appliedSetLines([
        { model: 'Plain', parameter_set_name: null, parameter_set_params: null },
        { model: 'Tuned', parameter_set_name: 'Creative', parameter_set_params: { top_p: 0.6 } },
      ]),
    ).toEqual([{ model: 'Tuned', text: 'Creative · top_p 0.6' }])
    expect(appliedSetLines([{ model: 'Plain' }])).toEqual([])
  })
})
