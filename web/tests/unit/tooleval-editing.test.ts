import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'

import CasesTable from '@/components/tooleval/CasesTable.vue'
import ToolsFormEditor from '@/components/tooleval/ToolsFormEditor.vue'
import { expectedSummary, type SuiteCase } from '@/features/tooleval/caseEdit'
import { argumentReason, readableCalls } from '@/features/tooleval/argumentReasons'
import { categoryRows, changeCounts, pairCases } from '@/features/tooleval/compareCases'
import {
  blankParam,
  blankTool,
  formProblems,
  fromForm,
  parseEnum,
  toForm,
} from '@/features/tooleval/toolsForm'
import { checkToolsJson } from '@/features/tooleval/toolsJson'
import {
  type CaseRow,
  type ModelSummary,
  type SuiteDetail,
  type SuiteTool,
  useEvalsStore,
} from '@/stores/evals'

import { requestsTo, stubApi } from './fakes'

const WEATHER: SuiteTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
        days: { type: 'integer', minimum: 1 },
        traveller: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
      required: ['city'],
      additionalProperties: false,
    },
  },
  source_name: 'weather.get',
}

describe('tools form view <-> JSON', () => {
  it('round-trips a tool without losing schema details the form does not show', () => {
    const form = toForm([WEATHER])
    expect(form[0]?.params.map((p) => [p.name, p.type, p.required, p.enumText])).toEqual([
      ['city', 'string', true, ''],
      ['unit', 'string', false, 'celsius\nfahrenheit'],
      ['days', 'integer', false, ''],
      ['traveller', 'object', false, ''],
    ])
    expect(fromForm(form)).toEqual([WEATHER])
  })

  it('writes form edits into the tools the JSON view shows', () => {
    const form = toForm([WEATHER])
    const tool = form[0]!
    tool.params[0]!.required = false
    tool.params[2]!.enumText = '1\n3'
    tool.params.push({ ...blankParam(), name: 'when', description: 'ISO date', required: true })
    tool.params.splice(3, 1)
    const [json] = fromForm(form)
    const parameters = json!.function.parameters as Record<string, unknown>
    expect(parameters.required).toEqual(['when'])
    expect(parameters.properties).toEqual({
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
      days: { type: 'integer', enum: [1, 3], minimum: 1 },
      when: { type: 'string', description: 'ISO date' },
    })
    expect(checkToolsJson(JSON.stringify(fromForm(form))).problem).toBeNull()
  })

  it('adds tools with unused names and reads allowed values by type', () => {
    const form = toForm([WEATHER])
    form.push(blankTool(form))
    expect(form[1]?.name).toBe('new_tool_2')
    expect(fromForm(form)[1]).toEqual({
      type: 'function',
      function: {
        name: 'new_tool_2',
        description: '',
        parameters: { type: 'object', properties: {} },
      },
    })
    expect(parseEnum({ type: 'boolean', enumText: 'true\nfalse' }).values).toEqual([true, false])
    expect(parseEnum({ type: 'number', enumText: '1.5\nabc' }).problem).toBe(
      '“abc” is not a number.',
    )
    expect(parseEnum({ type: 'integer', enumText: '1.5' }).problem).toBe('“1.5” is not a integer.')
    expect(parseEnum({ type: 'string', enumText: ' a \n\n b' }).values).toEqual(['a', 'b'])
  })

  it('pins each problem to its field', () => {
    const form = toForm([WEATHER, WEATHER])
    form[0]!.params[1]!.name = 'city'
    form[0]!.params[2]!.enumText = 'many'
    form[1]!.params.push(blankParam())
    expect(formProblems(form)).toEqual([
      { tool: 0, param: 1, field: 'name', message: '“city” is listed twice.' },
      { tool: 0, param: 2, field: 'enum', message: '“many” is not a integer.' },
      {
        tool: 1,
        param: null,
        field: 'name',
        message: 'Another tool is already called “get_weather”.',
      },
      { tool: 1, param: 4, field: 'name', message: 'Give the parameter a name.' },
    ])
    form[1]!.name = 'has space'
    expect(formProblems(form).find((p) => p.tool === 1 && p.param === null)?.message).toBe(
      'Use 1–64 letters, digits, _ or -.',
    )
  })

  it('emits edits from the form component and takes in tools changed elsewhere', async () => {
    const wrapper = mount(ToolsFormEditor, { props: { modelValue: [WEATHER] } })
    await wrapper.get('[data-testid="form-tool-name"]').setValue('weather_now')
    const emitted = wrapper.emitted('update:modelValue') as SuiteTool[][][]
    expect(emitted.at(-1)?.[0]?.[0]?.function.name).toBe('weather_now')
    await wrapper.get('[data-testid="form-add-param"]').trigger('click')
    expect(wrapper.emitted('problems')?.at(-1)).toEqual([1])
    expect(wrapper.findAll('[data-testid="form-problem"]').map((p) => p.text())).toEqual([
      'Give the parameter a name.',
    ])
    const count = emitted.length
    await wrapper.setProps({ modelValue: [] })
    expect(wrapper.findAll('[data-testid="form-tool"]')).toHaveLength(0)
    expect(emitted).toHaveLength(count) // taking outside tools in is not echoed back as an edit
  })
})

const CASES: SuiteCase[] = [
  {
    id: 'weather-single',
    category: 'simple',
    prompt: 'Weather in Paris?',
    order: 'unordered',
    expected_calls: [
      { name: 'get_weather', arguments: { city: { acceptable: ['Paris'], omittable: false } } },
    ],
  },
  {
    id: 'poem',
    category: 'irrelevance',
    prompt: 'A poem, please.',
    order: 'unordered',
    should_call_tool: false,
  },
  {
    id: 'chain',
    category: 'multi_turn',
    order: 'ordered',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Book it.' },
    ],
    multi_turn: { max_rounds: 3, mock_responses: [] },
  },
]

function suiteDetail(cases: SuiteCase[]): SuiteDetail {
  return {
    id: 's1',
    name: 'Trips',
    description: '',
    source: 'own',
    version: 2,
    case_count: cases.length,
    tool_count: 1,
    created_at: '',
    updated_at: '',
    suite: {
      format_version: 1,
      version: 2,
      name: 'Trips',
      description: '',
      tools: [WEATHER],
      cases,
    },
  }
}

function mountCases(): ReturnType<typeof mount> {
  useEvalsStore().suite = suiteDetail(CASES) // as the suite page leaves it
  return mount(CasesTable, {
    props: { suiteId: 's1', cases: CASES, toolNames: ['get_weather'] },
    attachTo: document.body,
  })
}

describe('case editor dialog', () => {
  it('summarises cases for the table', () => {
    expect(expectedSummary(CASES[0]!)).toBe('get_weather')
    expect(expectedSummary(CASES[1]!)).toBe('no tool call')
    expect(expectedSummary({ should_call_tool: true })).toBe('any tool call')
  })

  it('saves an edited case through PUT /api/suites/{id}, other cases unchanged', async () => {
    setActivePinia(createPinia())
    const fetch = stubApi({ '/api/suites/s1': { body: { ...suiteDetail(CASES), version: 3 } } })
    const wrapper = mountCases()
    await wrapper.get('[aria-label="Edit case weather-single"]').trigger('click')
    const editor = wrapper.get('[data-testid="case-editor"]')
    await editor.get('[data-testid="case-prompt-input"]').setValue('Weather in Lyon?')
    const city = editor.get('[data-argument="city"]')
    await city.get('[data-testid="value-input"]').setValue('Lyon')
    await city.get('[data-testid="argument-match"]').setValue('fuzzy')
    await city.get('[data-testid="argument-fuzzy-threshold"]').setValue('0.9')
    await wrapper.get('[data-testid="save-case"]').trigger('click')
    await flushPromises()
    const [put] = requestsTo(fetch, '/api/suites/s1')
    expect(put?.method).toBe('PUT')
    const body = (await put!.json()) as { cases: SuiteCase[]; tools: SuiteTool[] }
    expect(body.cases[0]).toEqual({
      id: 'weather-single',
      category: 'simple',
      prompt: 'Weather in Lyon?',
      messages: null,
      tools: null,
      expected_calls: [
        {
          name: 'get_weather',
          arguments: {
            city: {
              acceptable: ['Lyon'],
              objects: [],
              item_lists: [],
              omittable: false,
              match: 'fuzzy',
              fuzzy_threshold: 0.9,
              numeric_tolerance: null,
            },
          },
          sourced_arguments: [],
        },
      ],
      order: 'unordered',
      should_call_tool: null,
      multi_turn: null,
    })
    expect(body.cases.slice(1)).toEqual(CASES.slice(1))
    expect(body.tools).toEqual([WEATHER])
    wrapper.unmount()
  })

  it("starts a new call with the tool's required arguments, typed by their schema", async () => {
    setActivePinia(createPinia())
    stubApi({})
    const wrapper = mountCases()
    await wrapper.get('[data-testid="add-case"]').trigger('click')
    await wrapper.get('[data-testid="add-expected-call"]').trigger('click')
    await wrapper.get('[data-testid="call-tool"]').setValue('get_weather')
    const args = wrapper.findAll('[data-testid="argument-editor"]')
    expect(args.map((a) => a.attributes('data-argument'))).toEqual(['city'])
    const picks = wrapper.findAll('[data-testid="add-argument-pick"] option').map((o) => o.text())
    expect(picks).toEqual(['Add an argument…', 'unit', 'days', 'traveller', 'Another name…'])
    await wrapper.get('[data-testid="add-argument-pick"]').setValue('unit')
    await wrapper.get('[data-testid="add-argument"]').trigger('click')
    const unit = wrapper.get('[data-argument="unit"] [data-testid="value-input"]')
    expect(unit.element.tagName).toBe('SELECT')
    expect(unit.findAll('option').map((o) => o.text())).toEqual([
      'Pick a value',
      'celsius',
      'fahrenheit',
    ])
    wrapper.unmount()
  })

  it('drops the untouched blank value when an argument only needs to be present', async () => {
    setActivePinia(createPinia())
    stubApi({})
    const wrapper = mountCases()
    await wrapper.get('[data-testid="add-case"]').trigger('click')
    await wrapper.get('[data-testid="add-expected-call"]').trigger('click')
    await wrapper.get('[data-testid="call-tool"]').setValue('get_weather')
    await wrapper.get('[data-testid="add-argument-pick"]').setValue('traveller')
    await wrapper.get('[data-testid="add-argument"]').trigger('click')
    const traveller = wrapper.get('[data-argument="traveller"]')
    expect(traveller.findAll('[data-testid="accepted-value"]')).toHaveLength(1)
    await traveller.get('[data-testid="argument-match"]').setValue('present')
    expect(traveller.findAll('[data-testid="accepted-value"]')).toHaveLength(0)
    expect(traveller.text()).toContain('Must be sent; any value passes.')
    wrapper.unmount()
  })

  it('shows problems at their control and sends nothing', async () => {
    setActivePinia(createPinia())
    const fetch = stubApi({})
    const wrapper = mountCases()
    await wrapper.get('[data-testid="add-case"]').trigger('click')
    await wrapper.get('[data-testid="save-case"]').trigger('click')
    const prompt = wrapper.get('[data-testid="case-prompt-input"]')
    expect(prompt.attributes('aria-invalid')).toBe('true')
    const describedBy = prompt.attributes('aria-describedby')!
    expect(document.getElementById(describedBy)?.textContent?.trim()).toBe(
      'Write the prompt the model gets.',
    )
    expect(wrapper.get('[data-testid="case-problem-count"]').text()).toBe(
      '2 problems to fix before saving',
    )
    expect(requestsTo(fetch, '/api/suites/s1/cases')).toHaveLength(0)
    wrapper.unmount()
  })

  it('puts a server 422 next to the control it is about', async () => {
    setActivePinia(createPinia())
    stubApi({
      '/api/suites/s1': {
        status: 422,
        body: {
          error: {
            code: 'validation_error',
            message: 'Check the form',
            details: [
              {
                loc: [
                  'body',
                  'cases',
                  0,
                  'expected_calls',
                  0,
                  'arguments',
                  'city',
                  'numeric_tolerance',
                ],
                msg: 'Enter a number of at least 0.',
                type: 'greater_than_equal',
              },
            ],
          },
        },
      },
    })
    const wrapper = mountCases()
    await wrapper.get('[aria-label="Edit case weather-single"]').trigger('click')
    await wrapper.get('[data-testid="save-case"]').trigger('click')
    await flushPromises()
    const tolerance = wrapper.get(
      '[data-argument="city"] [data-testid="argument-numeric-tolerance"]',
    )
    expect(tolerance.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get('[data-argument="city"]').text()).toContain('Enter a number of at least 0.')
    wrapper.unmount()
  })
})

const row = (target: string, caseId: string, passed: boolean, category = 'simple'): CaseRow => ({
  id: `${target}-${caseId}`,
  target,
  case_id: caseId,
  category,
  passed,
  error_category: passed ? null : 'wrong_argument',
  latency_ms: 10,
  prompt_tokens: null,
  completion_tokens: null,
  finished_at: '2026-11-01T10:00:00Z',
})

describe('comparing two models case by case', () => {
  it('pairs the cases of the chosen targets, disagreements first', () => {
    const a = [
      row('A', 'c1', true),
      row('A', 'c2', false),
      row('A', 'c3', true),
      row('A', 'c4', true),
      row('Other', 'c1', false),
    ]
    const b = [row('B', 'c1', true), row('B', 'c2', true), row('B', 'c3', false)]
    const pairs = pairCases(a, 'A', b, 'B')
    expect(pairs.map((p) => [p.caseId, p.change])).toEqual([
      ['c3', 'lost'],
      ['c2', 'gained'],
      ['c4', 'missing'],
      ['c1', 'same'],
    ])
    expect(changeCounts(pairs)).toEqual({ lost: 1, gained: 1, missing: 1, same: 1 })
  })

  it('lines up the categories of both summaries', () => {
    const summary = (byCategory: Record<string, number>) =>
      ({
        by_category: Object.fromEntries(
          Object.entries(byCategory).map(([k, rate]) => [
            k,
            { successes: 0, total: 0, rate, ci95: null },
          ]),
        ),
      }) as unknown as ModelSummary
    expect(
      categoryRows(summary({ simple: 1, nested: 0.5 }), summary({ simple: 0.5, parallel: 0 })),
    ).toEqual([
      { category: 'nested', a: 0.5, b: null },
      { category: 'parallel', a: null, b: 0 },
      { category: 'simple', a: 1, b: 0.5 },
    ])
  })
})

describe('drill-down reasons', () => {
  const arg = (
    status: 'passed' | 'failed' | 'missing' | 'omitted' | 'ignored' | 'unexpected',
    extra: Record<string, unknown> = {},
  ) => ({
    name: 'from_currency',
    status,
    expected: ['USD'],
    actual: 'EUR',
    detail: "'from_currency': no match",
    ...extra,
  })

  it('says why each argument passed or failed', () => {
    expect(argumentReason(arg('failed'))).toBe('Sent "EUR", but accepted: "USD".')
    expect(argumentReason(arg('failed', { detail: 'similarity 0.40 below 0.90' }))).toBe(
      'Sent "EUR", but accepted: "USD" (similarity 0.40 below 0.90).',
    )
    expect(argumentReason(arg('missing', { actual: undefined }))).toBe(
      'Not sent, but the case requires it (accepted: "USD").',
    )
    expect(argumentReason(arg('passed', { actual: 'USD', detail: '' }))).toBe('Matches: "USD".')
    expect(argumentReason(arg('omitted'))).toBe('Not sent; the case allows leaving it out.')
    expect(argumentReason(arg('unexpected', { expected: [] }))).toBe(
      'Sent, but the case does not expect it.',
    )
    expect(argumentReason(arg('failed', { expected: [] }))).toBe(
      'Sent "EUR", but no value is listed as acceptable.',
    )
  })

  it('shows the arguments the model wrote as JSON values, unless they do not parse', () => {
    expect(
      readableCalls([
        { name: 'f', arguments: '{"a": 1}' },
        { name: 'g', arguments: '{"a": ' },
      ]),
    ).toEqual([
      { name: 'f', arguments: { a: 1 } },
      { name: 'g', arguments: '{"a": ' },
    ])
  })
})
