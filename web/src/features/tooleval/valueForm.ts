// One JSON value as a form control: its kind (text, number, true/false, null, or JSON for lists
// and objects) and the text typed. The kind comes from the value, or from the argument's JSON
// schema for a new value, so a number is typed in a number field and an enum picked from a list.

export type ValueKind = 'string' | 'number' | 'boolean' | 'null' | 'json'

export interface ValueForm {
  kind: ValueKind
  text: string
}

export const VALUE_KINDS: readonly { value: ValueKind; label: string }[] = [
  { value: 'string', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'True/false' },
  { value: 'null', label: 'Null' },
  { value: 'json', label: 'List/object (JSON)' },
]

export function valueFormOf(value: unknown): ValueForm {
  if (typeof value === 'string') return { kind: 'string', text: value }
  if (typeof value === 'number') return { kind: 'number', text: String(value) }
  if (typeof value === 'boolean') return { kind: 'boolean', text: String(value) }
  if (value === null || value === undefined) return { kind: 'null', text: '' }
  return { kind: 'json', text: JSON.stringify(value) }
}

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: string }

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** The value a control holds, or why it is not one. */
export function parseValueForm(form: ValueForm): Parsed {
  switch (form.kind) {
    case 'string':
      return { ok: true, value: form.text }
    case 'number': {
      const text = form.text.trim()
      const number = Number(text)
      if (!NUMBER.test(text) || !Number.isFinite(number))
        return { ok: false, problem: 'Enter a number, e.g. 42 or 19.99.' }
      return { ok: true, value: number }
    }
    case 'boolean':
      return { ok: true, value: form.text === 'true' }
    case 'null':
      return { ok: true, value: null }
    case 'json':
      return parseJson(form.text, 'a list or object')
  }
}

/** JSON text, with a message naming what was expected when it does not parse. */
export function parseJson(text: string, what: string): Parsed {
  if (text.trim() === '') return { ok: false, problem: `Enter ${what} as JSON.` }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, problem: `Not valid JSON: ${(error as Error).message}` }
  }
}

export interface PropertySchema {
  type?: string | string[]
  enum?: unknown[]
  description?: string
  default?: unknown
  items?: unknown
  properties?: Record<string, unknown>
}

function schemaType(schema: PropertySchema | undefined): string | undefined {
  const type = schema?.type
  if (Array.isArray(type)) return type.find((t) => t !== 'null')
  return type
}

/** The kind a new value of this property gets: numbers for integer/number, and so on. */
export function kindForSchema(schema: PropertySchema | undefined): ValueKind {
  const first = schema?.enum?.[0]
  if (first !== undefined) return valueFormOf(first).kind
  switch (schemaType(schema)) {
    case 'integer':
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'array':
    case 'object':
      return 'json'
    case 'null':
      return 'null'
    default:
      return 'string'
  }
}

/** An empty value of the kind the schema asks for (booleans start true, JSON as an empty list). */
export function blankValueForm(schema: PropertySchema | undefined): ValueForm {
  const kind = kindForSchema(schema)
  if (kind === 'boolean') return { kind, text: 'true' }
  if (kind === 'json') return { kind, text: schemaType(schema) === 'object' ? '{}' : '[]' }
  return { kind, text: '' }
}

/** Enum members offered by a select, when the value is one of them (or still empty). */
export function enumOptions(schema: PropertySchema | undefined, form: ValueForm): string[] | null {
  const members = schema?.enum
  if (!members || members.length === 0 || form.kind !== 'string') return null
  const strings = members.filter((m): m is string => typeof m === 'string')
  if (strings.length !== members.length) return null
  if (form.text !== '' && !strings.includes(form.text)) return null
  return strings
}
