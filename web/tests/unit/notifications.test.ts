import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import {
  type DeliveryAttempt,
  attemptOutcome,
  attemptResponse,
} from '@/features/notifications/deliveries'
import { linkLabel, noticeKind, unreadBadge } from '@/features/notifications/kinds'

import { requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  window.localStorage.clear()
})

const NOW = '2026-11-01T10:00:00Z'

function notice(overrides: Record<string, unknown> = {}) {
  return {
    id: 'n-1',
    kind: 'schedule.paused',
    title: 'Hourly: paused',
    body: 'The schedule switched itself off: its last 3 runs failed.',
    link: '/schedules/s-1',
    read_at: null,
    created_at: NOW,
    ...overrides,
  }
}

function page(items: unknown[], unread: number, total = items.length) {
  return { items, total, unread, limit: 20, offset: 0 }
}

function attempt(overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    id: 'a-1',
    delivery_id: 'd-1',
    event: 'schedule.paused',
    attempt: 1,
    status_code: null,
    error: null,
    duration_ms: 12.4,
    next_retry_at: null,
    created_at: NOW,
    ...overrides,
  }
}

function hook(overrides: Record<string, unknown> = {}) {
  return {
    id: 'w-1',
    name: 'ops',
    url_hint: 'https://hooks.example.com',
    schedule_id: null,
    enabled: true,
    created_at: NOW,
    secret_rotated_at: NOW,
    ...overrides,
  }
}

async function open(path: string, text: string): Promise<VueWrapper> {
  const { wrapper } = await mountApp(path)
  mounted = wrapper
  await vi.waitFor(() => expect(wrapper.text()).toContain(text))
  return wrapper
}

async function body(request: Request | undefined): Promise<unknown> {
  return request?.clone().json()
}

describe('notice kinds and delivery outcomes', () => {
  it('name each kind, cap the badge and read a link', () => {
    expect(noticeKind('schedule.regressed')).toMatchObject({ label: 'Regression', tone: 'bad' })
    expect(noticeKind('schedule.skipped').label).toBe('Run skipped')
    expect(noticeKind('something.new')).toMatchObject({ label: 'Notice', icon: 'bell' })
    expect([unreadBadge(7), unreadBadge(99), unreadBadge(100)]).toEqual(['7', '99', '99+'])
    expect(linkLabel('/schedules/s-1')).toBe('Open schedule')
    expect(linkLabel('/tool-eval/runs/r-1')).toBe('Open run')
  })

  it('tell delivered, refused, retrying and failed tries apart', () => {
    expect(attemptOutcome(attempt({ status_code: 204 }))).toBe('delivered')
    const refused = attempt({ error: 'refused by the egress guard: cloud metadata address' })
    expect(attemptOutcome(refused)).toBe('refused')
    expect(attemptOutcome(attempt({ status_code: 500, next_retry_at: NOW }))).toBe('retrying')
    expect(attemptOutcome(attempt({ status_code: 500 }))).toBe('failed')
    expect(attemptResponse(attempt({ status_code: 500 }))).toBe('500')
    expect(attemptResponse(refused)).toBe(refused.error)
    expect(attemptResponse(attempt())).toBe('—')
  })
})

describe('the bell', () => {
  it('shows the unread count, the latest notices, and marks all read', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/notifications/unread-count': { body: { unread: 2 } },
      '/api/notifications': {
        body: page([notice(), notice({ id: 'n-2', read_at: NOW, title: 'Old one' })], 2, 3),
      },
      '/api/notifications/read-all': { body: { marked: 2 } },
    })
    const wrapper = await open('/', 'Overview')
    await vi.waitFor(() =>
      expect(wrapper.get('[data-testid="notification-count"]').text()).toBe('2'),
    )
    expect(wrapper.get('[data-testid="notification-bell"]').attributes('aria-label')).toBe(
      'Notifications, 2 unread',
    )
    await wrapper.get('[data-testid="notification-bell"]').trigger('click')
    await settle()
    const panel = wrapper.get('[data-testid="notifications-panel"]')
    expect(panel.text()).toContain('Hourly: paused')
    expect(panel.text()).toContain('Old one')
    expect(panel.get('[data-testid="notice-link"]').attributes('href')).toBe('/schedules/s-1')
    expect(requestsTo(fetch, '/api/notifications')[0]?.url).toContain('limit=6')
    await wrapper.get('[data-testid="bell-mark-all-read"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/notifications/read-all')).toHaveLength(1)
    expect(wrapper.find('[data-testid="notification-count"]').exists()).toBe(false)
    expect(panel.find('[data-unread="true"]').exists()).toBe(false)
  })
})

describe('the notification center', () => {
  it('lists notices, filters the unread ones and marks one read', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/notifications/unread-count': { body: { unread: 1 } },
      '/api/notifications': [
        { body: page([notice(), notice({ id: 'n-2', read_at: NOW, title: 'Old one' })], 1) },
        { body: page([notice()], 1) },
      ],
      '/api/notifications/read': { body: { marked: 1 } },
    })
    const wrapper = await open('/notifications', 'Hourly: paused')
    expect(wrapper.text()).toContain('Old one')
    expect(wrapper.get('[data-testid="filter-unread"]').text()).toBe('Unread (1)')
    await wrapper.get('[data-testid="filter-unread"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/notifications')[1]?.url).toContain('unread_only=true')
    expect(wrapper.text()).not.toContain('Old one')
    await wrapper.get('[data-testid="notice-mark-read"]').trigger('click')
    await settle()
    expect(await body(requestsTo(fetch, '/api/notifications/read')[0])).toEqual({ ids: ['n-1'] })
    expect(wrapper.get('[data-testid="filter-unread"]').text()).toBe('Unread (0)')
    expect(wrapper.get('[data-testid="notice-n-1"]').attributes('data-unread')).toBe('false')
    expect(wrapper.find('[data-testid="notification-count"]').exists()).toBe(false)
  })

  it('explains itself when empty', async () => {
    stubColorScheme(false)
    stubApi({ '/api/notifications': { body: page([], 0) } })
    const wrapper = await open('/notifications', 'No notifications yet')
    expect(wrapper.get('[data-testid="empty-state"]').text()).toContain('pauses itself')
  })
})

describe('webhooks settings', () => {
  it('show a new secret once, rotate it, and list the deliveries', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/webhooks': [
        { body: [] },
        { status: 201, body: { ...hook({ schedule_id: 's-1' }), secret: 'whsec_first' } },
      ],
      '/api/schedules': {
        body: { items: [{ id: 's-1', name: 'Hourly' }], total: 1, limit: 200, offset: 0 },
      },
      '/api/webhooks/w-1/rotate-secret': {
        body: { ...hook({ schedule_id: 's-1' }), secret: 'whsec_second' },
      },
      '/api/webhooks/w-1/deliveries': {
        body: {
          items: [
            attempt({ error: 'refused by the egress guard: cloud metadata address' }),
            attempt({ id: 'a-2', status_code: 200, attempt: 1, event: 'schedule.regressed' }),
          ],
          total: 2,
          limit: 10,
          offset: 0,
        },
      },
    })
    const wrapper = await open('/settings/webhooks', 'No webhooks yet')
    await wrapper.get('[data-testid="create-webhook"]').trigger('click')
    await settle()
    await wrapper.get('[data-testid="webhook-name"]').setValue('ops')
    await wrapper.get('[data-testid="webhook-url-input"]').setValue('https://hooks.example.com/x')
    await wrapper.get('[data-testid="webhook-scope-input"]').setValue('s-1')
    await wrapper.get('#webhook-form').trigger('submit')
    await settle()
    const post = requestsTo(fetch, '/api/webhooks').find((r) => r.method === 'POST')
    expect(await body(post)).toEqual({
      name: 'ops',
      url: 'https://hooks.example.com/x',
      schedule_id: 's-1',
      enabled: true,
    })
    expect(wrapper.get('[data-testid="webhook-secret"]').text()).toBe('whsec_first')
    expect(wrapper.get('[data-testid="webhook-scope"]').text()).toBe('Hourly')
    await wrapper.get('[data-testid="webhook-secret-done"]').trigger('click')
    await settle()
    expect(document.body.innerHTML).not.toContain('whsec_first')

    await wrapper.get('[data-testid="webhook-rotate"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/webhooks/w-1/rotate-secret')).toHaveLength(0)
    await wrapper.get('[data-testid="confirm-button"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/webhooks/w-1/rotate-secret')[0]?.method).toBe('POST')
    expect(wrapper.get('[data-testid="webhook-secret"]').text()).toBe('whsec_second')
    await wrapper.get('[data-testid="webhook-secret-done"]').trigger('click')
    await settle()

    await wrapper.get('[data-testid="webhook-deliveries-toggle"]').trigger('click')
    await settle()
    const outcomes = wrapper.findAll('[data-testid="delivery-outcome"]').map((o) => o.text())
    expect(outcomes).toEqual(['Refused', 'Delivered'])
    const responses = wrapper.findAll('[data-testid="delivery-response"]').map((o) => o.text())
    expect(responses).toEqual(['refused by the egress guard: cloud metadata address', '200'])
  })
})
