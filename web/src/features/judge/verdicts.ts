// One case judged, laid out next to the automated verdict: which side said what, whether they
// agree, and the per-argument assessments in words. A parse failure or a skipped case has no
// judge verdict at all; it is shown with its reason, never as a score.
import { type Tone, verdictTone } from './scores'

export interface Assessment {
  status: string
  reason: string
}

export interface ArgumentAssessment extends Assessment {
  name: string
}

/** The fields of a judged case this module reads (CaseJudgementOut has them all). */
export interface JudgedCase {
  case_id: string
  score?: number | null
  verdict?: string | null
  tool_selection?: Assessment | Record<string, unknown> | null
  arguments?: ArgumentAssessment[] | Record<string, unknown>[] | null
  reasoning?: string | null
  parse_error?: string | null
  skipped_reason?: string | null
  automated_pass?: boolean | null
  automated_error?: string | null
}

export type CaseState = 'agree' | 'disagree' | 'parse_failure' | 'skipped' | 'no_automated'

/** Judge pass vs not-pass (marginal is not-pass) against the scorer's pass / fail. */
export function caseState(c: JudgedCase): CaseState {
  if (c.skipped_reason) return 'skipped'
  if (c.parse_error || !c.verdict) return 'parse_failure'
  if (c.automated_pass === null || c.automated_pass === undefined) return 'no_automated'
  return (c.verdict === 'pass') === c.automated_pass ? 'agree' : 'disagree'
}

export const STATE_LABELS: Record<CaseState, string> = {
  agree: 'Agree',
  disagree: 'Disagree',
  parse_failure: 'Parse failure',
  skipped: 'Skipped',
  no_automated: 'No automated verdict',
}

export const STATE_TONES: Record<CaseState, Tone> = {
  agree: 'good',
  disagree: 'warn',
  parse_failure: 'bad',
  skipped: 'neutral',
  no_automated: 'neutral',
}

const STATUS_LABELS: Record<string, string> = {
  correct: 'Correct',
  wrong: 'Wrong',
  missing: 'Missing',
  extra: 'Extra',
}

const STATUS_TONES: Record<string, Tone> = {
  correct: 'good',
  wrong: 'bad',
  missing: 'warn',
  extra: 'warn',
}

export function assessmentLabel(status: string | null | undefined): string {
  return (status && STATUS_LABELS[status]) || 'Not assessed'
}

export function assessmentTone(status: string | null | undefined): Tone {
  return (status && STATUS_TONES[status]) || 'neutral'
}

function asAssessment(value: unknown): Assessment | null {
  if (typeof value !== 'object' || value === null) return null
  const record = value as Record<string, unknown>
  return { status: String(record.status ?? ''), reason: String(record.reason ?? '') }
}

export interface SideBySide {
  state: CaseState
  judge: {
    verdict: string
    tone: Tone
    score: string
    toolSelection: Assessment | null
    arguments: ArgumentAssessment[]
    reasoning: string
    /** Why there is no verdict (a parse failure or a skip). */
    problem: string | null
  }
  automated: { verdict: string; tone: Tone; error: string | null }
}

export function sideBySide(c: JudgedCase): SideBySide {
  const state = caseState(c)
  const judged = state !== 'parse_failure' && state !== 'skipped'
  const args = (c.arguments ?? []).map((a) => {
    const record = a as Record<string, unknown>
    return {
      name: String(record.name ?? ''),
      status: String(record.status ?? ''),
      reason: String(record.reason ?? ''),
    }
  })
  const automatedKnown = c.automated_pass !== null && c.automated_pass !== undefined
  return {
    state,
    judge: {
      verdict: judged ? String(c.verdict) : STATE_LABELS[state].toLowerCase(),
      tone: judged ? verdictTone(c.verdict) : 'bad',
      score: judged && c.score ? `${c.score} / 5` : '—',
      toolSelection: asAssessment(c.tool_selection),
      arguments: args,
      reasoning: c.reasoning ?? '',
      problem: c.skipped_reason ?? c.parse_error ?? null,
    },
    automated: {
      verdict: automatedKnown ? (c.automated_pass ? 'pass' : 'fail') : '—',
      tone: automatedKnown ? (c.automated_pass ? 'good' : 'bad') : 'neutral',
      error: c.automated_error ?? null,
    },
  }
}

/** Cases the report could not score, with their reason, for the "not judged" list. */
export function unscored(
  cases: readonly JudgedCase[],
): { case_id: string; kind: CaseState; reason: string }[] {
  return cases.flatMap((c) => {
    const state = caseState(c)
    if (state !== 'parse_failure' && state !== 'skipped') return []
    return [{ case_id: c.case_id, kind: state, reason: c.skipped_reason ?? c.parse_error ?? '' }]
  })
}
