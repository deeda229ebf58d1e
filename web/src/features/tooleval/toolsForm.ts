// The tools editor's form view: each tool as name, description and a flat list of parameters,
// converted to and from the suite's OpenAI-style tools. Schema keys the form does not show
// (nested `properties`, `items`, `default`, `minimum`…) ride along untouched, so switching
// between the form and the JSON never loses anything.
import type { SuiteTool } from '@/stores/evals'

export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'] as const
export type ParamType = (typeof PARAM_TYPES)[number]

export interface FormParam {
  /** Stable key for v-for while names are being typed. */
  key: number
  name: string
  type: ParamType
  required: boolean
  description: string
  /** Allowed values, one per line (empty: any value). */
  enumText: string
  /** The property's other schema keys, kept as they were. */
  rest: Record<string, unknown>
}

export interface FormTool {
  key: number
  name: string
  description: string
  params: FormParam[]
  /** `parameters` keys besides type/properties/required (e.g. additionalProperties). */
  schemaRest: Record<string, unknown>
  /** Tool keys besides type/function (e.g. source_name). */
  toolRest: Record<string, unknown>
}

/** A problem shown next to the field it concerns. */
export interface FormProblem {
  tool: number
  param: number | null
  field: 'name' | 'enum'
  message: string
}

export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/

let nextKey = 1
const newKey = (): number => nextKey++

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function without(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)))
}

function typeOf(schema: Record<string, unknown>): ParamType {
  const type = schema.type
  return typeof type === 'string' && (PARAM_TYPES as readonly string[]).includes(type) ? (type as ParamType) : 'string'
}

function enumLines(values: unknown): string {
  if (!Array.isArray(values)) return ''
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\n')
}

function paramOf(name: string, schema: unknown, required: boolean): FormParam {
  const record = isRecord(schema) ? schema : {}
  return {
    key: newKey(),
    name,
    type: typeOf(record),
    required,
    description: typeof record.description === 'string' ? record.description : '',
    enumText: enumLines(record.enum),
    // A type the form cannot show (e.g. ["string", "null"]) stays in `rest` and wins on the way back.
    rest: without(record, typeof record.type === 'string' || record.type === undefined ? ['type', 'description', 'enum'] : ['description', 'enum']),
  }
}

export function toForm(tools: SuiteTool[]): FormTool[] {
  return tools.map((tool) => {
    const fn = tool.function
    const parameters: Record<string, unknown> = isRecord(fn.parameters) ? fn.parameters : {}
    const properties = isRecord(parameters.properties) ? parameters.properties : {}
    const required = Array.isArray(parameters.required) ? parameters.required.filter((r): r is string => typeof r === 'string') : []
    return {
      key: newKey(),
      name: fn.name,
      description: fn.description ?? '',
      params: Object.entries(properties).map(([name, schema]) => paramOf(name, schema, required.includes(name))),
      schemaRest: without(parameters, ['type', 'properties', 'required']),
      toolRest: without(tool as unknown as Record<string, unknown>, ['type', 'function']),
    }
  })
}

/** Enum lines as values of the parameter's type; a line that is not one is a problem. */
export function parseEnum(param: Pick<FormParam, 'type' | 'enumText'>): { values: unknown[] | null; problem: string | null } {
  const lines = param.enumText.split('\n').map((line) => line.trim()).filter((line) => line !== '')
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

function propertyOf(param: FormParam): Record<string, unknown> {
  const property: Record<string, unknown> = { type: param.type }
  if (param.description.trim() !== '') property.description = param.description.trim()
  const { values } = parseEnum(param)
  if (values) property.enum = values
  return { ...property, ...param.rest }
}

/** The form as suite tools (what the JSON view shows and the API stores). */
export function fromForm(form: FormTool[]): SuiteTool[] {
  return form.map((tool) => {
    const properties = Object.fromEntries(tool.params.map((param) => [param.name.trim(), propertyOf(param)]))
    const required = tool.params.filter((param) => param.required).map((param) => param.name.trim())
    const parameters: Record<string, unknown> = { type: 'object', properties, ...(required.length > 0 ? { required } : {}), ...tool.schemaRest }
    const fn: SuiteTool['function'] = { name: tool.name.trim(), description: tool.description.trim(), parameters }
    return { type: 'function', function: fn, ...tool.toolRest } as SuiteTool
  })
}

/** Every problem of the form, each pinned to its field. */
export function formProblems(form: FormTool[]): FormProblem[] {
  const problems: FormProblem[] = []
  const toolNames = new Set<string>()
  form.forEach((tool, index) => {
    const name = tool.name.trim()
    if (!TOOL_NAME.test(name)) {
      problems.push({ tool: index, param: null, field: 'name', message: 'Use 1–64 letters, digits, _ or -.' })
    } else if (toolNames.has(name)) {
      problems.push({ tool: index, param: null, field: 'name', message: `Another tool is already called “${name}”.` })
    }
    toolNames.add(name)
    const paramNames = new Set<string>()
    tool.params.forEach((param, position) => {
      const paramName = param.name.trim()
      if (paramName === '') problems.push({ tool: index, param: position, field: 'name', message: 'Give the parameter a name.' })
      else if (paramNames.has(paramName)) problems.push({ tool: index, param: position, field: 'name', message: `“${paramName}” is listed twice.` })
      paramNames.add(paramName)
      const { problem } = parseEnum(param)
      if (problem) problems.push({ tool: index, param: position, field: 'enum', message: problem })
    })
  })
  return problems
}

export function blankTool(existing: FormTool[]): FormTool {
  const taken = new Set(existing.map((tool) => tool.name))
  let number = existing.length + 1
  while (taken.has(`new_tool_${number}`)) number += 1
  return { key: newKey(), name: `new_tool_${number}`, description: '', params: [], schemaRest: {}, toolRest: {} }
}

export function blankParam(): FormParam {
  return { key: newKey(), name: '', type: 'string', required: false, description: '', enumText: '', rest: {} }
}
