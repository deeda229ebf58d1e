import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  window.localStorage.clear()
})

const NOW = '2026-11-01T10:00:00Z'
function provider(overrides: Record<string, unknown> = {}) {
  return {
    id: 'prov-1',
    name: 'OpenAI',
    protocol: 'openai',
    base_url: 'https://api.openai.com/v1',
    is_demo: false,
    archived: false,
    has_key: true,
    key_last4: 'abcd',
    extra_header_names: [],
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  }
}

function token(overrides: Record<string, unknown> = {}) {
  return {
    id: 'tok-1',
    name: 'laptop',
    prefix: 'bst_Ab12',
    scopes: ['read'],
    created_at: NOW,
    expires_at: null,
    last_used_at: null,
    ...overrides,
  }
}

async function open(path: string, text: string): Promise<VueWrapper> {
  const { wrapper } = await mountApp(path)
  mounted = wrapper
  await vi.waitFor(() => expect(wrapper.text()).toContain(text))
  return wrapper
}

function button(wrapper: VueWrapper, label: string) {
  const found = wrapper
    .findAll('button')
    .find((b) => b.text().trim() === label || b.attributes('aria-label') === label)
  if (!found) throw new Error(`no button ${label}`)
  return found
}

describe('API keys', () => {
  it('show only the last four characters, and a new key is sent but never displayed', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/providers': {
        body: [
          provider(),
          provider({
            id: 'demo',
            name: 'Simulator (demo)',
            is_demo: true,
            has_key: false,
            key_last4: null,
          }),
        ],
      },
      '/api/providers/prov-1/key': { body: provider({ key_last4: 'wxyz' }) },
    })
    const wrapper = await open('/settings/keys', 'OpenAI')
    expect(wrapper.get('[data-testid="key-row-OpenAI"]').text()).toContain('••••abcd')
    expect(wrapper.get('[data-testid="key-row-Simulator (demo)"]').text()).toContain(
      'No key needed',
    )

    await button(wrapper, 'Replace or remove the key of OpenAI').trigger('click')
    await settle()
    await wrapper.get('#provider-key-form input').setValue('sk-brand-new-secret-wxyz')
    await wrapper.get('#provider-key-form').trigger('submit')
    await settle()
    const put = requestsTo(fetch, '/api/providers/prov-1/key')[0]
    expect(put?.method).toBe('PUT')
    expect(await put?.clone().json()).toEqual({ api_key: 'sk-brand-new-secret-wxyz' })
    expect(wrapper.get('[data-testid="key-row-OpenAI"]').text()).toContain('••••wxyz')
    expect(document.body.innerHTML).not.toContain('sk-brand-new-secret-wxyz')
  })
})

describe('personal API tokens', () => {
  it('show a new token once, then only its prefix; revoking asks first', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/auth/tokens': { body: [token()] },
      '/api/auth/tokens/tok-1': { status: 204 },
    })
    const wrapper = await open('/settings/tokens', 'laptop')

    stubApi({
      '/api/auth/tokens': {
        status: 201,
        body: {
          ...token({ id: 'tok-2', name: 'ci', prefix: 'bst_Zz99' }),
          token: 'bst_Zz99-full-secret',
        },
      },
    })
    await button(wrapper, 'Create token').trigger('click')
    await settle()
    await wrapper.get('#token-form input').setValue('ci')
    await wrapper.get('#token-form').trigger('submit')
    await settle()
    expect(wrapper.get('[data-testid="token-value"]').text()).toBe('bst_Zz99-full-secret')
    expect(wrapper.get('[data-testid="token-row-ci"]').text()).toContain('bst_Zz99…')
    await button(wrapper, 'Done').trigger('click')
    expect(document.body.innerHTML).not.toContain('bst_Zz99-full-secret')

    vi.stubGlobal('fetch', fetch)
    await button(wrapper, 'Revoke laptop').trigger('click')
    await settle()
    expect(fetch.mock.calls.some((call) => (call[0] as Request).method === 'DELETE')).toBe(false)
    await wrapper.get('[data-testid="confirm-button"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/auth/tokens/tok-1')[0]?.method).toBe('DELETE')
    expect(wrapper.find('[data-testid="token-row-laptop"]').exists()).toBe(false)
  })
})

describe('jobs indicator', () => {
  it('counts active jobs and cancels one from the header', async () => {
    stubColorScheme(false)
    const running = {
      id: 'job-12345678',
      type: 'demo.units',
      title: 'Nightly run',
      link: '/benchmarks/run-1',
      owner_id: 'user-1',
      status: 'running',
      params: {},
      progress_percent: 40,
      progress_detail: 'unit 4 of 10',
      eta_s: 12,
      result: null,
      error: null,
      attempt: 1,
      cancel_requested: false,
      event_seq: 5,
      created_at: NOW,
      started_at: NOW,
      finished_at: null,
    }
    const fetch = stubApi({
      '/api/jobs': { body: { items: [running], total: 1, limit: 100, offset: 0 } },
      '/api/jobs/job-12345678/cancel': {
        body: { ...running, status: 'cancelled', finished_at: NOW, event_seq: 7 },
      },
    })
    const wrapper = await open('/', 'Overview')
    await vi.waitFor(() => expect(wrapper.get('[data-testid="jobs-count"]').text()).toBe('1'))
    await wrapper.get('[data-testid="jobs-indicator"]').trigger('click')
    const entry = wrapper.get('[data-testid="active-job"]')
    expect(entry.text()).toContain('Nightly run')
    expect(entry.text()).not.toContain('job-1234')
    expect(entry.get('[data-testid="active-job-link"]').attributes('href')).toBe(
      '/benchmarks/run-1',
    )
    expect(entry.get('[data-testid="job-percent"]').text()).toContain('40%')
    expect(entry.get('[data-testid="job-percent"]').text()).toContain('12 s left')
    await button(wrapper, 'Cancel job Nightly run').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/jobs/job-12345678/cancel')).toHaveLength(1)
    expect(wrapper.get('[data-testid="jobs-count"]').text()).toBe('0')
  })
})
