// The tools editor's form view: each tool as name, description and a flat list of parameters,
// converted to and from the suite's OpenAI-style tools.
//
// Lossless by construction: each tool and parameter keeps the JSON it came from, and the way
// back starts from that JSON and writes only the fields the user changed in the form. Nothing
// the form does not show (anyOf / oneOf, nullable types, nested objects, defaults, formats,
// unknown keywords, key order) is rewritten. A parameter whose schema the form cannot show as
// one type with allowed values (e.g. `float | None`) is `structural: false`: its type and
// allowed values are read-only, its description, name and required flag stay editable.
import type { SuiteTool } from '@/stores/evals'

export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'] as const
export type ParamType = (typeof PARAM_TYPES)[number]

/** The fields the form edits, as they were when the form was built (to detect edits). */
interface ParamFields {
  name: string
  type: ParamType
  required: boolean
  description: string
  enumText: string
}

export interface FormParam extends ParamFields {
  /** Stable key for v-for while names are being typed. */
  key: number
  /** The property's schema as it came (undefined: a parameter added in the form). */
  original?: unknown
  /** The form fields as first shown; only fields that differ are written back. */
  initial?: ParamFields
  /** False: the form cannot show this schema's type / allowed values; they are read-only. */
  structural: boolean
  /** How a non-structural schema reads, e.g. "number | null". */
  summary: string
}

export interface FormTool {
  key: number
  name: string
  description: string
  params: FormParam[]
  /** The tool as it came (undefined: a tool added in the form). */
  original?: SuiteTool
  initial?: { name: string; description: string }
}

/** A problem shown next to the field it concerns. */
export interface FormProblem {
  tool: number
  param: number | null
  field: 'name' | 'enum'
  message: string
}

export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/

/** Schema keywords that make a parameter more than "one type with allowed values". */
const COMPOSITE_KEYS = ['anyOf', 'oneOf', 'allOf', 'not', '$ref', 'const', 'if', 'then', 'else']

let nextKey = 1
const newKey = (): number => nextKey++

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isParamType(value: unknown): value is ParamType {
  return typeof value === 'string' && (PARAM_TYPES as readonly string[]).includes(value)
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function enumLines(values: unknown): string {
  if (!Array.isArray(values)) return ''
  return values
    .map((value) => (typeof value === 'string' ? value : JSON.stringify(value)))
    .join('\n')
}

/** A short reading of a schema the form cannot edit structurally: "number | null", "custom". */
export function schemaSummary(schema: unknown): string {
  if (!isRecord(schema)) return schema === true ? 'any value' : 'custom schema'
  const typeName = (s: unknown): string | null => {
    if (!isRecord(s)) return null
    if (typeof s.type === 'string') return s.type
    if (Array.isArray(s.type)) return s.type.map(String).join(' | ')
    if ('const' in s) return JSON.stringify(s.const)
    return null
  }
  const options = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : null
  if (options) {
    const names = options.map(typeName)
    if (names.every((n) => n !== null)) return names.join(' | ')
  }
  return typeName(schema) ?? 'custom schema'
}

function paramOf(name: string, schema: unknown, required: boolean): FormParam {
  const record = isRecord(schema) ? schema : {}
  const type: ParamType = isParamType(record.type) ? record.type : 'string'
  const fields: ParamFields = {
    name,
    type,
    required,
    description: typeof record.description === 'string' ? record.description : '',
    enumText: enumLines(record.enum),
  }
  const enumFits = record.enum === undefined || same(parseEnum(fields).values, record.enum)
  const structural =
    isRecord(schema) &&
    isParamType(schema.type) &&
    enumFits &&
    !COMPOSITE_KEYS.some((key) => key in record)
  return {
    key: newKey(),
    ...fields,
    original: schema,
    initial: { ...fields },
    structural,
    summary: structural ? type : schemaSummary(schema),
  }
}

export function toForm(tools: SuiteTool[]): FormTool[] {
  return tools.map((tool) => {
    const fn = tool.function
    const parameters: Record<string, unknown> = isRecord(fn.parameters) ? fn.parameters : {}
    const properties = isRecord(parameters.properties) ? parameters.properties : {}
    const required = Array.isArray(parameters.required)
      ? parameters.required.filter((r): r is string => typeof r === 'string')
      : []
    const description = typeof fn.description === 'string' ? fn.description : ''
    return {
      key: newKey(),
      name: fn.name,
      description,
      params: Object.entries(properties).map(([name, schema]) =>
        paramOf(name, schema, required.includes(name)),
      ),
      original: tool,
      initial: { name: fn.name, description },
    }
  })
}

/** Enum lines as values of the parameter's type; a line that is not one is a problem. */
export function parseEnum(param: Pick<FormParam, 'type' | 'enumText'>): {
  values: unknown[] | null
  problem: string | null
} {
  const lines = param.enumText
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  if (lines.length === 0) return { values: null, problem: null }
  if (param.type === 'string') return { values: lines, problem: null }
  const values: unknown[] = []
  for (const line of lines) {
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      return { values: null, problem: `“${line}” is not a ${param.type}.` }
    }
    const fits =
      (param.type === 'integer' && Number.isInteger(value)) ||
      (param.type === 'number' && typeof value === 'number') ||
      (param.type === 'boolean' && typeof value === 'boolean') ||
      (param.type === 'array' && Array.isArray(value)) ||
      (param.type === 'object' && isRecord(value))
    if (!fits) return { values: null, problem: `“${line}” is not a ${param.type}.` }
    values.push(value)
  }
  return { values, problem: null }
}

/** Set or drop a key; an existing key keeps its place in the object. */
function put(record: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete record[key]
  else record[key] = value
}

function propertyOf(param: FormParam): unknown {
  const initial = param.initial
  if (initial === undefined || !isRecord(param.original)) {
    if (initial !== undefined) return param.original // not an object schema (e.g. `true`): as it came
    const property: Record<string, unknown> = { type: param.type }
    if (param.description.trim() !== '') property.description = param.description.trim()
    const { values } = parseEnum(param)
    if (values) property.enum = values
    return property
  }
  const property: Record<string, unknown> = { ...param.original }
  if (param.description !== initial.description)
    put(property, 'description', param.description.trim() || undefined)
  if (param.structural) {
    if (param.type !== initial.type) put(property, 'type', param.type)
    if (param.enumText !== initial.enumText || param.type !== initial.type)
      put(property, 'enum', parseEnum(param).values ?? undefined)
  }
  return property
}

function paramName(param: FormParam): string {
  return param.initial !== undefined && param.name === param.initial.name
    ? param.name
    : param.name.trim()
}

/** The `required` list: the original's order and entries kept, with the form's changes applied. */
function requiredOf(before: unknown[], params: FormParam[], listed: Set<string>): unknown[] {
  const renamed = new Map(
    params.filter((p) => p.initial !== undefined).map((p) => [p.initial!.name, p]),
  )
  const kept = before.flatMap((entry): unknown[] => {
    const param = typeof entry === 'string' ? renamed.get(entry) : undefined
    if (param === undefined) return typeof entry === 'string' && listed.has(entry) ? [] : [entry] // removed; or not a parameter: left as it was
    return param.required ? [paramName(param)] : []
  })
  const added = params
    .filter((p) => p.required && !(p.initial !== undefined && before.includes(p.initial.name)))
    .map(paramName)
  return [...kept, ...added]
}

function parametersOf(tool: FormTool): Record<string, unknown> | undefined {
  const fn = tool.original?.function
  const original = isRecord(fn?.parameters) ? fn.parameters : undefined
  const properties = Object.fromEntries(
    tool.params.map((param) => [paramName(param), propertyOf(param)]),
  )
  if (original === undefined) {
    const required = tool.params.filter((param) => param.required).map(paramName)
    if (fn !== undefined && fn.parameters === undefined && tool.params.length === 0)
      return undefined
    return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
  }
  // Compared with what the form read, so a shape it did not read (e.g. no list) stays as it is.
  const parameters: Record<string, unknown> = { ...original }
  if (!same(isRecord(original.properties) ? original.properties : {}, properties))
    parameters.properties = properties
  const before = Array.isArray(original.required) ? original.required : []
  const required = requiredOf(
    before,
    tool.params,
    new Set(isRecord(original.properties) ? Object.keys(original.properties) : []),
  )
  if (!same(before, required))
    put(
      parameters,
      'required',
      required.length > 0 || 'required' in original ? required : undefined,
    )
  return parameters
}

/** The form as suite tools (what the JSON view shows and the API stores). */
export function fromForm(form: FormTool[]): SuiteTool[] {
  return form.map((tool) => {
    const initial = tool.initial
    const name = initial !== undefined && tool.name === initial.name ? tool.name : tool.name.trim()
    const parameters = parametersOf(tool)
    if (tool.original === undefined || initial === undefined) {
      return {
        type: 'function',
        function: {
          name,
          description: tool.description.trim(),
          ...(parameters ? { parameters } : {}),
        },
      } as SuiteTool
    }
    const fn: Record<string, unknown> = { ...tool.original.function }
    put(fn, 'name', name)
    if (tool.description !== initial.description) put(fn, 'description', tool.description.trim())
    put(fn, 'parameters', parameters)
    return { ...tool.original, function: fn } as SuiteTool
  })
}

/** Every problem of the form, each pinned to its field. */
export function formProblems(form: FormTool[]): FormProblem[] {
  const problems: FormProblem[] = []
  const toolNames = new Set<string>()
  form.forEach((tool, index) => {
    const name = tool.name.trim()
    if (!TOOL_NAME.test(name)) {
      problems.push({
        tool: index,
        param: null,
        field: 'name',
        message: 'Use 1–64 letters, digits, _ or -.',
      })
    } else if (toolNames.has(name)) {
      problems.push({
        tool: index,
        param: null,
        field: 'name',
        message: `Another tool is already called “${name}”.`,
      })
    }
    toolNames.add(name)
    const paramNames = new Set<string>()
    tool.params.forEach((param, position) => {
      const paramName = param.name.trim()
      if (paramName === '')
        problems.push({
          tool: index,
          param: position,
          field: 'name',
          message: 'Give the parameter a name.',
        })
      else if (paramNames.has(paramName))
        problems.push({
          tool: index,
          param: position,
          field: 'name',
          message: `“${paramName}” is listed twice.`,
        })
      paramNames.add(paramName)
      const { problem } = param.structural ? parseEnum(param) : { problem: null }
      if (problem) problems.push({ tool: index, param: position, field: 'enum', message: problem })
    })
  })
  return problems
}

export function blankTool(existing: FormTool[]): FormTool {
  const taken = new Set(existing.map((tool) => tool.name))
  let number = existing.length + 1
  while (taken.has(`new_tool_${number}`)) number += 1
  return { key: newKey(), name: `new_tool_${number}`, description: '', params: [] }
}

export function blankParam(): FormParam {
  return {
    key: newKey(),
    name: '',
    type: 'string',
    required: false,
    description: '',
    enumText: '',
    structural: true,
    summary: 'string',
  }
}
