// The tuning setup form's body and checks, the estimate panel's words, where a 422 lands, and
// the runs list's filters and figures.
import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/errors'
import {
  adjustmentLine,
  dimensionProblems,
  estimateFigures,
  refusalFields,
} from '@/features/tuning/estimate'
import {
  buildTuningPayload,
  defaultTuningForm,
  isMultiObjective,
  type TuningForm,
} from '@/features/tuning/runForm'
import { filtersFrom, filtersQuery, modelText, trialsText } from '@/features/tuning/runList'
import { newDimension } from '@/features/tuning/space'
import type { TunerEstimate } from '@/features/tuning/types'

const SPECS = [
  { name: 'temperature', type: 'float', min: 0, max: 2 },
  { name: 'top_p', type: 'float', min: 0, max: 1 },
]

function filled(change: Partial<TuningForm> = {}): TuningForm {
  return {
    ...defaultTuningForm(),
    providerId: 'p1',
    modelId: 'benchstudio-sim-tunable',
    suiteId: 's1',
    dimensions: [newDimension('temperature', SPECS[0]), newDimension('top_p', SPECS[1])],
    ...change,
  }
}

function problemsOf(form: TuningForm): Record<string, string> {
  const result = buildTuningPayload(form, SPECS)
  return result.ok ? {} : result.problems
}

describe('the tuning run body', () => {
  it('sends the defaults with the target, suite and space', () => {
    const result = buildTuningPayload(filled(), SPECS)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.payload).toEqual({
      suite_id: 's1',
      profile: 'lenient',
      target: { provider_id: 'p1', model_id: 'benchstudio-sim-tunable' },
      space: {
        repeats: 1,
        dimensions: [
          expect.objectContaining({ kind: 'range', name: 'temperature', low: 0, high: 2 }),
          expect.objectContaining({ kind: 'range', name: 'top_p', low: 0, high: 1 }),
        ],
      },
      strategy: { kind: 'tpe', seed: 0, reevaluate_duplicates: false, startup_trials: 10 },
      objective: { source: 'tool_eval', metric: 'pass_rate', minimize: [] },
      stopping: { patience: null, min_delta: 0, prune: true },
      budget: { max_trials: 20, max_calls: null, max_cost_usd: null, max_wall_s: null },
      timeout_s: 120,
    })
  })

  it('sends what the user set: name, version, preset, grid sample, judge, minimise, budgets', () => {
    const result = buildTuningPayload(
      filled({
        name: ' Warm search ',
        suiteVersion: 2,
        parameterSetId: 'set1',
        systemPrompt: 'Be brief.',
        vendorPresetId: 'llama-3',
        strategy: 'grid',
        gridSample: '12',
        objective: 'judge',
        judgeModelRefId: 'm9',
        minimizeLatency: true,
        minimizeCost: true,
        patience: 5,
        minDelta: 0.01,
        prune: false,
        maxTrials: 40,
        maxCalls: 900,
        maxCostUsd: 2.5,
        maxWallMin: 1.5,
        concurrency: 3,
      }),
      SPECS,
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const p = result.payload
    expect(p.name).toBe('Warm search')
    expect(p.suite_version).toBe(2)
    expect(p.target).toEqual({
      provider_id: 'p1',
      model_id: 'benchstudio-sim-tunable',
      parameter_set_id: 'set1',
      system_prompt: 'Be brief.',
    })
    expect(p.vendor_preset_id).toBe('llama-3')
    expect(p.strategy).toEqual({
      kind: 'grid',
      seed: 0,
      reevaluate_duplicates: false,
      grid_sample: 12,
      startup_trials: 10,
    })
    expect(p.objective).toEqual({
      source: 'judge',
      metric: 'pass_rate',
      minimize: ['latency', 'cost'],
      judge_model_ref_id: 'm9',
    })
    expect(p.stopping).toEqual({ patience: 5, min_delta: 0.01, prune: false })
    expect(p.budget).toEqual({ max_trials: 40, max_calls: 900, max_cost_usd: 2.5, max_wall_s: 90 })
    expect(p.concurrency).toBe(3)
  })

  it('names each problem at its field', () => {
    const problems = problemsOf(
      filled({
        providerId: '',
        suiteId: '',
        objective: 'judge',
        maxTrials: '',
        maxCalls: 'lots',
        maxCostUsd: 0,
        maxWallMin: 0.05,
        concurrency: 100,
        patience: 0,
        strategy: 'grid',
        gridSample: 0.5,
      }),
    )
    expect(Object.keys(problems).sort()).toEqual([
      'budget.max_calls',
      'budget.max_cost_usd',
      'budget.max_trials',
      'budget.max_wall_s',
      'concurrency',
      'objective.judge_model_ref_id',
      'stopping.patience',
      'strategy.grid_sample',
      'suite_id',
      'target',
    ])
    expect(problems['budget.max_trials']).toBe('Enter trials.')
    expect(problems['budget.max_calls']).toBe('Model calls must be a number.')
    expect(problems.concurrency).toMatch(/1 to 64/)
  })

  it('includes the space problems and says when the objective is multi-objective', () => {
    const form = filled({ dimensions: [] })
    expect(problemsOf(form).space).toMatch(/at least one/)
    expect(isMultiObjective(form)).toBe(false)
    expect(isMultiObjective({ minimizeLatency: false, minimizeCost: true })).toBe(true)
  })
})

const ESTIMATE: TunerEstimate = {
  space: {
    provider: 'openai',
    model: 'benchstudio-sim-tunable',
    dimensions: [],
    repeats: 2,
    adjustments: [],
    grid_size: 66,
  },
  cases: 8,
  repeats: 2,
  baselines: [{ kind: 'baseline_default', label: 'Provider defaults', point: {} }],
  planned_trials: 20,
  calls_per_trial: 16,
  max_calls: 320,
  cost_per_trial_usd: null,
  max_cost_usd: null,
  seconds_per_trial: null,
  max_wall_s: null,
  concurrency: 4,
  limiting: 'the trial budget (20)',
  warnings: [],
}

describe('the estimate in words', () => {
  it('names each adjustment', () => {
    expect(
      adjustmentLine({ param: 'top_k', action: 'drop', reason: 'not supported by openai' }),
    ).toMatchObject({
      label: 'Dropped',
      tone: 'dropped',
      text: 'top_k is not searched: not supported by openai',
    })
    expect(
      adjustmentLine({
        param: 'temperature',
        action: 'clamp',
        reason: 'allowed range is 0.0 to 2.0',
        original: [0, 3],
        value: [0, 2],
      }).text,
    ).toBe('temperature 0 to 3 becomes 0 to 2 (allowed range is 0.0 to 2.0)')
    expect(
      adjustmentLine({
        param: 'max_tokens',
        action: 'rename',
        reason: 'the endpoint wants the new name',
        original: 'max_tokens',
        value: 'max_completion_tokens',
      }).text,
    ).toBe('max_tokens is sent as max_completion_tokens (the endpoint wants the new name)')
    expect(
      adjustmentLine({ param: 'reasoning', action: 'drop_choice', reason: 'no', original: 'x' }),
    ).toMatchObject({ label: 'Value removed', text: 'reasoning = x is left out: no' })
    expect(adjustmentLine({ param: '*', action: 'warn', reason: 'careful' })).toMatchObject({
      tone: 'note',
      text: 'careful',
    })
  })

  it('gives grid, trials, calls, cost and wall time with what limits them', () => {
    const figures = estimateFigures(ESTIMATE)
    expect(figures.map((f) => [f.label, f.value])).toEqual([
      ['Grid size', '66'],
      ['Planned trials', '20'],
      ['Model calls', '≤ 320'],
      ['Cost', 'not priced'],
      ['Wall time', 'unknown'],
    ])
    expect(figures[1]?.hint).toBe('1 baseline included; the trial budget (20)')
    expect(figures[2]?.hint).toBe('16 per trial (8 cases × 2 repeats)')
    const priced = estimateFigures({
      ...ESTIMATE,
      space: { ...ESTIMATE.space, grid_size: null },
      cost_per_trial_usd: 0.5,
      max_cost_usd: 10,
      seconds_per_trial: 30,
      max_wall_s: 150,
    })
    expect(priced.map((f) => f.value)).toEqual([
      'continuous',
      '20',
      '≤ 320',
      '≤ $10.00',
      '≤ 2 min 30 s',
    ])
  })

  it('shows the judge objective calls apart and its cost within the cost', () => {
    const judged = estimateFigures({
      ...ESTIMATE,
      cost_per_trial_usd: 0.5,
      max_cost_usd: 10,
      judge_calls_per_trial: 16,
      judge_max_calls: 320,
      judge_cost_per_trial_usd: 0.2,
    })
    expect(judged.map((f) => [f.label, f.value])).toEqual([
      ['Grid size', '66'],
      ['Planned trials', '20'],
      ['Model calls', '≤ 320'],
      ['Judge calls', '≤ 320'],
      ['Cost', '≤ $10.00'],
      ['Wall time', 'unknown'],
    ])
    expect(judged[3]?.hint).toBe('16 per trial, one per case judged; not counted in max calls')
    expect(judged[4]?.hint).toBe("$0.50 per trial, the judge's $0.20 included")
    const unpricedJudge = estimateFigures({
      ...ESTIMATE,
      cost_per_trial_usd: 0.5,
      max_cost_usd: 10,
      judge_calls_per_trial: 16,
      judge_max_calls: 320,
      judge_cost_per_trial_usd: null,
    })
    expect(unpricedJudge[4]?.hint).toContain('the judge model has no price')
  })
})

describe('where a refusal lands', () => {
  const drafts = [{ name: 'temperature' }, { name: 'top_p' }]
  const refusal = (message: string, fieldErrors?: Record<string, string>) =>
    new ApiError({ status: 422, code: 'invalid_search_space', message, fieldErrors })

  it('puts a space refusal at the dimension it names', () => {
    expect(refusalFields(refusal('top_p: impossible range'), drafts)).toEqual({
      'space.dimensions.1': 'Impossible range',
    })
    expect(refusalFields(refusal('space: nothing left to search'), drafts)).toEqual({
      space: 'Nothing left to search',
    })
    expect(refusalFields(refusal('top_k: is not a parameter any provider knows'), drafts)).toEqual({
      space: 'Top_k: is not a parameter any provider knows',
    })
    expect(
      refusalFields(new ApiError({ status: 404, code: 'not_found', message: 'x: y' }), drafts),
    ).toEqual({})
  })

  it("puts the run's refusals at the budget, preset or objective they name", () => {
    const tuning = (message: string) =>
      new ApiError({ status: 422, code: 'invalid_tuning', message })
    expect(
      refusalFields(tuning('A budget of 1 trials leaves no trial after the 1 baseline'), drafts),
    ).toEqual({ 'budget.max_trials': 'A budget of 1 trials leaves no trial after the 1 baseline' })
    expect(
      Object.keys(refusalFields(tuning("max_calls 3 is below one trial's 8 calls"), drafts)),
    ).toEqual(['budget.max_calls'])
    expect(
      Object.keys(refusalFields(tuning("The vendor preset 'Llama 3' does not apply"), drafts)),
    ).toEqual(['vendor_preset_id'])
    expect(
      Object.keys(refusalFields(tuning('A judge objective is not available yet'), drafts)),
    ).toEqual(['objective.source'])
    expect(refusalFields(tuning('Something else'), drafts)).toEqual({})
  })

  it('keeps the field paths of a validation error', () => {
    expect(
      refusalFields(
        refusal('budget.max_trials: too low', { 'budget.max_trials': 'Too low' }),
        drafts,
      ),
    ).toEqual({ 'budget.max_trials': 'Too low' })
  })

  it('gives each dimension row its own problems', () => {
    expect(
      dimensionProblems(
        {
          'space.dimensions.1': 'Impossible',
          'space.dimensions.1.low': 'Low',
          'space.dimensions.10.low': 'No',
        },
        1,
      ),
    ).toEqual({ row: 'Impossible', low: 'Low' })
  })
})

describe('the runs list', () => {
  it('reads and writes its filters', () => {
    expect(filtersFrom({ q: 'warm', status: 'running' })).toEqual({ q: 'warm', status: 'running' })
    expect(filtersFrom({ status: 'nonsense' })).toEqual({ q: '', status: '' })
    expect(filtersQuery({ q: ' warm ', status: '' })).toEqual({ q: 'warm' })
  })

  it('says trials done of planned and the model', () => {
    const run = { trials_done: 7, estimate: { planned_trials: 12 }, budget: { max_trials: 20 } }
    expect(trialsText(run)).toBe('7 of 12')
    expect(trialsText({ ...run, estimate: {} })).toBe('7 of 20')
    expect(trialsText({ ...run, estimate: {}, budget: {} })).toBe('7')
    expect(modelText({ target: { model_id: 'benchstudio-sim-tunable' } })).toBe(
      'benchstudio-sim-tunable',
    )
  })
})
