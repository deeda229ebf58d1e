// Prompt templates (issue 17, bug 8): a refused save shows its message once, at the user prompt
// field; a stored template without a user prompt still lists, saying why it cannot be used.
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { stubApi } from './fakes'
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
  name: 'Old one',
  description: '',
  system_prompt: 'Be brief.',
  user_prompt: '',
  created_at: NOW,
  updated_at: NOW,
  problem: 'This template has no user prompt. Edit it to add the message sent to the model.',
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

describe('prompt templates page', () => {
  it('lists a stored template without a user prompt with the reason, and shows a refusal once', async () => {
    stubApi({
      '/api/prompt-templates': [{ body: [OLD] }, REFUSAL],
      '/api/prompt-templates/tpl-1': REFUSAL,
    })
    const { wrapper } = await mountApp('/settings/templates')
    mounted = wrapper
    await vi.waitFor(() => expect(wrapper.text()).toContain('Old one'))
    expect(wrapper.get('[data-testid="template-problem"]').text()).toBe(OLD.problem)

    await wrapper.get('button[aria-label="Edit Old one"]').trigger('click')
    await settle()
    await wrapper.get('#template-form').trigger('submit')
    await settle()
    const form = wrapper.get('#template-form')
    expect(form.findAll('[data-testid="field-error"]').map((e) => e.text())).toEqual([PLAIN])
    expect(form.text().split(PLAIN).length).toBe(2) // once
    expect(form.find('[data-testid="error-notice"]').exists()).toBe(false)
  })
})
