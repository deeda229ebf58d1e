// The judge's components against a fake server: the run form's judge section adds `judge` to
// the payload (or blocks the submit with its problems), the agreement matrix shows "undefined"
// kappa with its reason, and a review is sent and can be taken back.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import type { components } from '@/api/schema'
import AgreementMatrix from '@/components/judge/AgreementMatrix.vue'
import DisagreementsReview from '@/components/judge/DisagreementsReview.vue'
import EvalRunForm from '@/components/tooleval/EvalRunForm.vue'

import { stubApi } from './fakes'

type SuiteDetail = components['schemas']['SuiteDetail']

const SUITE = {
  id: 's1',
  name: 'Suite',
  version: 1,
  suite: { name: 'Suite', tools: [], cases: [{ id: 'a', category: 'g', prompt: 'hi' }] },
} as unknown as SuiteDetail
const MODEL = {
  id: 'judge1',
  provider_id: 'p1',
  model_id: 'gpt-judge',
  display_name: 'Judge GPT',
  archived_at: null,
  created_at: '2026-11-01T10:00:00Z',
  notes: '',
}

beforeEach(() => {
  setActivePinia(createPinia())
})

describe('judge options in the eval run form', () => {
  it('adds the judge options to the payload, after asking for what is missing', async () => {
    stubApi({
      '/api/suites/s1/versions': { body: [] },
      '/api/models': { body: [MODEL] },
      '/api/providers': { body: [{ id: 'p1', name: 'Acme' }] },
    })
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }] },
    })
    await flushPromises()
    await wrapper.get('[data-testid="judge-enabled"]').setValue(true)
    await flushPromises() // the judge model list loads the catalog
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    expect(wrapper.emitted('submit')).toBeUndefined()
    const options = wrapper.get('[data-testid="eval-judge-options"]')
    expect(options.findAll('[data-testid="field-error"]').map((e) => e.text())).toEqual([
      'Pick a judge model.',
    ])

    expect(options.get('[data-testid="judge-model"]').text()).toContain('Judge GPT · Acme')
    await options.get('[data-testid="judge-model"]').setValue('judge1')
    await options.get('[data-testid="judge-auto-below"]').setValue('80')
    await options.get('[data-testid="judge-policy"]').setValue('judge_final')
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    const [[payload]] = wrapper.emitted('submit') as unknown as [[Record<string, unknown>]]
    expect(payload.judge).toEqual({
      judge_model_ref_id: 'judge1',
      prompt_entry_id: 'builtin-judge-verdict',
      prompt_version: null,
      live: true,
      auto_judge_below: 80,
      show_automated: false,
      budget_usd: null,
      verdict_policy: 'judge_final',
    })
  })

  it('sends no judge options while the section is off', async () => {
    stubApi({ '/api/suites/s1/versions': { body: [] } })
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }] },
    })
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    const [[payload]] = wrapper.emitted('submit') as unknown as [[Record<string, unknown>]]
    expect('judge' in payload).toBe(false)
  })
})

describe('agreement matrix', () => {
  it('says kappa is undefined, with the reason, when both raters gave one label', () => {
    const wrapper = mount(AgreementMatrix, {
      props: {
        agreement: {
          table: { pass: { pass: 3, not_pass: 0 }, marginal: {}, fail: {} },
          n: 3,
          kappa: null,
          kappa_reason: 'both raters labelled every case pass, so chance agreement is 1',
          raw_agreement: 1,
          judge_right: 0,
          automated_right: 0,
        },
      },
    })
    expect(wrapper.get('[data-testid="kappa"]').text()).toBe('undefined')
    expect(wrapper.get('[data-testid="kappa-detail"]').text()).toContain('chance agreement is 1')
    expect(wrapper.get('[data-testid="agreement-pass-pass"]').text()).toBe('3')
    expect(wrapper.text()).not.toContain('NaN')
  })
})

describe('disagreement review', () => {
  it('sends the mark, and a second click on it takes it back', async () => {
    const fake = stubApi({ '/api/judge/reports/r1/cases/c1/review': { body: null, status: 204 } })
    const props = {
      reportId: 'r1',
      disagreements: [
        {
          case_id: 'c1',
          category: null,
          judge_verdict: 'pass' as const,
          automated_pass: false,
          review: 'judge_right' as const,
        },
      ],
    }
    const wrapper = mount(DisagreementsReview, { props })
    expect(wrapper.text()).toContain('0 to review · 1 judge right · 0 automated right')
    await wrapper.get('[data-testid="review-judge-right"]').trigger('click')
    await flushPromises()
    await wrapper.get('[data-testid="review-automated-right"]').trigger('click')
    await flushPromises()
    const bodies = await Promise.all(
      fake.mock.calls
        .map(([request]) => request as Request)
        .filter((r) => r.url.endsWith('/review'))
        .map((r) => r.json()),
    )
    expect(bodies).toEqual([{ review: null }, { review: 'automated_right' }])
    expect(wrapper.emitted('reviewed')).toHaveLength(2)
  })
})
