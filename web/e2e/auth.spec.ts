// Passwords: forgot → emailed link → reset; change password; the sign-in page's themes.
import { readFileSync } from 'node:fs'

import { expect, saveScreenshot, test } from './fixtures'
import { SERVER_LOG, newUser, register, signInQuietly, signInWithForm } from './users'

function resetLinkFor(email: string): string | null {
  // Dev mode prints the mail to the server console, which serve.mjs copies to SERVER_LOG.
  const log = readFileSync(SERVER_LOG, 'utf8')
  const mail = log
    .split('--- mail to ')
    .filter((part) => part.startsWith(email))
    .pop()
  const match = mail?.match(/https?:\/\/\S+\/reset-password\?token=[\w-]+/)
  return match ? match[0] : null
}

test.describe('passwords', () => {
  test.use({ allowedConsoleErrors: [/status of 401/] })

  test('forgot password: the emailed link sets a new one, and the old one stops working', async ({
    page,
    request,
  }) => {
    const user = newUser('forgetful')
    await register(request, user)
    await page.goto('/sign-in')
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible()
    await page.getByLabel('Email').fill(user.email)
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await expect(page.getByTestId('reset-sent')).toContainText(user.email)
    await saveScreenshot(page, 'forgot-password-sent')

    await expect.poll(() => resetLinkFor(user.email), { timeout: 10_000 }).not.toBeNull()
    const link = new URL(resetLinkFor(user.email) ?? '')
    await page.goto(link.pathname + link.search)
    const fresh = `${user.password}-new`
    await page.getByLabel('New password', { exact: true }).fill(fresh)
    await page.getByLabel('Repeat the new password').fill(fresh)
    await page.getByRole('button', { name: 'Set new password' }).click()
    await expect(page).toHaveURL('/sign-in')

    await signInWithForm(page, user)
    await expect(page.getByTestId('error-notice')).toContainText('Wrong email or password')
    await signInWithForm(page, { ...user, password: fresh })
    await expect(page.getByTestId('user-menu-button')).toBeVisible()

    // The link works once.
    await page.goto(link.pathname + link.search)
    await page.getByLabel('New password', { exact: true }).fill('another-password-1')
    await page.getByLabel('Repeat the new password').fill('another-password-1')
    await page.getByRole('button', { name: 'Set new password' }).click()
    await expect(page.getByTestId('error-notice')).toContainText('invalid or expired')
  })

  test('change password from the account page keeps this session', async ({ page, request }) => {
    const user = newUser('changer')
    await register(request, user)
    await signInQuietly(page, user)
    await page.goto('/settings/account')
    await page.getByLabel('Current password').fill(user.password)
    await page.getByLabel('New password', { exact: true }).fill(`${user.password}-2`)
    await page.getByLabel('Repeat the new password').fill(`${user.password}-2`)
    await page.getByRole('button', { name: 'Change password' }).click()
    await expect(page.getByText('Other devices have been signed out.')).toBeVisible()
    await saveScreenshot(page, 'account')
    await page.reload()
    await expect(page.getByRole('heading', { name: 'Change password', exact: true })).toBeVisible()
    const old = await request.post('/api/auth/login', { data: user })
    expect(old.status()).toBe(401)
  })
})

test('the sign-in page in dark mode, and on a tablet', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto('/sign-in')
  await expect(page.locator('html')).toHaveClass(/dark/)
  await saveScreenshot(page, 'sign-in-dark')
  await page.setViewportSize({ width: 768, height: 1024 })
  await saveScreenshot(page, 'sign-in-tablet')
})
