// Two models' case results side by side (two runs, or two targets of one run): which cases
// only one of them passed, and how each category's pass rate moved.
import type { CaseRow, ModelSummary } from '@/stores/evals'

export interface CasePair {
  caseId: string
  category: string
  a: CaseRow | null
  b: CaseRow | null
  /** 'gained': only B passed; 'lost': only A passed; 'same': both agree; 'missing': one side has no result. */
  change: 'gained' | 'lost' | 'same' | 'missing'
}

export interface CategoryRow {
  category: string
  a: number | null
  b: number | null
}

export function pairCases(
  aRows: CaseRow[],
  aTarget: string,
  bRows: CaseRow[],
  bTarget: string,
): CasePair[] {
  const left = new Map(aRows.filter((r) => r.target === aTarget).map((r) => [r.case_id, r]))
  const right = new Map(bRows.filter((r) => r.target === bTarget).map((r) => [r.case_id, r]))
  const ids = [...new Set([...left.keys(), ...right.keys()])]
  return ids
    .map((caseId): CasePair => {
      const a = left.get(caseId) ?? null
      const b = right.get(caseId) ?? null
      let change: CasePair['change'] = 'missing'
      if (a && b) change = a.passed === b.passed ? 'same' : b.passed ? 'gained' : 'lost'
      return { caseId, category: (a ?? b)?.category ?? '', a, b, change }
    })
    .sort(
      (x, y) =>
        rank(x) - rank(y) ||
        x.category.localeCompare(y.category) ||
        x.caseId.localeCompare(y.caseId),
    )
}

const ORDER: Record<CasePair['change'], number> = { lost: 0, gained: 1, missing: 2, same: 3 }

function rank(pair: CasePair): number {
  return ORDER[pair.change]
}

export function categoryRows(
  a: ModelSummary | undefined,
  b: ModelSummary | undefined,
): CategoryRow[] {
  const names = [
    ...new Set([...Object.keys(a?.by_category ?? {}), ...Object.keys(b?.by_category ?? {})]),
  ].sort()
  return names.map((category) => ({
    category,
    a: a?.by_category[category]?.rate ?? null,
    b: b?.by_category[category]?.rate ?? null,
  }))
}

export function changeCounts(pairs: CasePair[]): Record<CasePair['change'], number> {
  const counts = { gained: 0, lost: 0, same: 0, missing: 0 }
  for (const pair of pairs) counts[pair.change] += 1
  return counts
}
