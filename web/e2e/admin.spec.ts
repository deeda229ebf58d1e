// The admin area: users, the audit log with filters, disabling a user, limits, system view.
import { expect, saveScreenshot, test } from './fixtures'
import { ADMIN, newUser, register, signInQuietly, signInWithForm } from './users'

test.describe('admin', () => {
  test.use({ allowedConsoleErrors: [/status of 403/, /status of 401/] })

  test('the audit log shows the sign-ups, and a disabled user cannot sign in', async ({
    page,
    request,
    browser,
  }) => {
    const member = newUser('member')
    await register(request, member)

    await signInQuietly(page, ADMIN)
    await page.goto('/admin')
    await expect(page).toHaveURL('/admin/users')
    const row = page.getByTestId(`user-row-${member.email}`)
    await expect(row).toBeVisible()
    await expect(page.getByTestId(`user-row-${ADMIN.email}`)).toContainText('You')
    await saveScreenshot(page, 'admin-users')

    // Audit log, filtered to sign-ups.
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByTestId('audit-action').fill('user.created')
    await page.getByRole('button', { name: 'Apply' }).click()
    const rows = page.getByTestId('audit-row')
    await expect(rows.filter({ hasNotText: 'user.created' })).toHaveCount(0)
    await expect(rows.filter({ hasText: member.email })).toHaveCount(1)
    await expect(rows.filter({ hasText: ADMIN.email }).first()).toBeVisible()
    await saveScreenshot(page, 'admin-audit')

    // Disable the member, with confirmation.
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByRole('button', { name: `Disable ${member.email}` }).click()
    await page.getByTestId('confirm-button').click()
    await expect(
      page.getByTestId(`user-row-${member.email}`).getByTestId('user-disabled'),
    ).toBeVisible()

    const other = await browser.newContext()
    const memberPage = await other.newPage()
    await memberPage.goto('/sign-in')
    await signInWithForm(memberPage, member)
    await expect(memberPage.getByTestId('error-notice')).toContainText('This account is disabled')
    await saveScreenshot(memberPage, 'disabled-user-sign-in')
    await other.close()

    // The audit log records it too.
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByTestId('audit-action').fill('user.')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(
      page.getByTestId('audit-row').filter({ hasText: 'user.disabled' }).first(),
    ).toBeVisible()
  })

  test('limits per user, deleting with confirmation, and the system view', async ({
    page,
    request,
  }) => {
    const doomed = newUser('doomed')
    await register(request, doomed)
    await signInQuietly(page, ADMIN)
    await page.goto('/admin/users')

    await page.getByRole('button', { name: `Limits of ${doomed.email}` }).click()
    const limits = page.getByRole('dialog', { name: `Limits for ${doomed.email}` })
    await limits.getByLabel('Concurrent jobs').fill('3')
    await limits.getByRole('button', { name: 'Save limits' }).click()
    await expect(limits).toBeHidden()
    await page.getByRole('button', { name: `Limits of ${doomed.email}` }).click()
    await expect(limits.getByLabel('Concurrent jobs')).toHaveValue('3')
    await limits.getByRole('button', { name: 'Cancel' }).click()

    await page.getByRole('button', { name: `Delete ${doomed.email}` }).click()
    await expect(page.getByRole('dialog', { name: `Delete ${doomed.email}?` })).toContainText(
      'deleted for good',
    )
    await page.getByTestId('confirm-button').click()
    await expect(page.getByTestId(`user-row-${doomed.email}`)).toHaveCount(0)

    await page.getByRole('link', { name: 'System' }).click()
    await expect(page.getByTestId('system-view')).toContainText('open')
    await expect(page.getByTestId('system-view')).toContainText('sqlite')
    await saveScreenshot(page, 'admin-system')
  })
})
