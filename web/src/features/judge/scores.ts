// The judge's 1–5 score distribution as chart data, and score / verdict words.

export const SCORE_VALUES = [1, 2, 3, 4, 5] as const

export interface ScoreBars {
  labels: string[]
  counts: number[]
  total: number
}

/** Bars for scores 1–5 from the summary's {score: count} map; missing scores count 0. */
export function scoreBars(
  histogram: Partial<Record<string, number>> | null | undefined,
): ScoreBars {
  const counts = SCORE_VALUES.map((s) => Number(histogram?.[String(s)] ?? 0))
  return {
    labels: SCORE_VALUES.map(String),
    counts,
    total: counts.reduce((a, b) => a + b, 0),
  }
}

export function formatMeanScore(mean: number | null | undefined): string {
  return mean === null || mean === undefined || !Number.isFinite(mean) ? '—' : mean.toFixed(2)
}

export type Tone = 'good' | 'warn' | 'bad' | 'neutral'

export function verdictTone(verdict: string | null | undefined): Tone {
  if (verdict === 'pass') return 'good'
  if (verdict === 'marginal') return 'warn'
  if (verdict === 'fail') return 'bad'
  return 'neutral'
}

export const TONE_CLASSES: Record<Tone, string> = {
  good: 'bg-emerald-50 text-emerald-700 dark:bg-emerald-500/15 dark:text-emerald-300',
  warn: 'bg-amber-50 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300',
  bad: 'bg-rose-50 text-rose-700 dark:bg-rose-500/15 dark:text-rose-300',
  neutral: 'bg-slate-100 text-slate-700 dark:bg-slate-700/40 dark:text-slate-300',
}
