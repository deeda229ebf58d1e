// The tuner's space editor logic: the model's spec → input bounds, new dimensions, the shape
// checks (as the server's), the SearchSpaceIn sent, and presets to and from drafts.
import { describe, expect, it } from 'vitest'

import {
  boundsFor,
  isTunable,
  niceStep,
  rangeStart,
  tunableSpecs,
} from '@/features/tuning/paramBounds'
import {
  applyingPresetId,
  freeName,
  pointText,
  presetBody,
  savedPresetSpace,
  vendorPresetSpace,
} from '@/features/tuning/presets'
import {
  buildSpace,
  type ChoiceDraft,
  controllers,
  type DimensionDraft,
  draftsFrom,
  newDimension,
  parseChoice,
  type RangeDraft,
  spaceProblems,
  switchKind,
  valueKey,
} from '@/features/tuning/space'
import type { VendorPreset } from '@/features/tuning/types'

const SPECS = [
  { name: 'temperature', type: 'float', min: 0, max: 2 },
  { name: 'top_p', type: 'float', min: 0, max: 1 },
  { name: 'max_tokens', type: 'int', min: 1, max: null },
  { name: 'n', type: 'int', min: 1, max: 128 },
  { name: 'parallel_tool_calls', type: 'bool' },
  { name: 'reasoning_effort', type: 'str', choices: ['low', 'medium', 'high'] },
  { name: 'seed', type: 'int' },
  { name: 'logit_bias', type: 'object' },
  { name: 'stop', type: 'list' },
]
const spec = (name: string) => SPECS.find((s) => s.name === name)

function range(name: string, low: number | string, high: number | string, extra = {}): RangeDraft {
  return { ...(newDimension(name, spec(name)) as RangeDraft), low, high, ...extra }
}

function choice(name: string, values: ChoiceDraft['values'], extra = {}): ChoiceDraft {
  return { kind: 'choice', key: 0, name, condition: null, values, ...extra }
}

describe('parameter specs → inputs', () => {
  it('offers numbers, yes/no and enums, never seeds, objects or lists; common ones first', () => {
    expect(isTunable(spec('seed')!)).toBe(false)
    expect(isTunable(spec('logit_bias')!)).toBe(false)
    expect(isTunable(spec('stop')!)).toBe(false)
    expect(tunableSpecs(SPECS).map((s) => s.name)).toEqual([
      'temperature',
      'top_p',
      'max_tokens',
      'reasoning_effort',
      'n',
      'parallel_tool_calls',
    ])
  })

  it('offers the tool choice as a list and the thinking budget as a range when taken', () => {
    const claude = [
      ...SPECS,
      {
        name: 'tool_choice',
        type: 'str',
        choices: ['auto', 'required', 'none'],
        request_field: true,
      },
      { name: 'reasoning_budget', type: 'int', min: 1024, max: null },
    ]
    expect(tunableSpecs(claude).map((s) => s.name)).toEqual([
      'temperature',
      'top_p',
      'max_tokens',
      'reasoning_effort',
      'reasoning_budget',
      'tool_choice',
      'n',
      'parallel_tool_calls',
    ])
    const toolChoice = claude.find((s) => s.name === 'tool_choice')
    expect(newDimension('tool_choice', toolChoice)).toMatchObject({
      kind: 'choice',
      values: ['auto', 'required', 'none'],
    })
    expect(boundsFor(toolChoice).hint).toContain("request's own field")
    const budget = claude.find((s) => s.name === 'reasoning_budget')
    expect(newDimension('reasoning_budget', budget)).toMatchObject({
      kind: 'range',
      integer: true,
      low: 1024,
      high: 9216,
      step: 1000,
    })
    // A provider without these specs (OpenAI): nothing to offer.
    expect(tunableSpecs(SPECS).map((s) => s.name)).not.toContain('tool_choice')
  })

  it('bounds a range by the spec and gives booleans and enums their only values', () => {
    expect(boundsFor(spec('temperature'))).toMatchObject({
      range: true,
      integer: false,
      min: 0,
      max: 2,
      hint: 'Numbers from 0 to 2',
    })
    expect(boundsFor(spec('max_tokens'))).toMatchObject({
      range: true,
      integer: true,
      min: 1,
      max: null,
      hint: 'Whole numbers, at least 1',
    })
    expect(boundsFor(spec('parallel_tool_calls'))).toMatchObject({
      range: false,
      options: [true, false],
    })
    expect(boundsFor(spec('reasoning_effort')).options).toEqual(['low', 'medium', 'high'])
    expect(boundsFor(undefined).hint).toMatch(/will drop it/)
  })

  it('starts a range over the allowed bounds with a tidy step', () => {
    expect(rangeStart(boundsFor(spec('temperature')))).toEqual({ low: 0, high: 2, step: 0.2 })
    expect(rangeStart(boundsFor(spec('top_p')))).toEqual({ low: 0, high: 1, step: 0.1 })
    expect(rangeStart(boundsFor(spec('n')))).toEqual({ low: 1, high: 128, step: 20 })
    expect(rangeStart(boundsFor(spec('max_tokens')))).toEqual({ low: 1, high: 11, step: 1 })
    expect(niceStep(0, 0.3, false)).toBe(0.05)
    expect(niceStep(0, 5, true)).toBe(1)
  })
})

describe('dimensions', () => {
  it('makes a range for numbers and a list of the values otherwise', () => {
    expect(newDimension('temperature', spec('temperature'))).toMatchObject({
      kind: 'range',
      low: 0,
      high: 2,
      step: 0.2,
      log: false,
      integer: false,
    })
    expect(newDimension('parallel_tool_calls', spec('parallel_tool_calls'))).toMatchObject({
      kind: 'choice',
      values: [true, false],
    })
    expect(newDimension('top_k', undefined)).toMatchObject({ kind: 'choice', values: [] })
  })

  it('switches a range to its bounds as values and back', () => {
    const asList = switchKind(range('top_p', 0.5, 1), spec('top_p'))
    expect(asList).toMatchObject({ kind: 'choice', values: [0.5, 1] })
    expect(switchKind(asList, spec('top_p'))).toMatchObject({ kind: 'range', low: 0.5, high: 1 })
  })

  it('reads typed values by the parameter type', () => {
    expect(parseChoice('40', spec('n'))).toEqual({ ok: true, value: 40 })
    expect(parseChoice('2.5', spec('n'))).toEqual({ ok: false, problem: 'n takes whole numbers.' })
    expect(parseChoice('abc', spec('temperature'))).toMatchObject({ ok: false })
    expect(parseChoice('high', spec('reasoning_effort'))).toEqual({ ok: true, value: 'high' })
    expect(parseChoice('20', undefined)).toEqual({ ok: true, value: 20 })
    expect(parseChoice('true', undefined)).toEqual({ ok: true, value: true })
    expect(parseChoice('{"type":"x"}', undefined)).toEqual({ ok: true, value: { type: 'x' } })
    expect(parseChoice('{bad', undefined)).toMatchObject({ ok: false })
    expect(parseChoice('  ', undefined)).toMatchObject({ ok: false })
  })

  it('compares object values by content', () => {
    expect(valueKey({ b: 1, a: 2 })).toBe(valueKey({ a: 2, b: 1 }))
  })

  it('lists only other choice dimensions as conditions', () => {
    const drafts = [range('temperature', 0, 1), choice('parallel_tool_calls', [true, false])]
    expect(controllers(drafts, 'temperature')).toEqual([
      { name: 'parallel_tool_calls', values: [true, false] },
    ])
    expect(controllers(drafts, 'parallel_tool_calls')).toEqual([])
  })
})

describe('space checks', () => {
  const check = (drafts: DimensionDraft[], repeats: number | string = 1) =>
    spaceProblems(drafts, repeats, SPECS)

  it('accepts a valid two-dimensional space', () => {
    expect(check([range('temperature', 0, 1), range('top_p', 0.5, 1)])).toEqual({})
  })

  it('refuses an empty space, bad repeats, a missing, repeated or seed parameter', () => {
    expect(check([]).space).toMatch(/at least one/)
    expect(check([range('temperature', 0, 1)], 0)['space.repeats']).toMatch(/1 to 50/)
    expect(check([range('temperature', 0, 1)], 2.5)['space.repeats']).toBeDefined()
    expect(check([choice('', [1])])['space.dimensions.0.name']).toBe('Pick a parameter.')
    expect(
      check([range('temperature', 0, 1), range('temperature', 0, 2)])['space.dimensions.1.name'],
    ).toMatch(/already/)
    expect(check([choice('seed', [1, 2])])['space.dimensions.0.name']).toMatch(/repeats/)
  })

  it('refuses impossible ranges and ranges beyond the model', () => {
    expect(check([range('temperature', 1, 1)])['space.dimensions.0.high']).toMatch(/above/)
    expect(check([range('temperature', 0, 3)])['space.dimensions.0.high']).toMatch(/from 0 to 2/)
    expect(check([range('temperature', '', 1)])['space.dimensions.0.low']).toMatch(/lowest/)
    expect(check([range('temperature', 0, 1, { log: true })])['space.dimensions.0.low']).toMatch(
      /above 0/,
    )
    expect(
      check([range('temperature', 0.1, 1, { log: true, step: 1 })])['space.dimensions.0.step'],
    ).toMatch(/ratio/)
    expect(check([range('n', 1, 8, { step: 1.5 })])['space.dimensions.0.step']).toMatch(/whole/)
    expect(check([range('n', 1.5, 8)])['space.dimensions.0.low']).toMatch(/whole/)
    expect(check([range('temperature', 0, 1, { step: -1 })])['space.dimensions.0.step']).toBe(
      'The step must be above 0.',
    )
  })

  it('refuses empty or repeated value lists and values beyond the model', () => {
    expect(check([choice('top_p', [])])['space.dimensions.0.choices']).toMatch(/at least one/)
    expect(check([choice('top_p', [0.5, 0.5])])['space.dimensions.0.choices']).toMatch(/twice/)
    expect(check([choice('top_p', [0.5, 3])])['space.dimensions.0.choices']).toMatch(/outside/)
  })

  it('checks conditions: a choice parent in the space, ticked values it offers, no loop', () => {
    const parent = choice('parallel_tool_calls', [true, false])
    const child = (values: unknown[], param = 'parallel_tool_calls') =>
      range('temperature', 0, 1, { condition: { param, values, modelPattern: null } })
    expect(check([parent, child([true])])).toEqual({})
    expect(check([parent, child([])])['space.dimensions.1.condition']).toMatch(/Tick/)
    expect(check([child([true], 'top_p')])['space.dimensions.0.condition']).toMatch(/not in/)
    expect(
      check([range('top_p', 0, 1), child([1], 'top_p')])['space.dimensions.1.condition'],
    ).toMatch(/list of values/)
    expect(check([choice('parallel_tool_calls', [true]), child([false])])).toHaveProperty(
      'space.dimensions.1.condition',
    )
    const a = choice('reasoning_effort', ['low'], {
      condition: { param: 'parallel_tool_calls', values: [true], modelPattern: null },
    })
    const b = choice('parallel_tool_calls', [true], {
      condition: { param: 'reasoning_effort', values: ['low'], modelPattern: null },
    })
    expect(check([a, b]).space).toMatch(/loop/)
  })
})

describe('the space sent', () => {
  it('sends ranges with scale and step, lists with their values, conditions by name', () => {
    const drafts = [
      choice('parallel_tool_calls', [true, false]),
      range('temperature', 0, 1, {
        step: '',
        log: false,
        condition: { param: 'parallel_tool_calls', values: [true], modelPattern: null },
      }),
      range('max_tokens', 64, 1024, { step: 2, log: true }),
    ]
    expect(buildSpace(drafts, 3)).toEqual({
      repeats: 3,
      dimensions: [
        { kind: 'choice', name: 'parallel_tool_calls', choices: [true, false], condition: null },
        {
          kind: 'range',
          name: 'temperature',
          low: 0,
          high: 1,
          step: null,
          scale: 'linear',
          integer: false,
          condition: { param: 'parallel_tool_calls', values: [true], model_pattern: null },
        },
        {
          kind: 'range',
          name: 'max_tokens',
          low: 64,
          high: 1024,
          step: 2,
          scale: 'log',
          integer: true,
          condition: null,
        },
      ],
    })
  })

  it('round-trips through the server shape, keeping a model pattern', () => {
    const space = {
      dimensions: [
        {
          kind: 'range' as const,
          name: 'temperature',
          low: 0.3,
          high: 0.9,
          step: 0.1,
          scale: 'linear' as const,
          integer: false,
          condition: { param: null, values: [], model_pattern: 'qwen' },
        },
        { kind: 'choice' as const, name: 'top_k', choices: [10, 20, 40], condition: null },
      ],
      repeats: 2,
    }
    expect(buildSpace(draftsFrom(space.dimensions), 2)).toEqual(space)
  })
})

describe('presets', () => {
  const VENDOR: VendorPreset = {
    id: 'qwen3-thinking',
    family: 'Qwen3',
    label: 'Qwen3, thinking mode',
    source: 'https://example.test',
    applies_to: 'qwen3',
    recommended: { temperature: 0.6, top_p: 0.95 },
    dimensions: [
      { kind: 'range', name: 'temperature', low: 0.3, high: 0.9, step: 0.1, scale: 'linear' },
      { kind: 'choice', name: 'top_k', choices: [10, 20, 40] },
    ],
    notes: '',
  }

  it('loads a vendor preset into drafts and names its point', () => {
    const loaded = vendorPresetSpace(VENDOR, 2)
    expect(loaded.repeats).toBe(2)
    expect(loaded.drafts.map((d) => [d.kind, d.name])).toEqual([
      ['range', 'temperature'],
      ['choice', 'top_k'],
    ])
    expect(pointText(VENDOR.recommended)).toBe('temperature 0.6 · top_p 0.95')
    expect(pointText({})).toBe('the provider defaults')
    expect(applyingPresetId([VENDOR])).toBe('qwen3-thinking')
    expect(applyingPresetId([])).toBe('')
  })

  it('saves and loads a user preset', () => {
    const drafts = [range('temperature', 0, 1, { step: 0.5 })]
    const body = presetBody('  Warm  ', '', drafts, 2)
    expect(body.name).toBe('Warm')
    const loaded = savedPresetSpace({
      id: 'p1',
      name: 'Warm',
      description: '',
      space: body.space as unknown as Record<string, unknown>,
      created_at: '',
      updated_at: '',
    })
    expect(loaded.repeats).toBe(2)
    expect(buildSpace(loaded.drafts, loaded.repeats)).toEqual(body.space)
    expect(
      savedPresetSpace({
        id: 'p',
        name: '',
        description: '',
        space: {},
        created_at: '',
        updated_at: '',
      }),
    ).toEqual({ drafts: [], repeats: 1 })
  })

  it('suggests a name no preset has', () => {
    expect(freeName('Space', [])).toBe('Space')
    expect(freeName('Space', ['space', 'Space 2'])).toBe('Space 3')
    expect(freeName(' ', [])).toBe('Search space')
  })
})
