// Validation of the tools editor's JSON before it is sent: the shape the suite file expects
// (an array of {"type": "function", "function": {"name", "description", "parameters"}}).
import type { SuiteTool } from '@/stores/evals'

export type ToolsCheck = { tools: SuiteTool[]; problem: null } | { tools: null; problem: string }

const NAME = /^[A-Za-z0-9_-]{1,64}$/

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function problemOf(tool: unknown, index: number, seen: Set<string>): string | null {
  const where = `Tool ${index + 1}`
  if (!isRecord(tool)) return `${where} is not an object.`
  if (tool.type !== 'function') return `${where}: "type" must be "function".`
  const fn = tool.function
  if (!isRecord(fn)) return `${where}: "function" must be an object.`
  if (typeof fn.name !== 'string' || !NAME.test(fn.name))
    return `${where}: "function.name" must be 1–64 letters, digits, _ or -.`
  if (seen.has(fn.name)) return `${where}: the name “${fn.name}” is used twice.`
  seen.add(fn.name)
  if (fn.parameters !== undefined && !isRecord(fn.parameters))
    return `${where} (${fn.name}): "parameters" must be a JSON Schema object.`
  if (
    isRecord(fn.parameters) &&
    fn.parameters.type !== undefined &&
    fn.parameters.type !== 'object'
  ) {
    return `${where} (${fn.name}): "parameters.type" must be "object".`
  }
  return null
}

export function checkToolsJson(text: string): ToolsCheck {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { tools: null, problem: `Not valid JSON: ${(error as Error).message}` }
  }
  if (!Array.isArray(parsed)) return { tools: null, problem: 'Tools must be a JSON array.' }
  const seen = new Set<string>()
  for (const [index, tool] of parsed.entries()) {
    const problem = problemOf(tool, index, seen)
    if (problem) return { tools: null, problem }
  }
  return { tools: parsed as SuiteTool[], problem: null }
}
