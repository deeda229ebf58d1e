// The prompt library's page logic: kind labels, the list's filters as a query, placeholders
// split out of a text (to highlight them), and a diff's lines paired into side-by-side rows.
import type { components } from '@/api/schema'

export type PromptEntry = components['schemas']['PromptEntryOut']
export type PromptDetail = components['schemas']['PromptDetail']
export type PromptVersion = components['schemas']['PromptVersionOut']
export type PromptDiff = components['schemas']['PromptDiffOut']
export type PromptUsage = components['schemas']['PromptUsageOut']
export type PromptKind = PromptEntry['kind']
export type DiffLine = PromptDiff['lines'][number]

export const KINDS: { id: PromptKind; label: string; hint: string }[] = [
  { id: 'system', label: 'System', hint: 'System prompts for the models you test.' },
  { id: 'judge', label: 'Judge', hint: 'Rubrics an LLM judge grades tool calls with.' },
  { id: 'meta', label: 'Meta', hint: 'Prompts that write or improve other prompts.' },
  { id: 'benchmark', label: 'Benchmark', hint: 'A system and user prompt to benchmark with.' },
]

export function kindLabel(kind: string): string {
  return KINDS.find((k) => k.id === kind)?.label ?? kind
}

export function isKind(value: unknown): value is PromptKind {
  return typeof value === 'string' && KINDS.some((k) => k.id === value)
}

export interface LibraryFilters {
  kind: PromptKind | ''
  tag: string
  q: string
}

/** The API query for the list: empty filters left out. */
export function filterQuery(filters: LibraryFilters): {
  kind?: PromptKind
  tag?: string
  q?: string
} {
  const query: { kind?: PromptKind; tag?: string; q?: string } = {}
  if (filters.kind) query.kind = filters.kind
  if (filters.tag.trim()) query.tag = filters.tag.trim().toLowerCase()
  if (filters.q.trim()) query.q = filters.q.trim()
  return query
}

/** Tags typed as "a, b ,c" → ["a", "b", "c"] (the server lower-cases and de-duplicates). */
export function parseTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
}

export interface TextSegment {
  text: string
  placeholder: boolean
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** A text cut into plain runs and `{placeholder}` runs, in order (joined, the text again). */
export function segments(text: string): TextSegment[] {
  const out: TextSegment[] = []
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    const start = match.index
    if (start > last) out.push({ text: text.slice(last, start), placeholder: false })
    out.push({ text: match[0], placeholder: true })
    last = start + match[0].length
  }
  if (last < text.length) out.push({ text: text.slice(last), placeholder: false })
  return out
}

export interface SideBySideRow {
  left: DiffLine | null
  right: DiffLine | null
}

/** Pair each run of deleted lines with the run of inserted lines after it, row by row, so a
 * changed line sits next to its replacement; equal lines fill both sides. */
export function sideBySide(lines: DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = []
  let deleted: DiffLine[] = []
  let inserted: DiffLine[] = []
  const flush = (): void => {
    for (let i = 0; i < Math.max(deleted.length, inserted.length); i += 1) {
      rows.push({ left: deleted[i] ?? null, right: inserted[i] ?? null })
    }
    deleted = []
    inserted = []
  }
  for (const line of lines) {
    if (line.op === 'equal') {
      flush()
      rows.push({ left: line, right: line })
    } else if (line.op === 'delete') {
      if (inserted.length) flush() // a deletion after insertions starts a new change
      deleted.push(line)
    } else {
      inserted.push(line)
    }
  }
  flush()
  return rows
}

/** The text a new version starts from: the latest version's, as editable fields. */
export function draftFrom(version: PromptVersion): {
  systemPrompt: string
  userPrompt: string
  body: string
  note: string
} {
  return {
    systemPrompt: version.system_prompt,
    userPrompt: version.user_prompt,
    body: version.body,
    note: '',
  }
}

/** Where a use links to in the app (null when there is no page for it yet). */
export function usageLink(usage: PromptUsage): string | null {
  if (usage.used_by_kind === 'benchmark_run') return `/benchmarks/${usage.used_by_id}`
  if (usage.used_by_kind === 'eval_run') return `/tool-eval/runs/${usage.used_by_id}`
  if (usage.used_by_kind === 'judge_report') return `/judge/reports/${usage.used_by_id}`
  return null
}

export function usageKindLabel(kind: string): string {
  const labels: Record<string, string> = {
    benchmark_run: 'Benchmark run',
    eval_run: 'Eval run',
    judge_report: 'Judge report',
  }
  return labels[kind] ?? kind.replace(/_/g, ' ')
}
