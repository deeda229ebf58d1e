// The tools form never rewrites what it was not asked to change: for arbitrary tool schemas,
// toForm → fromForm is the identity (key order included), and editing one description changes
// only that description.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { fromForm, toForm } from '@/features/tooleval/toolsForm'
import type { SuiteTool } from '@/stores/evals'

const FLOAT_OR_NONE: SuiteTool = {
  type: 'function',
  function: {
    name: 'set_temperature',
    description: 'Set the thermostat.',
    parameters: {
      type: 'object',
      properties: {
        celsius: {
          anyOf: [{ type: 'number' }, { type: 'null' }],
          default: null,
          description: 'Target',
        },
        offset: { type: ['number', 'null'], title: 'Offset' },
      },
      required: ['celsius'],
    },
  },
}

const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>
const word = fc.string({ minLength: 1, maxLength: 12 })
const text = fc.string({ maxLength: 20 })
const simpleType = fc.constantFrom(
  'string',
  'integer',
  'number',
  'boolean',
  'array',
  'object',
  'null',
)

/** Parameter schemas of every kind the form meets: plain, nullable, unions, enums, nested, odd. */
const schema: fc.Arbitrary<unknown> = fc.letrec<{ s: unknown }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: simpleType, description: text }, { requiredKeys: ['type'] }),
    fc.record(
      { type: fc.constantFrom('string'), enum: fc.array(text, { maxLength: 4 }), default: text },
      { requiredKeys: ['type', 'enum'] },
    ),
    fc.record(
      {
        type: fc.constantFrom('integer', 'number'),
        enum: fc.array(json, { maxLength: 3 }),
        minimum: fc.integer(),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        anyOf: fc.array(tie('s'), { minLength: 1, maxLength: 3 }),
        description: text,
        default: json,
      },
      { requiredKeys: ['anyOf'] },
    ),
    fc.record({ oneOf: fc.array(tie('s'), { minLength: 1, maxLength: 3 }) }),
    fc.record(
      {
        type: fc.array(simpleType, { minLength: 1, maxLength: 3 }),
        description: text,
        format: word,
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.constant('object'),
        properties: fc.dictionary(word, tie('s'), { maxKeys: 3 }),
        required: fc.array(word, { maxLength: 2 }),
        additionalProperties: fc.boolean(),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      { type: fc.constant('array'), items: tie('s'), minItems: fc.nat(5) },
      { requiredKeys: ['type'] },
    ),
    fc.dictionary(word, json, { maxKeys: 4 }),
    fc.boolean(),
  ),
})).s

const tool: fc.Arbitrary<SuiteTool> = fc
  .record(
    {
      name: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
      description: text,
      properties: fc.dictionary(word, schema, { maxKeys: 5 }),
      required: fc.array(word, { maxLength: 3 }),
      extra: fc.dictionary(word, json, { maxKeys: 2 }),
      omitParameters: fc.boolean(),
      sourceName: fc.option(word, { nil: undefined }),
    },
    { requiredKeys: ['name', 'properties', 'required', 'extra', 'omitParameters'] },
  )
  .map(({ name, description, properties, required, extra, omitParameters, sourceName }) => {
    const parameters = {
      type: 'object',
      ...extra,
      properties,
      ...(required.length > 0
        ? { required: [...required, ...Object.keys(properties).slice(0, 1)] }
        : {}),
    }
    const fn = {
      name,
      ...(description === undefined ? {} : { description }),
      ...(omitParameters ? {} : { parameters }),
    }
    return {
      type: 'function',
      function: fn,
      ...(sourceName === undefined ? {} : { source_name: sourceName }),
    } as SuiteTool
  })

const tools = fc.array(tool, { maxLength: 3 })

describe('tools form round trips', () => {
  it('keeps a `float | None` parameter as it is when only its description changes (issue 17, bug 9)', () => {
    const form = toForm([FLOAT_OR_NONE])
    const [celsius, offset] = form[0]!.params
    expect(celsius?.structural).toBe(false)
    expect(celsius?.summary).toBe('number | null')
    expect(offset?.summary).toBe('number | null')
    celsius!.description = 'Target temperature'
    offset!.description = 'Added to the reading'
    const properties = fromForm(form)[0]!.function.parameters!.properties as Record<string, unknown>
    expect(properties.celsius).toEqual({
      anyOf: [{ type: 'number' }, { type: 'null' }],
      default: null,
      description: 'Target temperature',
    })
    expect(properties.offset).toEqual({
      type: ['number', 'null'],
      title: 'Offset',
      description: 'Added to the reading',
    })
  })

  it('toForm → fromForm is the identity for any tool schema', () => {
    fc.assert(
      fc.property(tools, (input) => {
        expect(JSON.stringify(fromForm(toForm(input)))).toBe(JSON.stringify(input))
      }),
      { numRuns: 300 },
    )
  })

  it('editing one description changes only that description', () => {
    const withParam = tools.filter((list) =>
      list.some((t) =>
        Object.values((t.function.parameters?.properties ?? {}) as object).some(
          (s) => typeof s === 'object' && s !== null && !Array.isArray(s),
        ),
      ),
    )
    const newText = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => s.trim() === s && s !== '')
    fc.assert(
      fc.property(withParam, fc.nat(), newText, (input, pick, description) => {
        const form = toForm(input)
        const editable = form.flatMap((t, ti) =>
          t.params
            .map((p) => ({ ti, p }))
            .filter(
              ({ p }) =>
                typeof p.original === 'object' && p.original !== null && !Array.isArray(p.original),
            ),
        )
        const { ti, p } = editable[pick % editable.length]!
        fc.pre(p.description !== description)
        p.description = description
        const expected = structuredClone(input)
        const properties = expected[ti]!.function.parameters!.properties as Record<
          string,
          Record<string, unknown>
        >
        properties[p.name]!.description = description
        expect(fromForm(form)).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('editing a tool description changes only that description', () => {
    fc.assert(
      fc.property(
        tools.filter((l) => l.length > 0),
        fc.nat(),
        fc.stringMatching(/^[a-z][a-z .]{0,19}$/),
        (input, pick, description) => {
          const form = toForm(input)
          const index = pick % form.length
          fc.pre(form[index]!.description !== description.trim())
          form[index]!.description = description
          const expected = structuredClone(input)
          expected[index]!.function.description = description.trim()
          expect(fromForm(form)).toEqual(expected)
        },
      ),
      { numRuns: 200 },
    )
  })
})
