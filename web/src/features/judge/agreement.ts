// The judge-vs-automated agreement matrix (3 × 2) and Cohen's kappa as the report page shows
// them. The server computes the figures (core/stats_agreement.py); this module only lays them
// out: which cells are agreements, row and column totals, and kappa in words.

export type JudgeVerdict = 'pass' | 'marginal' | 'fail'
export const JUDGE_VERDICTS: readonly JudgeVerdict[] = ['pass', 'marginal', 'fail']

/** judge verdict → counts of automated pass / not-pass (the API's AgreementOut.table). */
export type AgreementTableInput = Partial<Record<string, { pass?: number; not_pass?: number }>>

export interface AgreementInput {
  table: AgreementTableInput
  kappa: number | null
  kappa_reason?: string | null
  n: number
}

export interface MatrixCell {
  count: number
  /** Share of all judged cases, 0–1 (0 when there are none). */
  share: number
  /** The judge and the scorer agree here (marginal counts as not-pass, as for kappa). */
  agrees: boolean
}

export interface MatrixRow {
  verdict: JudgeVerdict
  label: string
  cells: [MatrixCell, MatrixCell]
  total: number
}

export interface AgreementMatrix {
  rows: MatrixRow[]
  columnTotals: [number, number]
  n: number
  /** Cases where the two disagree (judge pass + automated fail, judge not-pass + automated pass). */
  disagreements: number
  rawAgreement: number | null
}

const VERDICT_LABELS: Record<JudgeVerdict, string> = {
  pass: 'Judge: pass',
  marginal: 'Judge: marginal',
  fail: 'Judge: fail',
}

function rowCounts(table: AgreementTableInput, verdict: JudgeVerdict): number[] {
  const row = table[verdict]
  return [Number(row?.pass ?? 0), Number(row?.not_pass ?? 0)]
}

export function agreementMatrix(input: Pick<AgreementInput, 'table'>): AgreementMatrix {
  const counts = JUDGE_VERDICTS.map((v) => rowCounts(input.table, v))
  const n = counts.reduce((sum, [a = 0, b = 0]) => sum + a + b, 0)
  let agreeing = 0
  const rows = JUDGE_VERDICTS.map((verdict, i): MatrixRow => {
    const [autoPass = 0, autoFail = 0] = counts[i] ?? []
    const cell = (count: number, agrees: boolean): MatrixCell => {
      if (agrees) agreeing += count
      return { count, share: n === 0 ? 0 : count / n, agrees }
    }
    const judgePass = verdict === 'pass'
    return {
      verdict,
      label: VERDICT_LABELS[verdict],
      cells: [cell(autoPass, judgePass), cell(autoFail, !judgePass)],
      total: autoPass + autoFail,
    }
  })
  const columnTotals: [number, number] = [
    rows.reduce((s, r) => s + r.cells[0].count, 0),
    rows.reduce((s, r) => s + r.cells[1].count, 0),
  ]
  return {
    rows,
    columnTotals,
    n,
    disagreements: n - agreeing,
    rawAgreement: n === 0 ? null : agreeing / n,
  }
}

/** Landis & Koch's words for a kappa value (a rough guide, shown next to the number). */
export function kappaStrength(kappa: number): string {
  if (kappa < 0) return 'worse than chance'
  if (kappa <= 0.2) return 'slight'
  if (kappa <= 0.4) return 'fair'
  if (kappa <= 0.6) return 'moderate'
  if (kappa <= 0.8) return 'substantial'
  return 'almost perfect'
}

export interface KappaText {
  value: string
  detail: string
  defined: boolean
}

/** "0.62" + "substantial", or "undefined" + the server's reason (never NaN). */
export function kappaText(kappa: number | null, reason?: string | null): KappaText {
  if (kappa === null || !Number.isFinite(kappa)) {
    return { value: 'undefined', detail: reason || 'no cases to compare', defined: false }
  }
  return { value: kappa.toFixed(2), detail: kappaStrength(kappa), defined: true }
}

export type Review = 'judge_right' | 'automated_right' | null

export interface ReviewTally {
  judgeRight: number
  automatedRight: number
  open: number
}

/** How far the user got reviewing the disagreements. */
export function reviewTally(cases: readonly { review?: Review | string | null }[]): ReviewTally {
  const tally: ReviewTally = { judgeRight: 0, automatedRight: 0, open: 0 }
  for (const c of cases) {
    if (c.review === 'judge_right') tally.judgeRight += 1
    else if (c.review === 'automated_right') tally.automatedRight += 1
    else tally.open += 1
  }
  return tally
}

/** A click on the button already chosen takes the mark back (review → null). */
export function toggledReview(current: Review | string | null | undefined, chosen: Review): Review {
  return current === chosen ? null : chosen
}
