// A comparative report laid out: the wins / ties / losses bar, the win rate, and each case's
// two picks read back as which result the judge preferred in that order. The first result
// (the subject) is labelled A in the first order and B in the second (judge/domain/comparative).

export interface BarSegment {
  key: 'win' | 'tie' | 'loss'
  label: string
  count: number
  /** Percent of the decided cases, for the bar's width. */
  percent: number
}

export function outcomeBar(wins: number, ties: number, losses: number): BarSegment[] {
  const n = wins + ties + losses
  const seg = (key: BarSegment['key'], label: string, count: number): BarSegment => ({
    key,
    label,
    count,
    percent: n === 0 ? 0 : (100 * count) / n,
  })
  return [seg('win', 'Wins', wins), seg('tie', 'Ties', ties), seg('loss', 'Losses', losses)]
}

export type Order = 'first' | 'second'

/** Which result a pick names: "A" in the second order is the other result, not the subject. */
export function pickedResult(
  pick: string | null | undefined,
  order: Order,
  subject: string,
  other: string,
): string {
  if (pick === null || pick === undefined || pick === '') return 'no answer'
  if (pick === 'tie') return 'tie'
  const subjectLabel = order === 'first' ? 'A' : 'B'
  return pick === subjectLabel ? subject : other
}

const OUTCOME_WORDS: Record<string, string> = {
  win: 'Win',
  tie: 'Tie',
  loss: 'Loss',
  undecided: 'Undecided',
}

export function outcomeLabel(outcome: string, inconsistent: boolean): string {
  const word = OUTCOME_WORDS[outcome] ?? outcome
  return inconsistent ? `${word} (orders disagree)` : word
}

export interface ResultRef {
  eval_run_id: string
  target: string
}

export function sameResult(a: ResultRef, b: ResultRef): boolean {
  return a.eval_run_id === b.eval_run_id && a.target === b.target
}

/** What is still missing before a comparison can start (null when ready). */
export function compareBlocker(
  a: ResultRef | null,
  b: ResultRef | null,
  judgeModelRefId: string,
): string | null {
  if (!a || !a.eval_run_id || !a.target) return 'Pick the first result (run and model).'
  if (!b || !b.eval_run_id || !b.target) return 'Pick the second result (run and model).'
  if (sameResult(a, b)) return 'Pick two different results.'
  if (!judgeModelRefId) return 'Pick a judge model.'
  return null
}
