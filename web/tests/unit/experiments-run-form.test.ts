// The eval run form's experiment: listed for the suite, prefilled from ?experiment= (version,
// profile, models), sent as experiment_id; no select when the suite has no experiments.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import type { components } from '@/api/schema'
import EvalRunForm from '@/components/tooleval/EvalRunForm.vue'

import { requestsTo, stubApi } from './fakes'

type SuiteDetail = components['schemas']['SuiteDetail']

const SUITE = {
  id: 's1',
  name: 'Suite',
  version: 3,
  suite: {
    name: 'Suite',
    system_prompt: null,
    tools: [{ type: 'function', function: { name: 'lookup', description: '', parameters: {} } }],
    cases: [{ id: 'ok', category: 'general', prompt: 'Look up abc', order: 'unordered' }],
  },
} as unknown as SuiteDetail
const NOW = '2026-12-01T10:00:00Z'
const EXPERIMENT = {
  id: 'e1',
  name: 'Pick a model',
  description: '',
  suite_id: 's1',
  suite_name: 'Suite',
  suite_version: 2,
  profile: 'strict',
  models: [
    { provider_id: 'p1', model_id: 'm1', label: 'M1' },
    { provider_id: 'p1', model_id: 'm2', label: 'M2' },
  ],
  baseline_chosen: false,
  run_count: 0,
  baseline_score: null,
  best_score: null,
  archived: false,
  created_at: NOW,
  updated_at: NOW,
}
const VERSIONS = [3, 2, 1].map((version) => ({ version, note: '', case_count: 1, created_at: NOW }))

let fake: ReturnType<typeof stubApi>
beforeEach(() => {
  setActivePinia(createPinia())
  fake = stubApi({
    '/api/suites/s1/versions': { body: VERSIONS },
    '/api/experiments': { body: { items: [EXPERIMENT], total: 1, limit: 100, offset: 0 } },
  })
})

describe('EvalRunForm with experiments', () => {
  it('prefills from the experiment named up front and files the run under it', async () => {
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [], experimentId: 'e1' },
    })
    await flushPromises()
    const listed = new URL(requestsTo(fake, '/api/experiments')[0]!.url)
    expect(listed.searchParams.get('suite_id')).toBe('s1')
    expect(wrapper.emitted('prefill-targets')).toEqual([
      [
        [
          { providerId: 'p1', modelId: 'm1' },
          { providerId: 'p1', modelId: 'm2' },
        ],
      ],
    ])
    const select = wrapper.get<HTMLSelectElement>('[data-testid="run-experiment"]')
    expect(select.element.value).toBe('e1')
    expect(wrapper.get<HTMLSelectElement>('[data-testid="run-profile"]').element.value).toBe(
      'strict',
    )
    expect(wrapper.find('[data-testid="run-experiment-off-scale"]').exists()).toBe(false)

    await wrapper.setProps({ targets: [{ providerId: 'p1', modelId: 'm1' }] })
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    expect(wrapper.emitted('submit')?.[0]?.[0]).toEqual({
      suite_id: 's1',
      suite_version: 2,
      targets: [{ provider_id: 'p1', model_id: 'm1' }],
      profile: 'strict',
      timeout_s: 120,
      experiment_id: 'e1',
    })
  })

  it('warns when the chosen settings leave the experiment’s scale', async () => {
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }], experimentId: 'e1' },
    })
    await flushPromises()
    await wrapper.get('[data-testid="run-profile"]').setValue('lenient')
    expect(wrapper.get('[data-testid="run-experiment-off-scale"]').text()).toContain(
      'the lenient profile (the experiment scores with strict)',
    )
  })

  it('sends no experiment unless one is chosen, and hides the select without experiments', async () => {
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }] },
    })
    await flushPromises()
    expect(wrapper.get<HTMLSelectElement>('[data-testid="run-experiment"]').element.value).toBe('')
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    expect(wrapper.emitted('submit')?.[0]?.[0]).not.toHaveProperty('experiment_id')

    stubApi({
      '/api/suites/s1/versions': { body: VERSIONS },
      '/api/experiments': { body: { items: [], total: 0, limit: 100, offset: 0 } },
    })
    const bare = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }] },
    })
    await flushPromises()
    expect(bare.find('[data-testid="run-experiment"]').exists()).toBe(false)
  })
})
