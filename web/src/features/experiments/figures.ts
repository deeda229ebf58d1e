// An experiment's figures in words: scores as percentages, best minus baseline in points with
// its 95% CI and the test behind its significance, the kinds of result and their counts.
import type { BestVsBaseline, ExperimentResult, ResultKind } from './types'

/** A 0..1 score as "62.5%"; "—" when there is none (running, or a report without a score). */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined || !Number.isFinite(score)
    ? '—'
    : `${(100 * score).toFixed(1)}%`
}

const MINUS = '\u2212'

/** A difference of two 0..1 scores in percentage points, signed: "+12.0", "−3.5", "0.0". */
export function formatSignedPoints(difference: number): string {
  const points = Math.round(1000 * difference) / 10
  if (points === 0) return '0.0'
  return `${points > 0 ? '+' : MINUS}${Math.abs(points).toFixed(1)}`
}

/** "p=0.003", "p<0.001". */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'p unknown'
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`
}

export function testName(test: BestVsBaseline['test']): string {
  return test === 'mcnemar_exact' ? 'McNemar' : 'two-proportion z-test'
}

/** What the test compared, for the card's hint. */
export function testExplanation(comparison: Pick<BestVsBaseline, 'paired' | 'test'>): string {
  return comparison.paired
    ? 'Paired by case: both results cover the same cases (McNemar exact test, Newcombe paired interval).'
    : 'Unpaired: the results cover different cases (two-proportion z-test, Newcombe hybrid score interval).'
}

/** "+12.0 pts (95% CI +4.1 to +19.6), significant, McNemar p=0.003". */
export function formatComparison(
  comparison: Pick<BestVsBaseline, 'difference' | 'ci95' | 'significant' | 'test' | 'p_value'>,
): string {
  if (comparison.difference === null) return 'No difference to report'
  const [low, high] = comparison.ci95 ?? []
  const ci =
    low !== undefined && high !== undefined
      ? ` (95% CI ${formatSignedPoints(low)} to ${formatSignedPoints(high)})`
      : ''
  const verdict = comparison.significant ? 'significant' : 'not significant'
  return `${formatSignedPoints(comparison.difference)} pts${ci}, ${verdict}, ${testName(comparison.test)} ${formatP(comparison.p_value)}`
}

export const KIND_LABELS: Record<ResultKind, string> = {
  eval: 'Eval',
  judge: 'Judge',
  tuner: 'Tuner',
}

/** "5 of 8 passed", or "" when the result has no counts yet. */
export function formatCounts(result: Pick<ExperimentResult, 'passed' | 'total'>): string {
  if (result.passed === null || result.total === null) return ''
  return `${result.passed} of ${result.total} passed`
}

/** "3 runs", "1 run". */
export function countLabel(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** Where a result's page is: the eval run (with its target) or the judge report. */
export function resultLink(
  result: Pick<ExperimentResult, 'kind' | 'ref_id' | 'eval_run_id' | 'target'>,
): { name: string; params: Record<string, string>; query?: Record<string, string> } | null {
  if (result.kind === 'judge') return { name: 'judge-report', params: { reportId: result.ref_id } }
  if (result.kind === 'eval')
    return { name: 'tooleval-run', params: { runId: result.eval_run_id ?? result.ref_id } }
  return null
}

/** Whether "Set as baseline" applies: a finished, scored eval result on the scale that is not
 * already the baseline. */
export function canBeBaseline(result: ExperimentResult): boolean {
  return (
    result.kind === 'eval' &&
    result.on_scale &&
    !result.is_baseline &&
    result.score !== null &&
    (result.total ?? 0) > 0 &&
    result.status === 'done'
  )
}

/** A result's key, unique within an experiment (an eval run has one result per target). */
export function resultKey(result: Pick<ExperimentResult, 'kind' | 'ref_id' | 'target'>): string {
  return `${result.kind}:${result.ref_id}:${result.target ?? ''}`
}

/** The results on the experiment's scale and those shown apart, each in time order. */
export function splitByScale(results: readonly ExperimentResult[]): {
  onScale: ExperimentResult[]
  offScale: ExperimentResult[]
} {
  return {
    onScale: results.filter((r) => r.on_scale),
    offScale: results.filter((r) => !r.on_scale),
  }
}

/** An eval run as the "File a run" list names it: "Simulator model vs Sloppy · 5/8 passed". */
export function fileChoiceLabel(run: {
  models: readonly string[]
  passed_cases: number
  total_cases: number
  finished_cases: number
}): string {
  const models = run.models.join(' vs ') || 'No models'
  return run.finished_cases > 0
    ? `${models} · ${run.passed_cases}/${run.total_cases} passed`
    : `${models} · not started`
}
