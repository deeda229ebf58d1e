import { expect, saveScreenshot, test } from './fixtures'
import { newUser, register, signInQuietly, type TestUser } from './users'

// The shell is for signed-in users: every test here starts signed in as an ordinary member.
let member: TestUser
test.beforeAll(async ({ request }) => {
  member = newUser('shell')
  await register(request, member)
})
test.beforeEach(async ({ page }) => {
  await signInQuietly(page, member)
})

test.describe('web shell', () => {
  test('loads under the CSP with the product name and only working areas in the nav', async ({
    page,
  }) => {
    const response = await page.goto('/')
    const csp = response?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')

    await expect(page.getByRole('banner')).toContainText('BenchStudio')
    await expect(page).toHaveTitle('Overview · BenchStudio')
    const nav = page.getByRole('navigation', { name: 'Main' })
    await expect(nav.getByRole('link')).toContainText(['Overview', 'Jobs', 'Settings', 'API docs'])
    await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0)
    await expect(nav.getByRole('link', { name: 'Overview' })).toHaveAttribute(
      'aria-current',
      'page',
    )
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    await saveScreenshot(page, 'overview-light')
  })

  test('shows the /healthz data on the overview', async ({ page, request }) => {
    const health = (await (await request.get('/healthz')).json()) as {
      version: string
      database: string
    }
    expect(health.database).toBe('ok')

    await page.goto('/')
    await expect(page.getByTestId('status-version').getByTestId('status-value')).toHaveText(
      health.version,
    )
    await expect(page.getByTestId('status-database').getByTestId('status-value')).toHaveText(
      'Connected',
    )
    await expect(page.getByTestId('status-server').getByTestId('status-value')).toHaveText('Online')
    await expect(page.getByTestId('server-status')).toContainText('Online')
    await expect(page.getByTestId('sidebar-version')).toHaveText(`v${health.version}`)
    await expect(page.getByRole('link', { name: 'Run a benchmark' })).toHaveAttribute(
      'href',
      '/benchmarks',
    )
  })

  test('navigates between client routes without a page load, and to the API docs', async ({
    page,
  }) => {
    await page.goto('/no-such-page')
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    await page.evaluate(() => {
      ;(window as unknown as { __sameDocument: boolean }).__sameDocument = true
    })
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Overview' })
      .click()
    await expect(page).toHaveURL('/')
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true)

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'API docs' })
      .click()
    await expect(page).toHaveURL('/api/docs')
  })

  test('shows a friendly 404 page for an unknown client route', async ({ page }) => {
    await page.goto('/no-such-area/does-not-exist?tab=1')
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    await expect(page.getByText('/no-such-area/does-not-exist?tab=1')).toBeVisible()
    await expect(page).toHaveTitle('Page not found · BenchStudio')
    await saveScreenshot(page, 'not-found')
    await page.getByRole('link', { name: 'Go to the overview' }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
  })

  test('unknown API paths stay JSON errors, not the web app', async ({ request }) => {
    const response = await request.get('/api/no-such-endpoint')
    expect(response.status()).toBe(404)
    const body = (await response.json()) as { error: { code: string; request_id: string } }
    expect(body.error.code).toBe('not_found')
  })
})

test.describe('theme', () => {
  test('toggles, persists across reloads and respects the system preference', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' })
    await page.goto('/')
    const html = page.locator('html')
    await expect(html).not.toHaveClass(/dark/)

    await page.getByRole('button', { name: 'Dark theme' }).click()
    await expect(html).toHaveClass(/dark/)
    await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute(
      'aria-pressed',
      'true',
    )
    await saveScreenshot(page, 'overview-dark')

    await page.reload()
    await expect(html).toHaveClass(/dark/)

    await page.getByRole('button', { name: 'System theme' }).click()
    await expect(html).not.toHaveClass(/dark/)
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect(html).toHaveClass(/dark/)
  })
})

test.describe('keyboard and layout', () => {
  test('the skip link is the first stop and moves focus to the content', async ({ page }) => {
    await page.goto('/')
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    await page.keyboard.press('Tab')
    const skip = page.getByRole('link', { name: 'Skip to content' })
    await expect(skip).toBeFocused()
    await expect(skip).toBeVisible()
    await saveScreenshot(page, 'skip-link-focused')
    await page.keyboard.press('Enter')
    await expect(page.locator('#main-content')).toBeFocused()
  })

  test('on a tablet the navigation is a drawer opened from the top bar', async ({ page }) => {
    await page.setViewportSize({ width: 700, height: 1000 })
    await page.goto('/')
    const nav = page.getByRole('navigation', { name: 'Main' })
    await expect(nav).toBeHidden()
    const menu = page.getByRole('button', { name: 'Open navigation' })
    await menu.click()
    await expect(nav).toBeVisible()
    await saveScreenshot(page, 'narrow-nav-open')
    await page.keyboard.press('Escape')
    await expect(nav).toBeHidden()
  })

  test('a tablet in landscape shows the sidebar beside the content', async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 768 })
    await page.goto('/')
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Open navigation' })).toBeHidden()
    await saveScreenshot(page, 'tablet-overview')
  })
})

test.describe('API errors', () => {
  test.use({ allowedConsoleErrors: [/status of 500/] })

  test('are shown as a readable toast with the request id', async ({ page }) => {
    await page.route('**/healthz', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'internal_error',
            message: 'The server hit an unexpected error.',
            request_id: 'e2e-req-1',
          },
        }),
      }),
    )
    await page.goto('/')
    const toast = page.getByTestId('toast')
    await expect(toast).toHaveAttribute('role', 'alert')
    await expect(toast).toContainText('Internal error')
    await expect(toast).toContainText('The server hit an unexpected error.')
    await expect(toast).toContainText('Request ID: e2e-req-1')
    await expect(page.getByTestId('server-status')).toContainText('Server error')
    await saveScreenshot(page, 'api-error-toast')
    await toast.getByRole('button', { name: 'Dismiss notification' }).click()
    await expect(toast).toBeHidden()
  })
})

test.describe('API docs', () => {
  test('render offline under the CSP', async ({ page }) => {
    const response = await page.goto('/api/docs')
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await expect(page.locator('.swagger-ui')).toBeVisible()
    await expect(page.locator('.opblock').first()).toBeVisible()
    await expect(page.getByText('/healthz').first()).toBeVisible()
    await saveScreenshot(page, 'api-docs')
  })
})
