// A second user sees none of the first user's configuration, in the app or through the API,
// and no admin area.
import { expect, saveScreenshot, test } from './fixtures'
import { ADMIN, accessToken, newUser, register, signInQuietly } from './users'

test('a second user cannot see the first user’s providers or the admin pages', async ({
  page,
  request,
}) => {
  const adminToken = await accessToken(request, ADMIN)
  const adminProviders = (await (
    await request.get('/api/providers', { headers: { Authorization: `Bearer ${adminToken}` } })
  ).json()) as { id: string; name: string }[]
  const privateProvider = adminProviders.find((provider) => provider.name === 'Local sim')
  expect(privateProvider, 'first-user.spec.ts adds "Local sim"').toBeDefined()

  const second = newUser('second')
  await register(request, second)
  await signInQuietly(page, second)
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto('/settings/providers')
  await expect(page.getByTestId('provider-Simulator (demo)')).toBeVisible()
  await expect(page.getByTestId('provider-Local sim')).toHaveCount(0)
  await saveScreenshot(page, 'second-user-providers-dark')
  await page.setViewportSize({ width: 820, height: 1180 })
  await saveScreenshot(page, 'settings-tablet-dark')

  // Asking for it by id answers exactly like a missing object.
  const secondToken = await accessToken(request, second)
  const peek = await request.get(`/api/providers/${privateProvider?.id}`, {
    headers: { Authorization: `Bearer ${secondToken}` },
  })
  expect(peek.status()).toBe(404)

  // No admin entry, and the admin address is just an unknown page.
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link')).toContainText(['Overview', 'Jobs', 'Settings', 'API docs'])
  await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0)
  await page.goto('/admin/users')
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
  await expect(page.getByText('/admin/users')).toBeVisible()
})
