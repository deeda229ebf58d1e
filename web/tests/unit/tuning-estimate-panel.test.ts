// The estimate panel shows the judge objective's figures: its calls apart from the model's
// calls (max_calls does not count them) and its share of the cost.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import EstimatePanel from '@/components/tuning/setup/EstimatePanel.vue'
import type { TunerEstimate } from '@/features/tuning/types'

const ESTIMATE: TunerEstimate = {
  space: {
    provider: 'openai',
    model: 'benchstudio-sim-tunable',
    dimensions: [],
    repeats: 1,
    adjustments: [],
    grid_size: 4,
  },
  cases: 3,
  repeats: 1,
  baselines: [{ kind: 'baseline_default', label: 'Provider defaults', point: {} }],
  planned_trials: 5,
  calls_per_trial: 3,
  max_calls: 15,
  cost_per_trial_usd: 0.3,
  max_cost_usd: 1.5,
  judge_calls_per_trial: 3,
  judge_max_calls: 15,
  judge_cost_per_trial_usd: 0.1,
  seconds_per_trial: null,
  max_wall_s: null,
  concurrency: 1,
  limiting: 'max_trials (5)',
  warnings: [],
}

function panel(estimate: TunerEstimate) {
  return mount(EstimatePanel, { props: { estimate, busy: false, error: null, blocked: null } })
}

describe('the estimate panel', () => {
  it('shows the judge calls and the judge cost within the cost', () => {
    const wrapper = panel(ESTIMATE)
    expect(wrapper.get('[data-testid="estimate-model-calls"]').text()).toBe('≤ 15')
    expect(wrapper.get('[data-testid="estimate-judge-calls"]').text()).toBe('≤ 15')
    expect(wrapper.get('[data-testid="estimate-figures"]').text()).toContain(
      "$0.30 per trial, the judge's $0.10 included",
    )
  })

  it('shows no judge figure without the judge objective', () => {
    const wrapper = panel({
      ...ESTIMATE,
      judge_calls_per_trial: null,
      judge_max_calls: null,
      judge_cost_per_trial_usd: null,
    })
    expect(wrapper.find('[data-testid="estimate-judge-calls"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="estimate-figures"]').text()).not.toContain('judge')
  })
})
