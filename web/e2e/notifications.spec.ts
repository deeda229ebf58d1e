// Notifications and webhooks, end to end on the real server: a webhook is saved (its secret
// shown once, then rotated), a schedule pauses itself because its provider's key was removed,
// and the owner sees the notice in the bell and the notification center (figures equal the
// API's), marks it read, and finds the webhook's delivery refused by the egress guard.
import type { APIRequestContext, Page } from '@playwright/test'

import { expect, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly, type TestUser } from './users'

interface Notice {
  id: string
  kind: string
  title: string
  body: string
  link: string
  read_at: string | null
}

interface Attempt {
  event: string
  attempt: number
  status_code: number | null
  error: string | null
  next_retry_at: string | null
}

async function call<T>(
  request: APIRequestContext,
  token: string,
  method: 'get' | 'post' | 'put' | 'delete',
  path: string,
  data?: unknown,
): Promise<T> {
  const response = await request[method](path, {
    data,
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true)
  return (response.status() === 204 ? null : await response.json()) as T
}

/** A provider with a key (at an address nothing listens on), a model, and an hourly schedule
 * on it from now; then the key is removed, so the dispatcher's next pass pauses it. */
async function scheduleThatPauses(
  request: APIRequestContext,
  token: string,
): Promise<{ scheduleId: string; providerName: string }> {
  const providerName = `Keyed ${Date.now().toString(36)}`
  const provider = await call<{ id: string }>(request, token, 'post', '/api/providers', {
    name: providerName,
    protocol: 'openai',
    base_url: 'http://127.0.0.1:9/v1',
  })
  await call(request, token, 'put', `/api/providers/${provider.id}/key`, {
    api_key: 'sk-test-abcdef123456',
  })
  await call(request, token, 'post', '/api/models', { provider_id: provider.id, model_id: 'm-1' })
  const schedule = await call<{ id: string }>(request, token, 'post', '/api/schedules', {
    name: 'Hourly check',
    kind: 'benchmark',
    benchmark: {
      targets: [{ provider_id: provider.id, model_id: 'm-1' }],
      runs: 1,
      warmup: 0,
      max_tokens: 8,
    },
    timing: {
      rule: { kind: 'interval', every: 1, unit: 'hours' },
      starts_at: new Date(Date.now() + 2_000).toISOString(),
    },
  })
  await call(request, token, 'delete', `/api/providers/${provider.id}/key`)
  return { scheduleId: schedule.id, providerName }
}

async function createWebhook(page: Page): Promise<string> {
  await page.goto('/settings/webhooks')
  await expect(page.getByTestId('empty-state')).toContainText('No webhooks yet')
  await page.getByTestId('create-webhook').click()
  await page.getByLabel('Name').fill('Ops channel')
  // A cloud metadata address: the egress guard refuses it in every mode.
  await page.getByLabel('URL').fill('http://169.254.169.254/hook')
  await page.getByTestId('webhook-save').click()
  const secret = page.getByTestId('webhook-secret')
  await expect(secret).toHaveText(/^whsec_\S{20,}$/)
  const first = (await secret.textContent()) ?? ''
  await expect(page.getByTestId('webhook-secret-dialog')).toContainText('X-BenchStudio-Signature')
  await page.getByTestId('webhook-secret-done').click()
  await expect(page.getByTestId('webhook-secret-dialog')).toHaveCount(0)
  expect(await page.content()).not.toContain(first)
  const card = page.getByTestId('webhook-Ops channel')
  await expect(card.getByTestId('webhook-url')).toHaveText('http://169.254.169.254/…')
  await expect(card.getByTestId('webhook-scope')).toHaveText('All your schedules')

  await card.getByTestId('webhook-rotate').click()
  await page.getByTestId('confirm-button').click()
  await expect(secret).toHaveText(/^whsec_\S{20,}$/)
  const second = (await secret.textContent()) ?? ''
  expect(second).not.toBe(first)
  await page.getByTestId('webhook-secret-done').click()
  expect(await page.content()).not.toContain(second)
  return second
}

test('a pause reaches the bell, the notification center and a refused webhook', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000)
  const user: TestUser = newUser('notices')
  await register(request, user)
  const token = await accessToken(request, user)
  await signInQuietly(page, user)

  await createWebhook(page)
  const { scheduleId, providerName } = await scheduleThatPauses(request, token)

  // The dispatcher (a pass a second here) pauses the schedule and tells its owner once.
  await expect
    .poll(
      async () =>
        (await call<{ unread: number }>(request, token, 'get', '/api/notifications/unread-count'))
          .unread,
      { timeout: 30_000 },
    )
    .toBe(1)
  const listed = await call<{ items: Notice[] }>(request, token, 'get', '/api/notifications')
  const [notice] = listed.items
  expect(listed.items).toHaveLength(1)
  expect(notice?.kind).toBe('schedule.paused')
  expect(notice?.body).toContain(`the API key of provider '${providerName}' was removed`)

  await page.goto('/')
  const bell = page.getByTestId('notification-bell')
  await expect(page.getByTestId('notification-count')).toHaveText('1')
  await expect(bell).toHaveAttribute('aria-label', 'Notifications, 1 unread')
  await bell.click()
  const panel = page.getByTestId('notifications-panel')
  await expect(panel.getByTestId('notice-title')).toHaveText(notice?.title ?? '')
  await expect(panel.getByTestId('notice-body')).toHaveText(notice?.body ?? '')
  await expect(panel.getByTestId('notice-link')).toHaveAttribute('href', `/schedules/${scheduleId}`)
  await panel.getByTestId('all-notifications').click()

  await expect(page).toHaveURL(/\/notifications$/)
  const item = page.getByTestId('notice-list').getByTestId(`notice-${notice?.id}`)
  await expect(item.getByTestId('notice-title')).toHaveText(notice?.title ?? '')
  await expect(item.getByTestId('notice-body')).toHaveText(notice?.body ?? '')
  await expect(item).toHaveAttribute('data-unread', 'true')
  await expect(page.getByTestId('filter-unread')).toHaveText('Unread (1)')
  await item.getByTestId('notice-mark-read').click()
  await expect(item).toHaveAttribute('data-unread', 'false')
  await expect(page.getByTestId('notification-count')).toHaveCount(0)
  await expect(page.getByTestId('filter-unread')).toHaveText('Unread (0)')
  const after = await call<{ unread: number }>(
    request,
    token,
    'get',
    '/api/notifications/unread-count',
  )
  expect(after.unread).toBe(0)
  await page.getByTestId('filter-unread').click()
  await expect(page.getByTestId('empty-state')).toContainText('All caught up')

  // The alert loop sent the pause to the webhook; the egress guard refused it (not retried).
  const hooks = await call<{ id: string; name: string }[]>(request, token, 'get', '/api/webhooks')
  const hookId = hooks.find((h) => h.name === 'Ops channel')?.id ?? ''
  await expect
    .poll(
      async () =>
        (
          await call<{ items: Attempt[] }>(
            request,
            token,
            'get',
            `/api/webhooks/${hookId}/deliveries`,
          )
        ).items.length,
      { timeout: 30_000 },
    )
    .toBe(1)
  const log = await call<{ items: Attempt[] }>(
    request,
    token,
    'get',
    `/api/webhooks/${hookId}/deliveries`,
  )
  const [attempt] = log.items
  expect(attempt?.error).toMatch(/^refused by the egress guard/)
  expect(attempt?.next_retry_at).toBeNull()

  await page.goto('/settings/webhooks')
  const card = page.getByTestId('webhook-Ops channel')
  await card.getByTestId('webhook-deliveries-toggle').click()
  const row = card.getByTestId('delivery-row')
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('delivery-event')).toHaveText(attempt?.event ?? '')
  await expect(row.getByTestId('delivery-attempt')).toHaveText(String(attempt?.attempt))
  await expect(row.getByTestId('delivery-outcome')).toHaveText('Refused')
  await expect(row.getByTestId('delivery-response')).toHaveText(attempt?.error ?? '')
  await expect(row.getByTestId('delivery-next-retry')).toHaveText('—')

  // Off, then deleted (after a confirmation).
  await card.getByTestId('webhook-enabled').uncheck()
  await expect(card.getByTestId('webhook-state')).toHaveText('Off')
  await card.getByTestId('webhook-delete').click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('empty-state')).toContainText('No webhooks yet')
})
