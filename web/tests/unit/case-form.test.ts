// The case editor's pure logic: any valid case (the sample suite's, a BFCL import's, and
// arbitrary generated ones) survives case → form → case unchanged; the checks name the control
// that is wrong, with the server's limits; server 422 locations land on the same controls.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  blankArgument,
  blankCaseForm,
  type CaseForm,
  caseFromForm,
  caseToForm,
  pathFromText,
  pathToText,
} from '@/features/tooleval/caseForm'
import {
  checkCaseForm,
  controlOfServerField,
  serverErrorsForCase,
} from '@/features/tooleval/caseFormCheck'
import {
  type ArgumentExpectation,
  normalCase,
  type SuiteCase,
} from '@/features/tooleval/caseNormal'
import { matchModeInfo } from '@/features/tooleval/matchModes'
import { blankMock, blankMultiTurn } from '@/features/tooleval/multiTurnForm'
import {
  blankValueForm,
  enumOptions,
  kindForSchema,
  parseValueForm,
  valueFormOf,
} from '@/features/tooleval/valueForm'

import bfclCases from './fixtures/bfcl-import-cases.json'
import sampleSuite from './fixtures/sample-suite.json'

const sampleCases = sampleSuite.cases as unknown as SuiteCase[]
const importedCases = bfclCases as unknown as SuiteCase[]
const context = { toolNames: ['get_weather', 'search_flights', 'book_flight'], otherIds: [] }

function roundTrip(testCase: SuiteCase): SuiteCase {
  return caseFromForm(caseToForm(testCase))
}

describe('case ⇄ form round trip', () => {
  it.each(sampleCases.map((c) => [c.id, c] as const))('keeps sample case %s', (_, testCase) => {
    expect(roundTrip(testCase)).toStrictEqual(normalCase(testCase))
    // The fixture is the server's full dump: normalising changes nothing.
    expect(normalCase(testCase)).toStrictEqual(testCase)
  })

  it.each(importedCases.map((c) => [c.id, c] as const))('keeps BFCL case %s', (_, testCase) => {
    expect(roundTrip(testCase)).toStrictEqual(normalCase(testCase))
  })

  it('the sample and BFCL cases check out as they are', () => {
    for (const testCase of [...sampleCases, ...importedCases]) {
      const names = [...(testCase.tools ?? sampleSuite.tools).map((t) => t.function.name)]
      const errors = checkCaseForm(caseToForm(testCase), { toolNames: names, otherIds: [] })
      // BFCL answers may have no acceptable value; everything else must pass the checks.
      expect(Object.values(errors).filter((m) => !m.startsWith('Add an accepted'))).toEqual([])
    }
  })

  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
    ),
  })).value

  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

  const argument: fc.Arbitrary<ArgumentExpectation> = fc.letrec((tie) => ({
    arg: fc.record(
      {
        acceptable: optional(fc.array(json, { maxLength: 3 })),
        objects: optional(
          fc.array(fc.dictionary(fc.string({ minLength: 1 }), tie('arg'), { maxKeys: 2 }), {
            maxLength: 1,
          }),
        ),
        item_lists: optional(fc.array(fc.array(tie('arg'), { maxLength: 2 }), { maxLength: 1 })),
        omittable: fc.boolean(),
        match: optional(
          fc.constantFrom(
            null,
            'exact',
            'bfcl',
            'fuzzy',
            'contains',
            'semantic',
            'ignore',
            'present',
          ) as fc.Arbitrary<ArgumentExpectation['match']>,
        ),
        fuzzy_threshold: optional(fc.option(fc.double({ min: 0, max: 1, noNaN: true }))),
        numeric_tolerance: optional(
          fc.option(fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })),
        ),
      },
      { requiredKeys: ['omittable'] },
    ) as fc.Arbitrary<ArgumentExpectation>,
  })).arg

  const pathStep = fc.oneof(fc.string(), fc.integer({ min: -5, max: 20 }))
  const call = fc.record({
    name: fc.string({ minLength: 1 }),
    arguments: fc.dictionary(fc.string(), argument, { maxKeys: 3 }),
    sourced_arguments: fc.array(
      fc.record({ argument: fc.string(), from_tool: fc.string(), path: fc.array(pathStep) }),
      { maxLength: 2 },
    ),
  })
  const multiTurn = fc.record({
    max_rounds: fc.integer({ min: 1, max: 100 }),
    optimal_hops: fc.option(fc.integer({ min: 1, max: 20 })),
    mock_responses: fc.array(
      fc.record({
        tool: fc.string(),
        when_arguments: fc.option(fc.dictionary(fc.string(), json, { maxKeys: 2 })),
        result: json,
      }),
      { maxLength: 3 },
    ),
    default_response: json,
  })
  const message = fc.record({
    role: fc.constantFrom('system', 'user', 'assistant', 'tool') as fc.Arbitrary<
      'system' | 'user' | 'assistant' | 'tool'
    >,
    content: fc.string(),
  })
  const testCase: fc.Arbitrary<SuiteCase> = fc
    .record({
      id: fc.string({ minLength: 1 }),
      category: fc.string(),
      usePrompt: fc.boolean(),
      prompt: fc.string(),
      messages: fc.array(message, { maxLength: 3 }),
      expected_calls: fc.array(call, { maxLength: 2 }),
      order: fc.constantFrom('ordered', 'unordered', 'subset', 'superset') as fc.Arbitrary<
        SuiteCase['order']
      >,
      should: fc.constantFrom(null, true, false),
      multi_turn: fc.option(multiTurn),
    })
    .map(({ usePrompt, should, ...rest }) => ({
      ...rest,
      prompt: usePrompt ? rest.prompt : null,
      messages: usePrompt ? null : rest.messages,
      // The server refuses should_call_tool false with expected calls.
      should_call_tool: should === false && rest.expected_calls.length > 0 ? null : should,
    }))
    // As it arrives from the API: plain JSON (no null-prototype objects).
    .map((c) => JSON.parse(JSON.stringify(c)) as SuiteCase)

  it('keeps arbitrary valid cases', () => {
    fc.assert(
      fc.property(testCase, (c) => {
        expect(roundTrip(c)).toStrictEqual(normalCase(c))
      }),
      { numRuns: 300 },
    )
  })
})

describe('what the form produces', () => {
  function singleTurnForm(): CaseForm {
    const form = blankCaseForm([{ id: 'case-1', category: 'simple' }])
    form.prompt = 'Weather in Paris, in celsius?'
    const city = blankArgument('city', { kind: 'string', text: 'Paris' })
    city.match = 'fuzzy'
    city.fuzzyThreshold = '0.8'
    const days = blankArgument('days', { kind: 'number', text: '3' })
    days.numericTolerance = '0.5'
    form.calls = [{ name: 'get_weather', args: [city, days], sources: [] }]
    return form
  }

  it('writes a single-turn case in full, as the server stores it', () => {
    expect(caseFromForm(singleTurnForm())).toStrictEqual({
      id: 'case-2',
      category: 'simple',
      prompt: 'Weather in Paris, in celsius?',
      messages: null,
      tools: null,
      expected_calls: [
        {
          name: 'get_weather',
          arguments: {
            city: {
              acceptable: ['Paris'],
              objects: [],
              item_lists: [],
              omittable: false,
              match: 'fuzzy',
              fuzzy_threshold: 0.8,
              numeric_tolerance: null,
            },
            days: {
              acceptable: [3],
              objects: [],
              item_lists: [],
              omittable: false,
              match: null,
              fuzzy_threshold: null,
              numeric_tolerance: 0.5,
            },
          },
          sourced_arguments: [],
        },
      ],
      order: 'unordered',
      should_call_tool: null,
      multi_turn: null,
    })
    expect(checkCaseForm(singleTurnForm(), context)).toEqual({})
  })

  it('writes mocks with and without when_arguments', () => {
    const form = singleTurnForm()
    form.multiTurn = blankMultiTurn()
    form.multiTurn.optimalHops = '2'
    const conditional = blankMock('search_flights')
    conditional.conditional = true
    conditional.when = [{ name: 'origin', value: { kind: 'string', text: 'OSL' } }]
    conditional.resultText = '{"flights": [{"id": "SK1"}]}'
    form.multiTurn.mocks = [conditional, blankMock('book_flight')]
    form.multiTurn.defaultResponseText = '{"error": "unknown"}'
    expect(caseFromForm(form).multi_turn).toStrictEqual({
      max_rounds: 8,
      optimal_hops: 2,
      mock_responses: [
        {
          tool: 'search_flights',
          when_arguments: { origin: 'OSL' },
          result: { flights: [{ id: 'SK1' }] },
        },
        { tool: 'book_flight', when_arguments: null, result: { status: 'ok' } },
      ],
      default_response: { error: 'unknown' },
    })
  })

  it('maps "what should happen" onto should_call_tool', () => {
    const form = singleTurnForm()
    form.expectation = 'none'
    expect(caseFromForm(form)).toMatchObject({ expected_calls: [], should_call_tool: null })
    form.explicitShouldCall = true
    expect(caseFromForm(form)).toMatchObject({ expected_calls: [], should_call_tool: false })
    form.expectation = 'any'
    expect(caseFromForm(form)).toMatchObject({ expected_calls: [], should_call_tool: true })
  })
})

describe('checks', () => {
  function brokenForm(): CaseForm {
    const form = blankCaseForm([])
    form.id = 'has space'
    form.category = ' '
    const arg = blankArgument('city', { kind: 'number', text: 'twelve' })
    arg.fuzzyThreshold = '1.5'
    arg.numericTolerance = '-1'
    const empty = blankArgument('city', null)
    form.calls = [
      {
        name: 'nope',
        args: [arg, empty],
        sources: [{ argument: '', fromTool: 'search_flights', pathText: 'a..b' }],
      },
    ]
    form.multiTurn = blankMultiTurn()
    form.multiTurn.maxRounds = '101'
    form.multiTurn.optimalHops = '0'
    form.multiTurn.mocks = [{ ...blankMock(''), resultText: '{oops' }]
    form.multiTurn.defaultResponseText = ''
    return form
  }

  it('names each wrong control with a message a user can act on', () => {
    expect(checkCaseForm(brokenForm(), context)).toEqual({
      id: 'The case id needs 1–200 characters and no spaces.',
      category: 'Give the case a category (e.g. simple).',
      prompt: 'Write the prompt the model gets.',
      'calls.0.name': 'There is no tool “nope” for this case.',
      'calls.0.args.0.values.0': 'Enter a number, e.g. 42 or 19.99.',
      'calls.0.args.0.fuzzyThreshold': 'Enter a similarity between 0 and 1, e.g. 0.85.',
      'calls.0.args.0.numericTolerance': 'Enter a tolerance of 0 or more, e.g. 0.01.',
      'calls.0.args.1.values':
        'Add an accepted value, or choose “Present” or “Ignore”: with none, nothing passes.',
      'calls.0.args.1.name': '“city” is listed twice.',
      'calls.0.sources.0.argument': 'Name the argument.',
      'calls.0.sources.0.pathText': 'Write the path like flights[0].id.',
      'multiTurn.maxRounds': 'Enter a whole number of rounds from 1 to 100.',
      'multiTurn.optimalHops': 'Enter a whole number of calls, 1 or more (or leave empty).',
      'multiTurn.mocks.0.tool': 'Pick the tool this response answers.',
      'multiTurn.mocks.0.resultText': expect.stringMatching(/^Not valid JSON/) as string,
      'multiTurn.defaultResponseText': 'Enter the default result as JSON.',
    })
  })

  it('wants a call when calls are expected, and a unique id', () => {
    const form = blankCaseForm([])
    form.prompt = 'Hi'
    form.id = 'taken'
    expect(checkCaseForm(form, { toolNames: [], otherIds: ['taken'] })).toEqual({
      id: 'Another case is already called “taken”.',
      calls: 'Add the call the model should make, or choose “No tool call”.',
    })
    form.expectation = 'none'
    form.id = 'free'
    expect(checkCaseForm(form, { toolNames: [], otherIds: ['taken'] })).toEqual({})
  })

  it('ignore and present need no accepted value', () => {
    const form = blankCaseForm([])
    form.prompt = 'Hi'
    const arg = blankArgument('note', null)
    arg.match = 'ignore'
    form.calls = [{ name: 'get_weather', args: [arg], sources: [] }]
    expect(checkCaseForm(form, context)).toEqual({})
    expect(matchModeInfo('present').comparesValues).toBe(false)
    expect(matchModeInfo(null).label).toBe('Profile default')
  })
})

describe('server problems land on controls', () => {
  const form = caseToForm(sampleCases.find((c) => c.multi_turn) as SuiteCase)

  it('maps Pydantic locations to the editor keys', () => {
    expect(
      controlOfServerField('expected_calls.1.arguments.flight_id.numeric_tolerance', form),
    ).toBe('calls.1.args.0.numericTolerance')
    expect(controlOfServerField('expected_calls.1.arguments.note', form)).toBe('calls.1.args.2')
    expect(controlOfServerField('multi_turn.max_rounds', form)).toBe('multiTurn.maxRounds')
    expect(controlOfServerField('multi_turn.mock_responses.1.result', form)).toBe(
      'multiTurn.mocks.1.resultText',
    )
    expect(controlOfServerField('id', form)).toBe('id')
    expect(controlOfServerField('', form)).toBe('')
  })

  it('keeps only the edited case, and whole-case problems apart', () => {
    expect(
      serverErrorsForCase(
        {
          'cases.2.multi_turn.optimal_hops': 'Enter a number of at least 1.',
          'cases.1.id': 'another case',
          'cases.2': 'should_call_tool is false but calls are expected',
        },
        2,
        form,
      ),
    ).toEqual({
      errors: { 'multiTurn.optimalHops': 'Enter a number of at least 1.' },
      general: ['should_call_tool is false but calls are expected'],
    })
  })
})

describe('values and paths', () => {
  it('reads values by kind', () => {
    expect(parseValueForm({ kind: 'number', text: ' 19.99 ' })).toEqual({ ok: true, value: 19.99 })
    expect(parseValueForm({ kind: 'number', text: '' }).ok).toBe(false)
    expect(parseValueForm({ kind: 'boolean', text: 'false' })).toEqual({ ok: true, value: false })
    expect(parseValueForm({ kind: 'json', text: '[1, "a"]' })).toEqual({
      ok: true,
      value: [1, 'a'],
    })
    expect(valueFormOf({ a: 1 })).toEqual({ kind: 'json', text: '{"a":1}' })
  })

  it('picks the control from the JSON schema', () => {
    expect(kindForSchema({ type: 'integer' })).toBe('number')
    expect(kindForSchema({ type: ['boolean', 'null'] })).toBe('boolean')
    expect(kindForSchema({ type: 'string', enum: ['celsius', 'fahrenheit'] })).toBe('string')
    expect(blankValueForm({ type: 'object' })).toEqual({ kind: 'json', text: '{}' })
    const unit = { type: 'string', enum: ['celsius', 'fahrenheit'] }
    expect(enumOptions(unit, { kind: 'string', text: '' })).toEqual(['celsius', 'fahrenheit'])
    // A value outside the enum stays editable as text rather than being lost in a select.
    expect(enumOptions(unit, { kind: 'string', text: 'kelvin' })).toBeNull()
  })

  it('writes paths as flights[0].id and reads them back', () => {
    expect(pathToText(['flights', 0, 'id'])).toBe('flights[0].id')
    expect(pathFromText('flights[0].id')).toEqual(['flights', 0, 'id'])
    expect(pathToText(['a b', -1])).toBe('["a b",-1]')
    expect(pathFromText('["a b",-1]')).toEqual(['a b', -1])
    expect(pathFromText('')).toEqual([])
    expect(pathFromText('.x')).toBeNull()
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer())), (path) => {
        expect(pathFromText(pathToText(path))).toEqual(path)
      }),
    )
  })
})
