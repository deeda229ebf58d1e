import { describe, expect, it } from 'vitest'

import {
  BASELINE_COLOR,
  BEST_COLOR,
  buildTimeline,
  KIND_COLORS,
  pointDescription,
  timelineSummary,
} from '@/features/experiments/timeline'
import type { ExperimentResult } from '@/features/experiments/types'

let counter = 0
function result(change: Partial<ExperimentResult> = {}): ExperimentResult {
  counter += 1
  return {
    kind: 'eval',
    ref_id: `r${counter}`,
    eval_run_id: `r${counter}`,
    target: 'M',
    label: `Run ${counter}`,
    status: 'done',
    suite_version: 3,
    profile: 'lenient',
    on_scale: true,
    off_scale_reason: null,
    score: 0.5,
    passed: 4,
    total: 8,
    is_baseline: false,
    is_best: false,
    at: '2026-12-07T10:00:00Z',
    ...change,
  }
}

const at = (minute: number) => `2026-12-07T10:${String(minute).padStart(2, '0')}:00Z`
const label = (iso: string) => iso.slice(11, 16)

describe('buildTimeline', () => {
  it('plots on-scale scored results in time order, a series per kind, markers apart', () => {
    const first = result({ at: at(1), score: 0.5, is_baseline: true })
    const judge = result({ kind: 'judge', at: at(3), score: 0.75, target: null })
    const best = result({ at: at(2), score: 0.875, passed: 7, is_best: true })
    const off = result({
      at: at(4),
      score: 1,
      on_scale: false,
      off_scale_reason: 'suite version 2',
    })
    const running = result({ at: at(5), score: null, status: 'running', passed: null, total: null })
    const timeline = buildTimeline([first, judge, best, off, running], label)

    expect(timeline.labels).toEqual(['10:01', '10:02', '10:03'])
    expect(timeline.points.map((p) => [p.result.label, p.y])).toEqual([
      [first.label, 50],
      [best.label, 87.5],
      [judge.label, 75],
    ])
    expect(timeline.offScale).toBe(1)
    expect(timeline.unscored).toBe(1)
    expect(
      timeline.series.map((s) => [s.label, s.role, s.color, s.pointStyle, s.showLine, s.data]),
    ).toEqual([
      ['Eval', 'eval', KIND_COLORS.eval, 'circle', true, [50, 87.5, null]],
      ['Judge', 'judge', KIND_COLORS.judge, 'circle', true, [null, null, 75]],
      ['Baseline', 'baseline', BASELINE_COLOR, 'rectRot', false, [50, null, null]],
      ['Best', 'best', BEST_COLOR, 'triangle', false, [null, 87.5, null]],
    ])
    expect(timeline.series.map((s) => s.marker)).toEqual([null, null, 'Baseline', 'Best'])
  })

  it('marks one point once when the baseline is also the best', () => {
    const only = result({ is_baseline: true, is_best: true, score: 0.625 })
    const timeline = buildTimeline([only], label)
    expect(timeline.series.map((s) => [s.label, s.marker, s.data])).toEqual([
      ['Eval', null, [62.5]],
      ['Baseline and best', 'Baseline = best', [62.5]],
    ])
  })

  it('has nothing to plot without scored on-scale results', () => {
    const timeline = buildTimeline([result({ on_scale: false })], label)
    expect(timeline.points).toEqual([])
    expect(timeline.series).toEqual([])
    expect(timelineSummary(timeline)).toBe('No scored results on this scale yet.')
  })

  it('keeps the API order for results that finished at the same moment', () => {
    const a = result({ label: 'A', at: at(7) })
    const b = result({ label: 'B', at: at(7) })
    expect(buildTimeline([a, b], label).points.map((p) => p.result.label)).toEqual(['A', 'B'])
  })

  it('describes points for the tooltip and the screen-reader summary', () => {
    const best = result({ label: 'Sim', score: 0.875, passed: 7, is_best: true, is_baseline: true })
    const timeline = buildTimeline([best], label)
    expect(pointDescription(timeline.points[0]!)).toEqual([
      'Eval: Sim',
      'Score 87.5% (7/8)',
      'The baseline and best',
    ])
    expect(timelineSummary(timeline)).toBe('Scores in time order: Sim 87.5% (baseline) (best).')
  })
})
