// The prompt library page (issue 19): the old settings page leads here filtered to benchmark
// prompts; a stored benchmark prompt without a user prompt lists with the reason; a refused
// new prompt shows its message once, at the user prompt field.
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { requestsTo, stubApi } from './fakes'
import { mountApp, settle } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  window.localStorage.clear()
})

const NOW = '2026-11-01T10:00:00Z'
const PLAIN = 'Write the user prompt: it is the message sent to the model.'
const OLD = {
  id: 'tpl-1',
  kind: 'benchmark',
  name: 'Old one',
  description: '',
  tags: ['legacy'],
  latest_version: 1,
  copied_from: null,
  builtin: false,
  placeholders: [],
  problem: 'This template has no user prompt. Edit it to add the message sent to the model.',
  created_at: NOW,
  updated_at: NOW,
}
const REFUSAL = {
  status: 422,
  body: {
    error: {
      code: 'validation_error',
      message: `Invalid user_prompt: ${PLAIN}`,
      details: [{ loc: ['body', 'user_prompt'], msg: PLAIN, type: 'empty_user_prompt' }],
    },
  },
}

describe('prompt library page', () => {
  it('lists benchmark prompts with their problem, and shows a refusal once at its field', async () => {
    const fetch = stubApi({ '/api/prompts': [{ body: [OLD] }, REFUSAL] })
    const { wrapper, router } = await mountApp('/settings/templates')
    mounted = wrapper
    await vi.waitFor(() => expect(wrapper.text()).toContain('Old one'))
    expect(router.currentRoute.value.fullPath).toBe('/prompts?kind=benchmark')
    const listed = requestsTo(fetch, '/api/prompts')[0]
    expect(new URL(listed?.url ?? '').searchParams.get('kind')).toBe('benchmark')
    expect(wrapper.text()).toContain(OLD.problem)

    await wrapper.get('[data-testid="new-prompt"]').trigger('click')
    await settle()
    const form = wrapper.get('#prompt-form')
    expect((form.get('[data-testid="prompt-kind"]').element as HTMLSelectElement).value).toBe(
      'benchmark',
    )
    await form.get('[data-testid="prompt-name"]').setValue('New one')
    await form.trigger('submit')
    await settle()
    expect(form.findAll('[data-testid="field-error"]').map((e) => e.text())).toEqual([PLAIN])
    expect(form.text().split(PLAIN).length).toBe(2) // once
    expect(form.find('[data-testid="error-notice"]').exists()).toBe(false)
  })
})
