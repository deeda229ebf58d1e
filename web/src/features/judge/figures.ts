// Figures in words: percentages, win rate with its interval, money, the cost estimate, the
// verdict policies and report states.

export function pct(rate: number | null | undefined, digits = 1): string {
  return rate === null || rate === undefined || !Number.isFinite(rate)
    ? '—'
    : `${(100 * rate).toFixed(digits)}%`
}

/** "62.5% (95% CI 41.2–79.9%)". */
export function formatWinRate(
  rate: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
): string {
  if (rate === null || rate === undefined) return '—'
  const ci =
    low === null || low === undefined || high === null || high === undefined
      ? ''
      : ` (95% CI ${pct(low)}–${pct(high)})`
  return `${pct(rate)}${ci}`
}

/** Dollars with enough digits for a cent-fraction judge call; "unpriced" when unknown. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'unpriced'
  if (value === 0) return '$0.00'
  if (value < 0.01) return `$${value.toFixed(4)}`
  return `$${value.toFixed(2)}`
}

export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${(tokens / 1_000_000).toFixed(1)}M`
  if (tokens >= 10_000) return `${Math.round(tokens / 1000)}k`
  if (tokens >= 1000) return `${(tokens / 1000).toFixed(1)}k`
  return String(tokens)
}

export interface EstimateInput {
  cases: number
  skipped_too_long: number
  input_tokens: number
  output_tokens: number
  cost_usd: number | null
  unpriced: string[]
}

export interface EstimateView {
  headline: string
  notes: string[]
  /** The estimate exceeds the budget the user set: the job would stop early. */
  overBudget: boolean
  nothingToJudge: boolean
}

export function estimateView(estimate: EstimateInput, budgetUsd: number | null): EstimateView {
  const calls = `${estimate.cases} case${estimate.cases === 1 ? '' : 's'}`
  const tokens = `~${formatTokens(estimate.input_tokens)} in / ${formatTokens(estimate.output_tokens)} out tokens`
  const cost = estimate.cost_usd === null ? 'cost unknown' : `about ${formatUsd(estimate.cost_usd)}`
  const notes: string[] = []
  if (estimate.skipped_too_long > 0) {
    notes.push(
      `${estimate.skipped_too_long} case${estimate.skipped_too_long === 1 ? '' : 's'} longer than the judge's window will be skipped.`,
    )
  }
  if (estimate.unpriced.length > 0) {
    notes.push(`No price set for ${estimate.unpriced.join(', ')}: its cost is not counted.`)
  }
  const overBudget =
    budgetUsd !== null && estimate.cost_usd !== null && estimate.cost_usd > budgetUsd
  if (overBudget) {
    notes.push(`Above the ${formatUsd(budgetUsd)} budget: judging stops when the budget is spent.`)
  }
  return {
    headline: `${calls} · ${tokens} · ${cost}`,
    notes,
    overBudget,
    nothingToJudge: estimate.cases === 0,
  }
}

export type VerdictPolicy = 'automated_final' | 'judge_final' | 'both'

export const POLICIES: readonly { value: VerdictPolicy; label: string; hint: string }[] = [
  {
    value: 'automated_final',
    label: 'Automated final',
    hint: "The scorer's pass / fail is the score; the judge's verdict is advice.",
  },
  {
    value: 'judge_final',
    label: 'Judge final',
    hint: "The judge's verdict decides (marginal counts as a fail); unjudged cases keep the scorer's.",
  },
  {
    value: 'both',
    label: 'Both shown',
    hint: 'Both pass rates side by side; neither overrides the other.',
  },
]

export function policyLabel(policy: string | null | undefined): string {
  return POLICIES.find((p) => p.value === policy)?.label ?? 'Automated final'
}

/** What a listed eval run carries of its score (EvalRunOut's fields). */
export interface ListedRunScore {
  passed_cases: number
  finished_cases: number
  verdict_policy?: string | null
  judge_pass_rate?: { passed: number; total: number; rate: number } | null
}

/**
 * A listed run's score under its verdict policy. Under "judge final" with a finished per-case
 * report, the judge-final count is the score and the automated one is kept in the note; before
 * any report the automated count shows, saying the judge has not graded it yet.
 */
export function runScore(run: ListedRunScore): {
  passed: number
  total: number
  note: string
  judged: boolean
} {
  const label = policyLabel(run.verdict_policy)
  const automated = { passed: run.passed_cases, total: run.finished_cases }
  if (run.verdict_policy !== 'judge_final') return { ...automated, note: label, judged: false }
  const judge = run.judge_pass_rate
  if (!judge) return { ...automated, note: `${label} · not judged yet`, judged: false }
  return {
    passed: judge.passed,
    total: judge.total,
    note: `${label} · automated ${automated.passed} / ${automated.total}`,
    judged: true,
  }
}

const STATUS_WORDS: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  stopped: 'Stopped (budget)',
}

export function reportStatusLabel(status: string): string {
  return STATUS_WORDS[status] ?? status
}

const MODE_WORDS: Record<string, string> = {
  live: 'Live',
  post: 'Post-eval',
  auto: 'Auto-judge',
  compare: 'Comparative',
  report: 'Cross-case report',
}

export function reportModeLabel(mode: string): string {
  return MODE_WORDS[mode] ?? mode
}

export const BUILTIN_JUDGE_VERDICT = 'builtin-judge-verdict'
export const BUILTIN_JUDGE_COMPARE = 'builtin-judge-compare'
export const BUILTIN_JUDGE_REPORT = 'builtin-judge-report'

export function promptLabel(entryId: string, version: number | null | undefined): string {
  const names: Record<string, string> = {
    [BUILTIN_JUDGE_VERDICT]: 'Built-in verdict prompt',
    [BUILTIN_JUDGE_COMPARE]: 'Built-in comparison prompt',
    [BUILTIN_JUDGE_REPORT]: 'Built-in report prompt',
  }
  const name = names[entryId] ?? entryId
  return version ? `${name} v${version}` : `${name} (latest)`
}
