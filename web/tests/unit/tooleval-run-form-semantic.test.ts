import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import type { components } from '@/api/schema'
import EvalRunForm from '@/components/tooleval/EvalRunForm.vue'

import { stubApi } from './fakes'

type SuiteDetail = components['schemas']['SuiteDetail']

const semantic = { acceptable: ['cheap hotel'], match: 'semantic' }
const SUITE = {
  id: 's1',
  name: 'Hotels',
  version: 1,
  suite: {
    name: 'Hotels',
    tools: [{ type: 'function', function: { name: 'find', description: '', parameters: {} } }],
    cases: [
      {
        id: 'cheap',
        category: 'general',
        prompt: 'a cheap hotel',
        order: 'unordered',
        expected_calls: [{ name: 'find', arguments: { query: semantic } }],
      },
    ],
  },
} as unknown as SuiteDetail
const NOW = '2026-11-01T10:00:00Z'
const model = (id: string, capability: string) => ({
  id,
  provider_id: 'p1',
  model_id: id,
  display_name: id.toUpperCase(),
  capability,
  archived_at: null,
})

beforeEach(() => {
  setActivePinia(createPinia())
  stubApi({
    '/api/suites/s1/versions': {
      body: [{ version: 1, note: 'created', case_count: 1, created_at: NOW }],
    },
    '/api/providers': { body: [{ id: 'p1', name: 'Sim', archived: false }] },
    '/api/models': { body: [model('emb', 'embeddings'), model('chat', 'chat')] },
  })
})

describe('EvalRunForm with semantic arguments', () => {
  it('asks for a similarity model and sends it with the threshold', async () => {
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }] },
      global: { stubs: { RouterLink: true } },
    })
    await flushPromises()
    const section = wrapper.get('[data-testid="run-semantic"]')
    expect(section.text()).toContain('cheap: find.query')
    const options = wrapper.findAll('[data-testid="semantic-model"] option')
    expect(options.map((o) => o.text())).toEqual(['Pick a model', 'EMB · Sim'])
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(section.text()).toContain('Pick the model that scores semantic arguments.')
    await wrapper.get('[data-testid="semantic-model"]').setValue('emb')
    await wrapper.get('[data-testid="semantic-threshold"]').setValue('0.8')
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    const [[payload]] = wrapper.emitted('submit') as unknown as [[Record<string, unknown>]]
    expect(payload.semantic).toEqual({ source: 'embeddings', model_ref_id: 'emb', threshold: 0.8 })
  })

  it('is hidden under the BFCL profile, which ignores semantic arguments', async () => {
    const wrapper = mount(EvalRunForm, {
      props: { suite: SUITE, targets: [{ providerId: 'p1', modelId: 'm1' }] },
    })
    await wrapper.get('[data-testid="run-profile"]').setValue('bfcl')
    expect(wrapper.find('[data-testid="run-semantic"]').exists()).toBe(false)
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    const [[payload]] = wrapper.emitted('submit') as unknown as [[Record<string, unknown>]]
    expect(payload.semantic).toBeUndefined()
  })
})
