// Parameter-set parameters as editable rows (name, value text) and back. Values are typed the way
// would expect: 0.7 is a number, true a boolean, ["a","b"] a list, anything else a string.
export type ParamValue = string | number | boolean | null | (string | number | boolean)[]

export interface ParamRow {
  name: string
  value: string
}

export function parseParamValue(text: string): ParamValue {
  const trimmed = text.trim()
  if (trimmed === '') return ''
  try {
    const parsed: unknown = JSON.parse(trimmed)
    if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed))
      return parsed as ParamValue
    if (
      Array.isArray(parsed) &&
      parsed.every((item) => ['string', 'number', 'boolean'].includes(typeof item))
    ) {
      return parsed as (string | number | boolean)[]
    }
  } catch {
    // Not JSON: plain text.
  }
  return trimmed
}

export function rowsToParams(rows: ParamRow[]): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {}
  for (const row of rows) if (row.name.trim()) params[row.name.trim()] = parseParamValue(row.value)
  return params
}

export function paramsToRows(params: Record<string, unknown> | undefined): ParamRow[] {
  return Object.entries(params ?? {}).map(([name, value]) => ({
    name,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }))
}
