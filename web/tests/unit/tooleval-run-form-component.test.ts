import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import { ApiError } from '@/api/errors'
import type { components } from '@/api/schema'
import EvalRunForm from '@/components/tooleval/EvalRunForm.vue'

import { stubApi } from './fakes'

type SuiteDetail = components['schemas']['SuiteDetail']

const SUITE = {
  id: 's1',
  name: 'Suite',
  version: 2,
  suite: {
    name: 'Suite',
    system_prompt: 'Be helpful.',
    tools: [{ type: 'function', function: { name: 'lookup', description: '', parameters: {} } }],
    cases: [
      { id: 'ok', category: 'general', prompt: 'Look up abc', order: 'unordered' },
      { id: 'held', category: 'general', prompt: 'token = <your value>', order: 'unordered' },
    ],
  },
} as unknown as SuiteDetail
const TARGETS = [{ providerId: 'p1', modelId: 'm1' }]
const NOW = '2026-11-01T10:00:00Z'

beforeEach(() => {
  setActivePinia(createPinia())
  stubApi({
    '/api/suites/s1/versions': {
      body: [
        { version: 2, note: '', case_count: 2, created_at: NOW },
        { version: 1, note: 'created', case_count: 1, created_at: NOW },
      ],
    },
  })
})

describe('EvalRunForm', () => {
  it('emits the payload only after the placeholder warning is confirmed', async () => {
    const wrapper = mount(EvalRunForm, { props: { suite: SUITE, targets: TARGETS } })
    const warning = wrapper.get('[data-testid="placeholder-warning"]')
    expect(warning.text()).toContain('1 case still holds <your value> placeholders: held.')
    expect(wrapper.get('[data-testid="run-eval"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="run-tool-choice"]').setValue('lookup')
    await wrapper.get('[data-testid="placeholder-confirm"]').setValue(true)
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    expect(wrapper.emitted('submit')).toEqual([
      [
        {
          suite_id: 's1',
          targets: [{ provider_id: 'p1', model_id: 'm1' }],
          profile: 'lenient',
          timeout_s: 120,
          tool_choice: 'lookup',
        },
      ],
    ])
  })

  it('shows a server 422 at its field and opens the section that holds it', async () => {
    const wrapper = mount(EvalRunForm, { props: { suite: SUITE, targets: TARGETS } })
    expect(wrapper.get('details').attributes('open')).toBeUndefined()
    const error = new ApiError({
      status: 422,
      code: 'validation_error',
      message: 'Invalid',
      fieldErrors: { concurrency: 'Input should be less than or equal to 64' },
    })
    await wrapper.setProps({ error })
    expect(wrapper.get('details').attributes('open')).toBeDefined()
    const messages = wrapper.findAll('[data-testid="field-error"]').map((e) => e.text())
    expect(messages).toEqual(['Input should be less than or equal to 64'])
    expect(wrapper.get('[data-testid="error-notice"]').text()).toContain(
      'Check the highlighted field',
    )
  })

  it('sends the chosen older version and the override of one model', async () => {
    const wrapper = mount(EvalRunForm, { props: { suite: SUITE, targets: TARGETS } })
    await flushPromises()
    const select = wrapper.get('[data-testid="run-suite-version"]')
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'Current: version 2 · 2 cases',
      'Version 1 · 1 case',
    ])
    await select.setValue('1')
    expect(wrapper.find('[data-testid="override-temperature"]').exists()).toBe(false)
    await wrapper.get('[data-testid="run-override-toggle"]').setValue(true)
    await wrapper.get('[data-testid="override-temperature"]').setValue('0.6')
    await wrapper.get('[data-testid="override-system-prompt"]').setValue('Only m1 sees this.')
    await wrapper.get('[data-testid="placeholder-confirm"]').setValue(true)
    await wrapper.get('[data-testid="run-eval"]').trigger('click')
    expect(wrapper.emitted('submit')).toEqual([
      [
        {
          suite_id: 's1',
          suite_version: 1,
          targets: [
            {
              provider_id: 'p1',
              model_id: 'm1',
              system_prompt: 'Only m1 sees this.',
              params: { temperature: 0.6 },
            },
          ],
          profile: 'lenient',
          timeout_s: 120,
        },
      ],
    ])
  })
})
