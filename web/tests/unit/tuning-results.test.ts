import { describe, expect, it } from 'vitest'

import type { LiveEvent } from '@/realtime/connection'
import {
  bestTrial,
  formatCost,
  formatInterval,
  formatLatency,
  formatParam,
  formatPoints,
  formatPointsInterval,
  formatScore,
  formatScoreCi,
  paramNames,
  runProgress,
  stopReasonText,
} from '@/features/tuning/results'
import {
  binsFor,
  cellShade,
  hasCost,
  heatmap,
  isNumericParam,
  paramChart,
  paretoFrontIds,
  paretoSeries,
} from '@/features/tuning/resultsCharts'
import { mergeTrials, withTrialEvents } from '@/features/tuning/resultsLive'
import { describeDimension, setupSummary } from '@/features/tuning/resultsSetup'
import { ariaSort, nextSort, sortTrials } from '@/features/tuning/resultsTable'
import type { Trial, TunerRun } from '@/features/tuning/resultsTypes'

function trial(number: number, change: Partial<Trial> = {}): Trial {
  return {
    id: `t${number}`,
    number,
    kind: 'search',
    state: 'complete',
    point: {},
    effective: {},
    eval_run_id: `e${number}`,
    score: 0.5,
    score_ci95: { low: 0.4, high: 0.6 },
    repeat_scores: [0.5],
    values: [0.5],
    partial: null,
    cases: 8,
    calls: 8,
    latency_p50_ms: 100,
    cost_usd: 0,
    error: null,
    pareto: false,
    started_at: '2026-12-07T10:00:00Z',
    finished_at: '2026-12-07T10:00:05Z',
    ...change,
  }
}

function run(change: Partial<TunerRun> = {}): TunerRun {
  return {
    id: 'run1',
    active_s: 0,
    name: 'Tune',
    status: 'running',
    job_id: 'job1',
    suite_id: 's1',
    suite_name: 'Suite',
    suite_version: 1,
    profile: 'lenient',
    target: { model_id: 'benchstudio-sim-tunable' },
    space: {},
    validated_space: {
      dimensions: [
        { kind: 'range', name: 'temperature', low: 0, high: 1, step: 0.5 },
        { kind: 'choice', name: 'mode', choices: ['a', 'b'] },
      ],
      repeats: 2,
      grid_size: 6,
      adjustments: [{ param: 'top_k', action: 'dropped', reason: 'not supported' }],
    },
    strategy: { kind: 'grid', seed: 0 },
    objective: { source: 'tool_eval', metric: 'pass_rate', minimize: ['latency'] },
    stopping: { patience: 3, min_delta: 0.01, prune: true },
    budget: { max_trials: 10, max_calls: 500 },
    vendor_preset_id: null,
    concurrency: 2,
    estimate: { planned_trials: 8 },
    trials_done: 0,
    calls_used: 0,
    cost_usd: 0,
    merged_points: 1,
    stop_reason: null,
    error: null,
    experiment_id: null,
    created_at: '2026-12-07T10:00:00Z',
    started_at: null,
    finished_at: null,
    ...change,
  }
}

function event(type: string, data: Record<string, unknown>, seq = 1): LiveEvent {
  return { job_id: 'job1', seq, type, at: '2026-12-07T10:00:01Z', data } as LiveEvent
}

describe('tuner result figures', () => {
  it('formats scores, intervals, differences, latency, cost and parameters', () => {
    expect(formatScore(0.625)).toBe('62.5%')
    expect(formatScore(null)).toBe('—')
    expect(formatInterval({ low: 0.581, high: 0.669 })).toBe('58.1–66.9%')
    expect(formatScoreCi(0.625, { low: 0.6, high: 0.7 })).toBe('62.5% ± 5.0')
    expect(formatScoreCi(0.625, null)).toBe('62.5%')
    expect(formatPoints(0.12)).toBe('+12.0 pts')
    expect(formatPoints(-0.035)).toBe('\u22123.5 pts')
    expect(formatPoints(0)).toBe('0.0 pts')
    expect(formatPointsInterval({ low: 0.041, high: 0.196 })).toBe('+4.1 to +19.6 pts')
    expect(formatLatency(820.4)).toBe('820 ms')
    expect(formatLatency(1534)).toBe('1.53 s')
    expect(formatCost(0)).toBe('$0')
    expect(formatCost(0.00423)).toBe('$0.0042')
    expect(formatCost(1.256)).toBe('$1.26')
    expect(formatParam(0.30000000000000004)).toBe('0.3')
    expect(formatParam(undefined)).toBe('default')
    expect(formatParam(true)).toBe('true')
    expect(formatParam({ type: 'json' })).toBe('{"type":"json"}')
  })

  it('says why the study stopped in words', () => {
    expect(stopReasonText('max_calls')).toBe('It reached its budget of model calls.')
    expect(stopReasonText('early_stop')).toContain('patience')
    expect(stopReasonText('new_reason')).toBe('It stopped: new reason.')
    expect(stopReasonText(null)).toBeNull()
  })

  it('counts progress from the live trials or the run, whichever is ahead', () => {
    const trials = [
      trial(1, { calls: 8, cost_usd: 0.01 }),
      trial(2, { state: 'running', calls: 3 }),
    ]
    const progress = runProgress(run(), trials)
    expect(progress).toMatchObject({ done: 1, running: 1, planned: 8, percent: 13, calls: 11 })
    expect(progress.costUsd).toBeCloseTo(0.01)
    expect(runProgress(run({ trials_done: 5, calls_used: 40 }), trials)).toMatchObject({
      done: 5,
      calls: 40,
    })
    expect(runProgress(run({ estimate: {}, budget: {} }), []).percent).toBeNull()
    expect(runProgress(run({ estimate: {} }), []).planned).toBe(10)
  })

  it('reports the running time summed over resumes and the wall budget', () => {
    const timed = runProgress(run({ active_s: 95.4, budget: { max_wall_s: 600 } }), [])
    expect(timed).toMatchObject({ activeS: 95.4, wallS: 600 })
    expect(runProgress(run({ budget: {} }), []).wallS).toBeNull()
  })

  it('picks the best complete trial: score, then cost, then latency', () => {
    const trials = [
      trial(1, { score: 0.8, cost_usd: 0.2 }),
      trial(2, { score: 0.8, cost_usd: 0.1, latency_p50_ms: 300 }),
      trial(3, { score: 0.8, cost_usd: 0.1, latency_p50_ms: 200 }),
      trial(4, { score: 0.9, state: 'pruned' }),
      trial(5, { score: null, state: 'running' }),
    ]
    expect(bestTrial(trials)?.number).toBe(3)
    expect(bestTrial([trial(1, { state: 'failed', score: null })])).toBeNull()
  })

  it('lists parameters in the space order, then any other a trial carries', () => {
    const trials = [trial(1, { point: { extra: 1, temperature: 0.5 } })]
    expect(paramNames(run(), trials)).toEqual(['temperature', 'mode', 'extra'])
  })
})

describe('tuner setup summary', () => {
  it('describes dimensions, conditions, strategy, objective, stopping and budgets', () => {
    expect(
      describeDimension({ kind: 'range', name: 'top_p', low: 0.001, high: 1, scale: 'log' }).text,
    ).toBe('0.001 to 1, log scale')
    expect(
      describeDimension({
        kind: 'choice',
        name: 'effort',
        choices: ['low', 'high'],
        condition: { param: 'mode', values: ['a'], model_pattern: null },
      }).text,
    ).toBe('one of low, high; only when mode is a')
    const summary = setupSummary(run())
    expect(summary.dimensions.map((d) => d.text)).toEqual(['0 to 1, step 0.5', 'one of a, b'])
    expect(summary.adjustments).toEqual([
      { param: 'top_k', action: 'dropped', reason: 'not supported' },
    ])
    expect(summary.repeats).toBe(2)
    expect(summary.gridSize).toBe(6)
    expect(summary.strategy).toBe('Grid search, seed 0')
    expect(summary.objective).toBe('Maximise pass rate; minimise latency (Pareto)')
    expect(summary.stopping).toEqual([
      'Stop after 3 trials without an improvement above 1.0 pts',
      'Prune trials that cannot beat the best',
    ])
    expect(summary.budgets).toEqual(['10 trials (baselines count)', '500 model calls'])
    expect(summary.mergedPoints).toBe(1)
  })
})

describe('trial table sorting', () => {
  const trials = [
    trial(1, { kind: 'baseline_default', score: 0.4, point: {} }),
    trial(2, { score: 0.9, point: { temperature: 0.5, mode: 'b' } }),
    trial(3, { score: null, state: 'running', point: { temperature: 0.1, mode: 'a' } }),
    trial(4, { score: 0.6, point: { temperature: 1, mode: 'a' } }),
  ]
  const numbers = (list: Trial[]) => list.map((t) => t.number)

  it('sorts by score with missing values last in both directions', () => {
    expect(numbers(sortTrials(trials, { key: 'score', direction: 'desc' }))).toEqual([2, 4, 1, 3])
    expect(numbers(sortTrials(trials, { key: 'score', direction: 'asc' }))).toEqual([1, 4, 2, 3])
  })

  it('sorts by a parameter, defaults last, ties in trial order', () => {
    expect(numbers(sortTrials(trials, { key: 'param:temperature', direction: 'desc' }))).toEqual([
      4, 2, 3, 1,
    ])
    expect(numbers(sortTrials(trials, { key: 'param:mode', direction: 'asc' }))).toEqual([
      3, 4, 2, 1,
    ])
    expect(numbers(sortTrials(trials, { key: 'kind', direction: 'asc' }))).toEqual([1, 2, 3, 4])
  })

  it('flips the direction on the same header; a new score column starts best first', () => {
    const first = nextSort({ key: 'number', direction: 'asc' }, 'score')
    expect(first).toEqual({ key: 'score', direction: 'desc' })
    expect(nextSort(first, 'score')).toEqual({ key: 'score', direction: 'asc' })
    expect(nextSort(first, 'calls')).toEqual({ key: 'calls', direction: 'asc' })
    expect(ariaSort(first, 'score')).toBe('descending')
    expect(ariaSort(first, 'calls')).toBe('none')
  })
})

describe('live trials', () => {
  it('adds a running row on start and replaces it with the stored trial', () => {
    const started = event('tuner_trial_started', {
      run_id: 'run1',
      number: 3,
      kind: 'search',
      point: { temperature: 0.2 },
    })
    let trials = withTrialEvents([trial(1), trial(2)], [started], 'run1')
    expect(trials.map((t) => [t.number, t.state])).toEqual([
      [1, 'complete'],
      [2, 'complete'],
      [3, 'running'],
    ])
    expect(trials[2]?.point).toEqual({ temperature: 0.2 })
    const finished = event('tuner_trial', { run_id: 'run1', trial: trial(3, { score: 0.7 }) }, 2)
    trials = withTrialEvents(trials, [finished], 'run1')
    expect(trials[2]).toMatchObject({ id: 't3', state: 'complete', score: 0.7 })
    // A replayed start does not roll the finished trial back.
    expect(withTrialEvents(trials, [started], 'run1')).toBe(trials)
  })

  it('merges a fetched detail without rolling a finished trial back', () => {
    const local = [
      trial(1),
      trial(2, { state: 'complete', score: 0.8 }),
      trial(4, { state: 'running' }),
    ]
    const fetched = [
      trial(1, { score: 0.55 }),
      trial(2, { state: 'running', score: null }),
      trial(3, { state: 'running', score: null }),
    ]
    const merged = mergeTrials(local, fetched)
    expect(merged.map((t) => [t.number, t.state, t.score])).toEqual([
      [1, 'complete', 0.55],
      [2, 'complete', 0.8],
      [3, 'running', null],
      [4, 'running', 0.5],
    ])
  })

  it('ignores other runs and other events', () => {
    const rows = [trial(1)]
    const other = event('tuner_trial', { run_id: 'other', trial: trial(2) })
    const progress = event('job_progress', { percent: 10 })
    expect(withTrialEvents(rows, [other, progress], 'run1')).toBe(rows)
  })
})

describe('result charts', () => {
  const trials = [
    trial(1, { kind: 'baseline_default', score: 0.5, latency_p50_ms: 100 }),
    trial(2, { score: 0.7, latency_p50_ms: 200, point: { temperature: 0.2, mode: 'a' } }),
    trial(3, { score: 0.6, latency_p50_ms: 300, point: { temperature: 0.8, mode: 'b' } }),
    trial(4, { score: 0.9, latency_p50_ms: 400, point: { temperature: 0.5, mode: 'a' } }),
    trial(5, { state: 'pruned', score: 0.95, latency_p50_ms: 50, point: { temperature: 1 } }),
  ]

  it('finds the Pareto front of score against latency from complete trials', () => {
    expect(paretoFrontIds(trials, 'latency')).toEqual(['t1', 't2', 't4'])
  })

  it('splits the chart into other trials, the front and the baselines', () => {
    const [others, front, baselines] = paretoSeries(trials, 'latency')
    expect(others?.data).toEqual([{ x: 300, y: 60 }])
    expect(front?.data).toEqual([
      { x: 100, y: 50 },
      { x: 200, y: 70 },
      { x: 400, y: 90 },
    ])
    expect(front?.showLine).toBe(true)
    expect(baselines?.data).toEqual([{ x: 100, y: 50 }])
    expect(baselines?.tooltips?.[0]).toBe('#1 (provider defaults) 50.0% at 100 ms')
  })

  it('plots a number parameter as points and a choice as mean score bars', () => {
    expect(isNumericParam(trials, 'temperature')).toBe(true)
    expect(isNumericParam(trials, 'mode')).toBe(false)
    const numeric = paramChart(trials, 'temperature')
    expect(numeric.kind).toBe('scatter')
    expect(numeric.series[0]?.data).toEqual([
      { x: 0.2, y: 70 },
      { x: 0.5, y: 90 },
      { x: 0.8, y: 60 },
    ])
    const choice = paramChart(trials, 'mode')
    expect(choice).toEqual({
      kind: 'bar',
      labels: ['a', 'b'],
      series: [{ label: 'Mean score', data: [80, 60] }],
    })
  })

  it('bins few values one by one and many numbers into equal ranges', () => {
    const few = binsFor([0.5, 0.1, 0.5])
    expect(few.labels).toEqual(['0.1', '0.5'])
    expect(few.index(0.5)).toBe(1)
    const many = binsFor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)
    expect(many.labels).toEqual(['0–2', '2–4', '4–6', '6–8', '8–10'])
    expect(many.index(10)).toBe(4)
    expect(many.index(0)).toBe(0)
    expect(many.index(3.9)).toBe(1)
    expect(binsFor(['b', 'a', 'b']).labels).toEqual(['a', 'b'])
  })

  it('averages the score of each cell of two parameters', () => {
    const grid = [
      trial(1, { score: 0.2, point: { t: 0, p: 'x' } }),
      trial(2, { score: 0.4, point: { t: 0, p: 'x' } }),
      trial(3, { score: 0.9, point: { t: 1, p: 'y' } }),
      trial(4, { score: 0.5, point: { t: 1 } }),
    ]
    const map = heatmap(grid, 't', 'p')
    expect(map.xLabels).toEqual(['0', '1'])
    expect(map.yLabels).toEqual(['x', 'y'])
    expect(map.rows[0]?.[0]?.mean).toBeCloseTo(0.3)
    expect(map.rows[0]?.[0]?.count).toBe(2)
    expect(map.rows[0]?.[1]).toEqual({ mean: null, count: 0 })
    expect(map.rows[1]?.[1]).toEqual({ mean: 0.9, count: 1 })
    expect(map.trials).toBe(3)
    expect(map.min).toBeCloseTo(0.3)
    expect(map.max).toBeCloseTo(0.9)
    expect(cellShade(0.9, map.min, map.max)).toBe(1)
    expect(cellShade(null, map.min, map.max)).toBe(0)
    expect(cellShade(0.5, 0.5, 0.5)).toBe(1)
  })

  it('knows when the cost axis has nothing to show', () => {
    expect(hasCost(trials)).toBe(false)
    expect(hasCost([trial(1, { cost_usd: 0.01 })])).toBe(true)
  })
})
