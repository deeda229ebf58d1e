// A cross-case report's written findings grouped for reading: failure patterns by category
// then tool, recommendations by kind. Cited case ids are links into the drill-down; ids the
// report did not use are shown plain (the server already dropped the unknown ones).

export interface FailurePattern {
  category?: string | null
  tool?: string | null
  pattern: string
  case_ids?: string[]
}

export interface Recommendation {
  kind: string
  text: string
  case_ids?: string[]
}

export interface PatternGroup {
  category: string
  patterns: FailurePattern[]
}

export function groupPatterns(patterns: readonly FailurePattern[]): PatternGroup[] {
  const groups = new Map<string, FailurePattern[]>()
  for (const p of patterns) {
    const key = p.category || 'Any category'
    groups.set(key, [...(groups.get(key) ?? []), p])
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, list]) => ({
      category,
      patterns: [...list].sort((x, y) => (x.tool ?? '').localeCompare(y.tool ?? '')),
    }))
}

const KIND_LABELS: Record<string, string> = {
  prompt: 'Prompt change',
  parameter: 'Parameter change',
  other: 'Other',
}

export function recommendationLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind
}

/** Grade letter → tone for its badge. */
export function gradeTone(grade: string | null | undefined): 'good' | 'warn' | 'bad' | 'neutral' {
  if (grade === 'A' || grade === 'B') return 'good'
  if (grade === 'C' || grade === 'D') return 'warn'
  if (grade === 'F') return 'bad'
  return 'neutral'
}

export const GRADE_RULE =
  'A: pass rate ≥ 90% and mean score ≥ 4.5 · B: 80% / 4.0 · C: 65% / 3.5 · D: 50% / 3.0 · else F'
