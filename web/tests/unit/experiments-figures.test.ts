import { describe, expect, it } from 'vitest'

import { experimentPayload } from '@/features/experiments/createForm'
import {
  canBeBaseline,
  fileChoiceLabel,
  formatComparison,
  formatP,
  formatScore,
  formatSignedPoints,
  resultLink,
  splitByScale,
} from '@/features/experiments/figures'
import { experimentPrefill, experimentScaleNote } from '@/features/experiments/runFormExperiment'
import type { ExperimentResult } from '@/features/experiments/types'

function result(change: Partial<ExperimentResult> = {}): ExperimentResult {
  return {
    kind: 'eval',
    ref_id: 'r1',
    eval_run_id: 'r1',
    target: 'Simulator model',
    label: 'Simulator model',
    status: 'done',
    suite_version: 3,
    profile: 'lenient',
    on_scale: true,
    off_scale_reason: null,
    score: 0.625,
    passed: 5,
    total: 8,
    is_baseline: false,
    is_best: false,
    at: '2026-12-07T10:00:00Z',
    ...change,
  }
}

describe('experiment figures', () => {
  it('formats scores as percentages with one decimal', () => {
    expect(formatScore(0.625)).toBe('62.5%')
    expect(formatScore(1)).toBe('100.0%')
    expect(formatScore(null)).toBe('—')
  })

  it('signs differences in points, with a true minus sign', () => {
    expect(formatSignedPoints(0.12)).toBe('+12.0')
    expect(formatSignedPoints(-0.035)).toBe('\u22123.5')
    expect(formatSignedPoints(0.0004)).toBe('0.0')
    expect(formatSignedPoints(0.04125)).toBe('+4.1')
  })

  it('writes p-values to three decimals, tiny ones as an upper bound', () => {
    expect(formatP(0.003)).toBe('p=0.003')
    expect(formatP(0.25)).toBe('p=0.250')
    expect(formatP(0.0002)).toBe('p<0.001')
    expect(formatP(null)).toBe('p unknown')
  })

  it('states best vs baseline with its CI, the verdict and the test', () => {
    expect(
      formatComparison({
        difference: 0.12,
        ci95: [0.041, 0.196],
        significant: true,
        test: 'mcnemar_exact',
        p_value: 0.003,
      }),
    ).toBe('+12.0 pts (95% CI +4.1 to +19.6), significant, McNemar p=0.003')
    expect(
      formatComparison({
        difference: 0.125,
        ci95: [-0.2, 0.41],
        significant: false,
        test: 'two_proportion_z',
        p_value: 0.4321,
      }),
    ).toBe('+12.5 pts (95% CI \u221220.0 to +41.0), not significant, two-proportion z-test p=0.432')
    expect(
      formatComparison({
        difference: 0.1,
        ci95: null,
        significant: false,
        test: 'two_proportion_z',
        p_value: null,
      }),
    ).toBe('+10.0 pts, not significant, two-proportion z-test p unknown')
  })

  it('offers "Set as baseline" only on finished, scored eval results on the scale', () => {
    expect(canBeBaseline(result())).toBe(true)
    expect(canBeBaseline(result({ is_baseline: true }))).toBe(false)
    expect(canBeBaseline(result({ on_scale: false }))).toBe(false)
    expect(canBeBaseline(result({ status: 'running', score: null }))).toBe(false)
    expect(canBeBaseline(result({ total: 0, passed: 0 }))).toBe(false)
    expect(canBeBaseline(result({ kind: 'judge', target: null }))).toBe(false)
  })

  it('links an eval result to its run and a judge result to its report', () => {
    expect(resultLink(result({ ref_id: 'x', eval_run_id: 'run-9' }))).toEqual({
      name: 'tooleval-run',
      params: { runId: 'run-9' },
    })
    expect(resultLink(result({ kind: 'judge', ref_id: 'rep-1', eval_run_id: 'run-9' }))).toEqual({
      name: 'judge-report',
      params: { reportId: 'rep-1' },
    })
    expect(resultLink(result({ kind: 'tuner' }))).toBeNull()
  })

  it('splits results by scale, keeping time order', () => {
    const a = result({ ref_id: 'a' })
    const b = result({ ref_id: 'b', on_scale: false, suite_version: 2 })
    const c = result({ ref_id: 'c' })
    expect(splitByScale([a, b, c])).toEqual({ onScale: [a, c], offScale: [b] })
  })

  it('names an eval run in the file-a-run list', () => {
    const run = { models: ['A', 'B'], passed_cases: 9, total_cases: 16, finished_cases: 16 }
    expect(fileChoiceLabel(run)).toBe('A vs B · 9/16 passed')
    expect(fileChoiceLabel({ ...run, finished_cases: 0 })).toBe('A vs B · not started')
  })
})

describe('the new-experiment form', () => {
  const base = {
    name: '  Weather models ',
    description: '',
    suiteId: 's1',
    suiteVersion: null,
    profile: 'strict' as const,
    targets: [{ providerId: 'p1', modelId: 'm1', parameterSetId: 'ignored' }],
  }

  it('builds the body with trimmed text and the models without parameter sets', () => {
    expect(experimentPayload(base)).toEqual({
      ok: true,
      payload: {
        name: 'Weather models',
        description: '',
        suite_id: 's1',
        profile: 'strict',
        models: [{ provider_id: 'p1', model_id: 'm1' }],
      },
    })
    const pinned = experimentPayload({ ...base, suiteVersion: 2 })
    expect(pinned.ok && pinned.payload.suite_version).toBe(2)
  })

  it('keys each problem as the API does', () => {
    expect(experimentPayload({ ...base, name: ' ', suiteId: '', targets: [] })).toEqual({
      ok: false,
      problems: {
        name: 'Name the experiment.',
        suite_id: 'Pick the suite the experiment measures.',
        models: 'Pick at least one model.',
      },
    })
  })
})

describe('the eval run form’s experiment', () => {
  const experiment = {
    id: 'e1',
    name: 'E',
    suite_id: 's1',
    suite_version: 3,
    profile: 'strict',
    archived: false,
    models: [{ provider_id: 'p1', model_id: 'm1', label: 'M1' }],
  }

  it('prefills the version ("current" when it is), the profile and the models', () => {
    expect(experimentPrefill(experiment, 3)).toEqual({
      suiteVersion: null,
      profile: 'strict',
      targets: [{ providerId: 'p1', modelId: 'm1' }],
    })
    expect(experimentPrefill(experiment, 4).suiteVersion).toBe(3)
  })

  it('warns when the run would land off the experiment’s scale', () => {
    expect(experimentScaleNote(experiment, { suiteVersion: null, profile: 'strict' }, 3)).toEqual(
      expect.objectContaining({ offScale: false }),
    )
    const off = experimentScaleNote(experiment, { suiteVersion: null, profile: 'lenient' }, 4)
    expect(off.offScale).toBe(true)
    expect(off.warning).toBe(
      'This run uses suite version 4 (the experiment uses version 3) and the lenient profile (the experiment scores with strict): it will be filed but shown apart as off scale, never as the baseline or the best.',
    )
  })
})
