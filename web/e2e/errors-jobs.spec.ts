// Issue 17 bugs 11 and 13: errors are field-level, in plain words, shown once, the field
// highlighted; a 429 says when to retry; a disabled account is told why; a 404 offers no
// "Try again". Jobs are named by their run and link to its results; a queued job says which
// limit holds it.
import type { APIRequestContext } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { ADMIN, accessToken, newUser, register, signInQuietly } from './users'

const RAW_FRAMEWORK_TEXT =
  /should have|Field required|Input should|Value error|string_too_short|missing_argument/

async function bearer(request: APIRequestContext, email: string, password: string) {
  return { Authorization: `Bearer ${await accessToken(request, { email, password })}` }
}

test.describe('errors', () => {
  test.use({ allowedConsoleErrors: [/status of (401|403|404|422|429)/] })

  test('a too-short password is explained once, beside the highlighted field', async ({ page }) => {
    const user = newUser('shortpw')
    await page.goto('/sign-up')
    await page.getByLabel('Email').fill(user.email)
    const password = page.getByLabel('Password', { exact: true })
    await password.fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()

    const fieldError = page.getByTestId('field-error')
    await expect(fieldError).toHaveText('Use at least 8 characters.')
    await expect(password).toHaveAttribute('aria-invalid', 'true')
    const errorId = await fieldError.getAttribute('id')
    expect(await password.getAttribute('aria-describedby')).toContain(errorId)
    // Highlighted: its border is not the colour of a valid input's.
    const border = (selector: string) =>
      page.locator(selector).evaluate((el) => getComputedStyle(el).borderTopColor)
    expect(await border('input[type=password]')).not.toBe(await border('input[type=email]'))
    // Shown once: not repeated in the banner above the form.
    await expect(page.getByText('Use at least 8 characters.')).toHaveCount(1)
    await expect(page.getByTestId('error-notice')).not.toContainText('8 characters')
    await expect(page.locator('body')).not.toContainText(RAW_FRAMEWORK_TEXT)
    await saveScreenshot(page, 'errors-signup-short-password')
  })

  test('an API validation error reads as a sentence with its field, type kept', async ({
    request,
  }) => {
    const response = await request.post('/api/auth/register', {
      data: { email: 'x@example.test', password: 'short' },
    })
    expect(response.status()).toBe(422)
    const { error } = (await response.json()) as {
      error: { message: string; details: { loc: string[]; msg: string; type: string }[] }
    }
    expect(error.message).toBe('Password: use at least 8 characters.')
    expect(error.details[0]).toMatchObject({
      loc: ['body', 'password'],
      msg: 'Use at least 8 characters.',
      type: 'string_too_short',
    })
  })

  test('a 429 says when to try again', async ({ page }) => {
    await page.route('**/api/auth/login', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Retry-After': '12', 'Content-Type': 'application/json' },
        body: JSON.stringify({
          error: {
            code: 'rate_limited',
            message: 'Too many sign-in attempts.',
            request_id: 'r-429',
          },
        }),
      }),
    )
    await page.goto('/sign-in')
    await page.getByLabel('Email').fill('someone@example.test')
    await page.getByLabel('Password', { exact: true }).fill('whatever-it-is-1')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByTestId('error-notice')).toContainText('Try again in 12 s.')
  })

  test('a disabled account is told so while its session is in use', async ({ page, request }) => {
    const member = newUser('disabledlive')
    const memberId = await register(request, member)
    await signInQuietly(page, member)
    await page.goto('/jobs')
    await expect(page.getByRole('heading', { name: 'Jobs', exact: true })).toBeVisible()

    const admin = await bearer(request, ADMIN.email, ADMIN.password)
    const disabled = await request.patch(`/api/admin/users/${memberId}`, {
      headers: admin,
      data: { is_active: false },
    })
    expect(disabled.status()).toBe(200)

    await page.getByRole('button', { name: 'Refresh' }).click()
    const notice = page.getByTestId('error-notice')
    await expect(notice).toContainText('This account is disabled')
    await expect(notice).toContainText('administrator')
    await expect(notice.getByRole('button', { name: 'Try again' })).toHaveCount(0)
    await saveScreenshot(page, 'errors-disabled-session')
  })

  test('a missing page or run offers no "Try again"', async ({ page, request }) => {
    const user = newUser('missing')
    await register(request, user)
    await signInQuietly(page, user)
    await page.goto('/no-such-page')
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0)

    await page.goto('/benchmarks/0123456789abcdef0123456789')
    await expect(page.getByTestId('error-notice')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0)
    await saveScreenshot(page, 'errors-missing-run')
  })
})

test.describe('jobs by name', () => {
  test('jobs, the header popover and the toast name the run and link to its results', async ({
    page,
    request,
  }) => {
    test.setTimeout(90_000)
    const user = newUser('jobnames')
    await register(request, user)
    const auth = await bearer(request, user.email, user.password)
    await signInQuietly(page, user)
    await page.goto('/jobs')
    await expect(page.getByRole('heading', { name: 'Jobs', exact: true })).toBeVisible()

    const providers = (await (await request.get('/api/providers', { headers: auth })).json()) as {
      id: string
      is_demo: boolean
    }[]
    const demo = providers.find((p) => p.is_demo)
    const body = {
      title: 'Evening latency check',
      targets: [{ provider_id: demo?.id, model_id: 'benchstudio-sim' }],
      runs: 2,
      warmup: 0,
      max_tokens: 16,
      context_tokens: [0],
    }
    const submitted = await request.post('/api/benchmarks', { headers: auth, data: body })
    expect(submitted.status(), await submitted.text()).toBe(202)
    const { run_id: runId, job_id: jobId } = (await submitted.json()) as {
      run_id: string
      job_id: string
    }

    // The toast at the end names the run and links to it.
    const toast = page.getByTestId('toast').filter({ hasText: 'Evening latency check' })
    await expect(toast).toBeVisible({ timeout: 60_000 })
    await expect(toast).not.toContainText(jobId.slice(0, 8))
    await expect(toast.getByTestId('toast-link')).toHaveAttribute('href', `/benchmarks/${runId}`)

    await page.getByRole('button', { name: 'Refresh' }).click()
    const row = page.getByTestId('job-row').filter({ hasText: 'Evening latency check' })
    await expect(row).toBeVisible()
    await expect(row).not.toContainText(jobId)
    await expect(row.getByTestId('job-link')).toHaveAttribute('href', `/benchmarks/${runId}`)
    await saveScreenshot(page, 'jobs-named')
    await row.getByTestId('job-link').click()
    await expect(page).toHaveURL(`/benchmarks/${runId}`)
  })

  test('a queued job says it is queued and which limit holds it', async ({ page, request }) => {
    const user = newUser('jobqueue')
    const userId = await register(request, user)
    const admin = await bearer(request, ADMIN.email, ADMIN.password)
    const limited = await request.put(`/api/admin/users/${userId}/limits`, {
      headers: admin,
      data: { concurrent_jobs: 1 },
    })
    expect(limited.status(), await limited.text()).toBe(200)
    const auth = await bearer(request, user.email, user.password)
    const ids: string[] = []
    for (let i = 0; i < 2; i += 1) {
      const response = await request.post('/api/jobs', {
        headers: auth,
        data: { type: 'demo.units', params: { units: 300, unit_ms: 100 } },
      })
      expect(response.status()).toBe(202)
      ids.push(((await response.json()) as { id: string }).id)
    }

    await signInQuietly(page, user)
    await page.goto('/jobs')
    const waiting = page.getByTestId('job-row').nth(0)
    await expect(waiting.getByTestId('job-status')).toHaveText('Queued')
    await expect(waiting.getByTestId('job-detail')).toHaveText(/you have 1 of 1 job running/)
    await expect(waiting).toContainText(/queued/)
    await expect(waiting).not.toContainText(/started/)

    await page.getByTestId('jobs-indicator').click()
    const entries = page.getByTestId('jobs-panel').getByTestId('active-job')
    await expect(entries.filter({ hasText: 'you have 1 of 1 job running' })).toHaveCount(1)
    await expect(page.getByTestId('jobs-panel')).not.toContainText(ids[0]?.slice(0, 8) ?? '-')
    await saveScreenshot(page, 'jobs-queued-reason')
    for (const id of ids) await request.post(`/api/jobs/${id}/cancel`, { headers: auth })
  })
})

test('the audit log records creations with the IP and filters by the actor’s e-mail', async ({
  page,
  request,
}) => {
  const member = newUser('audited')
  await register(request, member)
  const auth = await bearer(request, member.email, member.password)
  const created = await request.post('/api/prompt-templates', {
    headers: auth,
    data: { name: 'audited template', user_prompt: 'Hi' },
  })
  expect(created.status(), await created.text()).toBe(201)
  const token = await request.post('/api/auth/tokens', {
    headers: auth,
    data: { name: 'ci', scopes: ['read'] },
  })
  expect(token.status()).toBe(201)

  await signInQuietly(page, ADMIN)
  await page.goto('/admin/audit')
  await page.getByTestId('audit-actor').fill(member.email.split('@')[0] ?? member.email)
  await page.getByRole('button', { name: 'Apply' }).click()
  const rows = page.getByTestId('audit-row')
  await expect(rows.filter({ hasText: 'template.created' })).toHaveCount(1)
  await expect(rows.filter({ hasText: 'api_token.created' })).toHaveCount(1)
  await expect(rows.filter({ hasNotText: member.email })).toHaveCount(0)
  await expect(rows.filter({ hasText: 'template.created' })).toContainText('127.0.0.1')
  await saveScreenshot(page, 'audit-by-actor-email')
})
