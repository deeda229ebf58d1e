// The judge pages' pure logic: agreement matrix, score bars, side-by-side verdicts, figures,
// the two judge forms, the comparative bar and picks, cross-case grouping.
import { describe, expect, it } from 'vitest'

import {
  agreementMatrix,
  kappaStrength,
  kappaText,
  reviewTally,
  toggledReview,
} from '@/features/judge/agreement'
import {
  compareBlocker,
  outcomeBar,
  outcomeLabel,
  pickedResult,
} from '@/features/judge/comparative'
import { gradeTone, groupPatterns, recommendationLabel } from '@/features/judge/crossCase'
import {
  estimateView,
  formatUsd,
  formatWinRate,
  policyLabel,
  promptLabel,
  runScore,
} from '@/features/judge/figures'
import {
  buildEvalJudge,
  buildJudgeCases,
  defaultEvalJudgeForm,
  defaultJudgeRunForm,
} from '@/features/judge/judgeForm'
import { formatMeanScore, scoreBars } from '@/features/judge/scores'
import { caseState, sideBySide, unscored } from '@/features/judge/verdicts'

describe('agreement matrix', () => {
  const table = {
    pass: { pass: 5, not_pass: 1 },
    marginal: { pass: 2, not_pass: 1 },
    fail: { pass: 0, not_pass: 3 },
  }

  it('marks agreements (judge pass/auto pass, judge not-pass/auto fail) and counts the rest', () => {
    const m = agreementMatrix({ table })
    expect(m.n).toBe(12)
    expect(m.rows.map((r) => r.cells.map((c) => c.agrees))).toEqual([
      [true, false],
      [false, true],
      [false, true],
    ])
    expect(m.disagreements).toBe(3) // 1 judge-pass/auto-fail + 2 marginal/auto-pass
    expect(m.rawAgreement).toBeCloseTo(9 / 12)
    expect(m.columnTotals).toEqual([7, 5])
    expect(m.rows[0]?.total).toBe(6)
  })

  it('has no agreement rate without cases', () => {
    const m = agreementMatrix({ table: {} })
    expect(m.n).toBe(0)
    expect(m.rawAgreement).toBeNull()
    expect(m.rows[0]?.cells[0].share).toBe(0)
  })

  it('says kappa in words, and "undefined" with the reason instead of NaN', () => {
    expect(kappaText(0.615)).toEqual({ value: '0.61', detail: 'substantial', defined: true })
    expect(
      kappaText(null, 'both raters labelled every case pass, so chance agreement is 1'),
    ).toEqual({
      value: 'undefined',
      detail: 'both raters labelled every case pass, so chance agreement is 1',
      defined: false,
    })
    expect(kappaText(Number.NaN).value).toBe('undefined')
    expect([-0.1, 0.1, 0.3, 0.5, 0.7, 0.9].map(kappaStrength)).toEqual([
      'worse than chance',
      'slight',
      'fair',
      'moderate',
      'substantial',
      'almost perfect',
    ])
  })

  it('tallies reviews and toggles a mark off on a second click', () => {
    expect(
      reviewTally([{ review: 'judge_right' }, { review: 'automated_right' }, { review: null }, {}]),
    ).toEqual({ judgeRight: 1, automatedRight: 1, open: 2 })
    expect(toggledReview(null, 'judge_right')).toBe('judge_right')
    expect(toggledReview('judge_right', 'judge_right')).toBeNull()
    expect(toggledReview('judge_right', 'automated_right')).toBe('automated_right')
  })
})

describe('score bars', () => {
  it('fills scores 1–5, missing ones as 0', () => {
    expect(scoreBars({ '1': 2, '5': 3 })).toEqual({
      labels: ['1', '2', '3', '4', '5'],
      counts: [2, 0, 0, 0, 3],
      total: 5,
    })
    expect(scoreBars(null).total).toBe(0)
    expect(formatMeanScore(3.456)).toBe('3.46')
    expect(formatMeanScore(null)).toBe('—')
  })
})

describe('side by side', () => {
  const judged = {
    case_id: 'c1',
    score: 2,
    verdict: 'marginal',
    tool_selection: { status: 'correct', reason: 'right tool' },
    arguments: [{ name: 'city', status: 'wrong', reason: 'Paris, not Lyon' }],
    reasoning: 'close',
    parse_error: null,
    skipped_reason: null,
    automated_pass: true,
    automated_error: null,
  }

  it('marks a marginal judge verdict against an automated pass as a disagreement', () => {
    const view = sideBySide(judged)
    expect(view.state).toBe('disagree')
    expect(view.judge).toMatchObject({ verdict: 'marginal', score: '2 / 5', tone: 'warn' })
    expect(view.judge.arguments).toEqual([
      { name: 'city', status: 'wrong', reason: 'Paris, not Lyon' },
    ])
    expect(view.automated).toEqual({ verdict: 'pass', tone: 'good', error: null })
  })

  it('never scores a parse failure or a skipped case, and lists them with their reason', () => {
    const broken = { ...judged, case_id: 'c2', verdict: null, score: null, parse_error: 'not JSON' }
    const long = {
      ...judged,
      case_id: 'c3',
      verdict: null,
      score: null,
      skipped_reason: 'too long',
    }
    expect(caseState(broken)).toBe('parse_failure')
    expect(caseState(long)).toBe('skipped')
    expect(sideBySide(broken).judge).toMatchObject({ score: '—', problem: 'not JSON' })
    expect(caseState({ ...judged, verdict: 'pass' })).toBe('agree')
    expect(caseState({ ...judged, automated_pass: null })).toBe('no_automated')
    expect(unscored([judged, broken, long])).toEqual([
      { case_id: 'c2', kind: 'parse_failure', reason: 'not JSON' },
      { case_id: 'c3', kind: 'skipped', reason: 'too long' },
    ])
  })
})

describe('figures', () => {
  it("scores a listed run under its policy, the judge's count first when judge-final", () => {
    const run = { passed_cases: 3, finished_cases: 5, verdict_policy: 'judge_final' }
    const rate = { passed: 4, total: 5, rate: 0.8 }
    expect(runScore({ ...run, judge_pass_rate: rate })).toEqual({
      passed: 4,
      total: 5,
      note: 'Judge final · automated 3 / 5',
      judged: true,
    })
    expect(runScore({ ...run, judge_pass_rate: null }).note).toBe('Judge final · not judged yet')
    const automated = runScore({ ...run, verdict_policy: 'automated_final', judge_pass_rate: rate })
    expect(automated).toEqual({ passed: 3, total: 5, note: 'Automated final', judged: false })
  })

  it('formats a win rate with its interval, and money', () => {
    expect(formatWinRate(0.5, 0.3, 0.7)).toBe('50.0% (95% CI 30.0%–70.0%)')
    expect(formatWinRate(0.5, null, null)).toBe('50.0%')
    expect(formatWinRate(null, 0, 1)).toBe('—')
    expect(formatUsd(null)).toBe('unpriced')
    expect(formatUsd(0.0012)).toBe('$0.0012')
    expect(formatUsd(1.5)).toBe('$1.50')
  })

  it('states the estimate, the skipped cases, unpriced models and a budget overrun', () => {
    const view = estimateView(
      {
        cases: 12,
        skipped_too_long: 1,
        input_tokens: 24_000,
        output_tokens: 3_600,
        cost_usd: 0.3,
        unpriced: [],
      },
      0.1,
    )
    expect(view.headline).toBe('12 cases · ~24k in / 3.6k out tokens · about $0.30')
    expect(view.overBudget).toBe(true)
    expect(view.notes).toHaveLength(2)
    const unpriced = estimateView(
      {
        cases: 0,
        skipped_too_long: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: null,
        unpriced: ['judge-x'],
      },
      1,
    )
    expect(unpriced.nothingToJudge).toBe(true)
    expect(unpriced.overBudget).toBe(false)
    expect(unpriced.headline).toContain('cost unknown')
    expect(unpriced.notes[0]).toContain('judge-x')
  })

  it('names policies and prompts', () => {
    expect(policyLabel('judge_final')).toBe('Judge final')
    expect(policyLabel(undefined)).toBe('Automated final')
    expect(promptLabel('builtin-judge-verdict', 2)).toBe('Built-in verdict prompt v2')
    expect(promptLabel('mine', null)).toBe('mine (latest)')
  })
})

describe('judge forms', () => {
  it('builds a post-eval judge request, with problems at their fields first', () => {
    const form = { ...defaultJudgeRunForm('m1'), scope: 'category' as const, budgetUsd: 0 }
    const refused = buildJudgeCases(form, 'run1')
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(Object.keys(refused.problems).sort()).toEqual([
        'budget_usd',
        'category',
        'judge_model_ref_id',
      ])
    }
    const ok = buildJudgeCases(
      { ...form, judgeModelRefId: 'j1', category: 'weather', budgetUsd: 2, promptVersion: 1 },
      'run1',
    )
    expect(ok).toEqual({
      ok: true,
      payload: {
        eval_run_id: 'run1',
        target: 'm1',
        scope: 'category',
        category: 'weather',
        judge_model_ref_id: 'j1',
        prompt_entry_id: 'builtin-judge-verdict',
        prompt_version: 1,
        show_automated: false,
        budget_usd: 2,
      },
    })
    const all = buildJudgeCases(
      { ...defaultJudgeRunForm('m1'), judgeModelRefId: 'j1', category: 'x' },
      'r',
    )
    expect(all.ok && all.payload.category).toBeNull()
  })

  it('sends no judge options when off, and wants live or a threshold when on', () => {
    expect(buildEvalJudge(defaultEvalJudgeForm())).toEqual({ ok: true, payload: null })
    const on = { ...defaultEvalJudgeForm(), enabled: true, judgeModelRefId: 'j1', live: false }
    const refused = buildEvalJudge(on)
    expect(refused.ok || Object.keys(refused.problems)).toEqual(['judge.auto_judge_below'])
    expect(buildEvalJudge({ ...on, autoJudgeBelow: 150 }).ok).toBe(false)
    expect(buildEvalJudge({ ...on, autoJudgeBelow: 80 })).toEqual({
      ok: true,
      payload: {
        judge_model_ref_id: 'j1',
        prompt_entry_id: 'builtin-judge-verdict',
        prompt_version: null,
        live: false,
        auto_judge_below: 80,
        show_automated: false,
        budget_usd: null,
        verdict_policy: 'automated_final',
      },
    })
  })
})

describe('comparative', () => {
  it('splits the bar by outcome', () => {
    expect(outcomeBar(2, 1, 1).map((s) => s.percent)).toEqual([50, 25, 25])
    expect(outcomeBar(0, 0, 0).every((s) => s.percent === 0)).toBe(true)
  })

  it('reads each order back as the result the judge picked', () => {
    // A judge always answering "A" picks the subject first, then the other result.
    expect(pickedResult('A', 'first', 'gpt', 'llama')).toBe('gpt')
    expect(pickedResult('A', 'second', 'gpt', 'llama')).toBe('llama')
    expect(pickedResult('B', 'second', 'gpt', 'llama')).toBe('gpt')
    expect(pickedResult('tie', 'first', 'gpt', 'llama')).toBe('tie')
    expect(pickedResult(null, 'first', 'gpt', 'llama')).toBe('no answer')
    expect(outcomeLabel('tie', true)).toBe('Tie (orders disagree)')
  })

  it('says what is missing before a start', () => {
    const a = { eval_run_id: 'r1', target: 'm1' }
    expect(compareBlocker(null, a, 'j')).toContain('first')
    expect(compareBlocker(a, { eval_run_id: 'r1', target: '' }, 'j')).toContain('second')
    expect(compareBlocker(a, a, 'j')).toBe('Pick two different results.')
    expect(compareBlocker(a, { eval_run_id: 'r1', target: 'm2' }, '')).toBe('Pick a judge model.')
    expect(compareBlocker(a, { eval_run_id: 'r2', target: 'm1' }, 'j')).toBeNull()
  })
})

describe('cross-case', () => {
  it('groups failure patterns by category then tool', () => {
    const groups = groupPatterns([
      { category: 'weather', tool: 'get_weather', pattern: 'unit', case_ids: ['c1'] },
      { category: null, tool: null, pattern: 'general' },
      { category: 'weather', tool: 'alerts', pattern: 'region' },
    ])
    expect(groups.map((g) => g.category)).toEqual(['Any category', 'weather'])
    expect(groups[1]?.patterns.map((p) => p.tool)).toEqual(['alerts', 'get_weather'])
    expect(recommendationLabel('prompt')).toBe('Prompt change')
    expect(gradeTone('A')).toBe('good')
    expect(gradeTone('F')).toBe('bad')
    expect(gradeTone(null)).toBe('neutral')
  })
})
