// A suite's earlier versions: what changed between a version and the current one, and how the
// server's change notes read.
import type { components } from '@/api/schema'

export type SuiteSnapshot = components['schemas']['Suite']
export type SuiteVersion = components['schemas']['SuiteVersionOut']

export interface VersionChanges {
  addedCases: string[]
  removedCases: string[]
  changedCases: string[]
  addedTools: string[]
  removedTools: string[]
  changedTools: string[]
  /** Name, description or system prompt differ. */
  detailsChanged: boolean
}

type Keyed = { id: string } | { function: { name: string } }

function keyOf(item: Keyed): string {
  return 'id' in item ? item.id : item.function.name
}

/** Key order must not count as a change: objects are compared with their keys sorted. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : inner,
  )
}

function diffByKey<T extends Keyed>(
  from: T[],
  to: T[],
): { added: string[]; removed: string[]; changed: string[] } {
  const before = new Map(from.map((item) => [keyOf(item), canonical(item)]))
  const after = new Map(to.map((item) => [keyOf(item), canonical(item)]))
  return {
    added: [...after.keys()].filter((key) => !before.has(key)),
    removed: [...before.keys()].filter((key) => !after.has(key)),
    changed: [...after.keys()].filter(
      (key) => before.has(key) && before.get(key) !== after.get(key),
    ),
  }
}

/** What going from `from` (an older version) to `to` (e.g. the current one) changes. */
export function versionChanges(from: SuiteSnapshot, to: SuiteSnapshot): VersionChanges {
  const cases = diffByKey(from.cases ?? [], to.cases ?? [])
  const tools = diffByKey(from.tools ?? [], to.tools ?? [])
  return {
    addedCases: cases.added,
    removedCases: cases.removed,
    changedCases: cases.changed,
    addedTools: tools.added,
    removedTools: tools.removed,
    changedTools: tools.changed,
    detailsChanged:
      from.name !== to.name ||
      (from.description ?? '') !== (to.description ?? '') ||
      (from.system_prompt ?? null) !== (to.system_prompt ?? null),
  }
}

function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

/** One line for people: e.g. "1 case added, 2 cases changed, tools changed: get_weather". */
export function describeChanges(changes: VersionChanges): string {
  const parts: string[] = []
  if (changes.addedCases.length)
    parts.push(`${counted(changes.addedCases.length, 'case', 'cases')} added`)
  if (changes.removedCases.length)
    parts.push(`${counted(changes.removedCases.length, 'case', 'cases')} removed`)
  if (changes.changedCases.length)
    parts.push(`${counted(changes.changedCases.length, 'case', 'cases')} changed`)
  if (changes.addedTools.length) parts.push(`tools added: ${changes.addedTools.join(', ')}`)
  if (changes.removedTools.length) parts.push(`tools removed: ${changes.removedTools.join(', ')}`)
  if (changes.changedTools.length) parts.push(`tools changed: ${changes.changedTools.join(', ')}`)
  if (changes.detailsChanged) parts.push('name, description or system prompt changed')
  return parts.length ? parts.join(', ') : 'Same content as the current version'
}

/** The server's change notes ("edited tools", "created (sample)"), as a sentence start. */
export function noteLabel(note: string): string {
  const trimmed = note.trim()
  return trimmed ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1) : '—'
}
