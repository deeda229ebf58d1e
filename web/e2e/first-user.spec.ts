// The story of the server's first user, who becomes its admin: sign up, onboarding with the
// built-in simulator, providers and keys, a personal token, sign out and back in.
import { expect, saveScreenshot, test } from './fixtures'
import { ADMIN, SIMULATOR_URL, signInQuietly, signInWithForm } from './users'

const PROVIDER_KEY = 'sk-e2e-secret-value-9f3Kabcd'
const REPLACEMENT_KEY = 'sk-e2e-secret-other-77Wxyz'

test.describe.configure({ mode: 'serial' })

test.describe('first sign-up', () => {
  test.use({ allowedConsoleErrors: [/status of 422/] })

  test('sign up as the first user, who becomes admin, and finish onboarding with the simulator', async ({
    page,
  }) => {
    await page.goto('/')
    await expect(page).toHaveURL(/\/sign-in\?redirect=\//)
    await saveScreenshot(page, 'sign-in')
    await page.getByRole('link', { name: 'Create an account' }).click()
    await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible()

    // The API's validation envelope shows next to the field.
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect(page.getByTestId('field-error')).toContainText('valid email')
    await saveScreenshot(page, 'sign-up-field-error')

    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect(page).toHaveURL('/welcome')
    await expect(page.getByRole('heading', { name: "Let's get you measuring" })).toBeVisible()
    await saveScreenshot(page, 'onboarding-choose')

    await page.getByTestId('choose-simulator').click()
    await page.getByTestId('test-connection').click()
    await expect(page.getByTestId('health-result')).toContainText('Connected')
    await expect(page.getByTestId('default-model')).toHaveValue(/.+/)
    await saveScreenshot(page, 'onboarding-simulator-connected')
    await page.getByTestId('onboarding-continue').click()
    const done = page.getByTestId('onboarding-done')
    await expect(done).toContainText("You're ready to benchmark")
    await expect(done).toContainText('Simulator model')
    // The next step is the benchmark page when this installation has it, else the CLI command.
    await expect(
      done
        .getByRole('link', { name: 'Run a benchmark' })
        .or(done.getByText(/benchstudio bench --base-url http:\/\/127\.0\.0\.1:\d+/)),
    ).toBeVisible()
    await saveScreenshot(page, 'onboarding-done')

    // Admins see the admin area; the account menu says who is signed in.
    await page.getByRole('link', { name: 'Go to the overview' }).click()
    const nav = page.getByRole('navigation', { name: 'Main' })
    // Other areas (benchmarks, history…) may sit between these as they land.
    await expect(nav.getByRole('link')).toContainText([
      'Overview',
      'Jobs',
      'Settings',
      'Admin',
      'API docs',
    ])
    await page.getByTestId('user-menu-button').click()
    await expect(page.getByTestId('user-email')).toHaveText(ADMIN.email)
    await expect(page.locator('#user-menu')).toContainText('Administrator')
    await saveScreenshot(page, 'overview-signed-in')
  })
})

test.describe('providers', () => {
  test.use({ allowedConsoleErrors: [/status of 422/] })

  test('add a provider, discover its models, and set a key of which only the last four show', async ({
    page,
  }) => {
    await signInQuietly(page, ADMIN)
    await page.goto('/settings/providers')
    await expect(page.getByTestId('provider-Simulator (demo)')).toBeVisible()
    await page.getByTestId('add-provider').click()
    const dialog = page.getByRole('dialog', { name: 'Add a provider' })
    await dialog.getByTestId('provider-preset').selectOption('custom')
    await dialog.getByLabel('Name').fill('Local sim')
    await dialog.getByLabel('Base URL').fill('ftp://wrong')
    await dialog.getByLabel('API key').fill(PROVIDER_KEY)
    await dialog.getByRole('button', { name: 'Add provider' }).click()
    await expect(dialog.getByTestId('field-error')).toContainText('http')
    await saveScreenshot(page, 'provider-form-error')
    await dialog.getByLabel('Base URL').fill(SIMULATOR_URL)
    await dialog.getByRole('button', { name: 'Add provider' }).click()

    // Adding a provider leads straight to picking its models.
    const picker = page.getByRole('dialog', { name: 'Models offered by Local sim' })
    await expect(picker.getByTestId('model-picker').locator('li').first()).toBeVisible()
    await saveScreenshot(page, 'model-picker')
    await picker.locator('li input[type=checkbox]:not([disabled])').first().check()
    await picker.getByTestId('import-models').click()
    await expect(picker).toBeHidden()

    const card = page.getByTestId('provider-Local sim')
    await expect(card.getByTestId('key-last4')).toHaveText('••••abcd')
    await card.getByTestId('test-connection').click()
    await expect(card.getByTestId('health-result')).toContainText('Connected')
    expect(await page.content()).not.toContain(PROVIDER_KEY)
    await saveScreenshot(page, 'providers')

    // Replace the key from the API keys tab: still only four characters come back.
    await page.getByRole('link', { name: 'API keys' }).click()
    await page.getByRole('button', { name: 'Replace or remove the key of Local sim' }).click()
    const keyDialog = page.getByRole('dialog', { name: 'Replace the API key of Local sim' })
    await expect(keyDialog.getByTestId('current-key')).toHaveText('••••abcd')
    await keyDialog.getByLabel('New API key').fill(REPLACEMENT_KEY)
    await keyDialog.getByRole('button', { name: 'Save key' }).click()
    await expect(page.getByTestId('key-row-Local sim').getByTestId('key-last4')).toHaveText(
      '••••Wxyz',
    )
    const html = await page.content()
    expect(html).not.toContain(PROVIDER_KEY)
    expect(html).not.toContain(REPLACEMENT_KEY)
    await saveScreenshot(page, 'api-keys')

    // Its model is listed with the model settings.
    await page.getByRole('link', { name: 'Models', exact: true }).click()
    await expect(page.getByRole('cell', { name: 'Local sim' }).first()).toBeVisible()
    await saveScreenshot(page, 'models')
  })
})

test('create a personal API token, see it once, use it, and revoke it', async ({
  page,
  request,
}) => {
  await signInQuietly(page, ADMIN)
  await page.goto('/settings/tokens')
  await page.getByTestId('create-token').click()
  const dialog = page.getByRole('dialog', { name: 'Create a personal API token' })
  await dialog.getByLabel('Name').fill('laptop CLI')
  await dialog.getByRole('button', { name: 'Create token' }).click()
  const token = (await page.getByTestId('token-value').textContent())?.trim() ?? ''
  expect(token).toMatch(/^bst_/)
  await expect(page.getByRole('button', { name: 'Copy token' })).toBeVisible()
  await saveScreenshot(page, 'token-created')

  const asToken = await request.get('/api/users/me', {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(asToken.status()).toBe(200)

  await page.reload()
  await expect(page.getByTestId('token-row-laptop CLI')).toBeVisible()
  await expect(page.getByTestId('token-value')).toHaveCount(0)
  expect(await page.content()).not.toContain(token)

  await page.getByRole('button', { name: 'Revoke laptop CLI' }).click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('token-row-laptop CLI')).toHaveCount(0)
  const revoked = await request.get('/api/users/me', {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(revoked.status()).toBe(401)
})

test.describe('signing out and in', () => {
  test.use({ allowedConsoleErrors: [/status of 401/] })

  test('sign out, then signing in returns to the page that asked for it', async ({ page }) => {
    await signInQuietly(page, ADMIN)
    await page.goto('/settings/parameter-sets')
    await expect(page.getByRole('heading', { name: 'Parameter sets', exact: true })).toBeVisible()
    await page.getByTestId('user-menu-button').click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(/\/sign-in/)

    await page.goto('/settings/parameter-sets')
    await expect(page).toHaveURL('/sign-in?redirect=/settings/parameter-sets')
    await expect(page.getByText('Sign in to continue to')).toBeVisible()
    await page.getByLabel('Email').fill(ADMIN.email)
    await page.getByLabel('Password', { exact: true }).fill('wrong password here')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByTestId('error-notice')).toContainText('Wrong email or password')
    await signInWithForm(page, ADMIN)
    await expect(page).toHaveURL('/settings/parameter-sets')
    await expect(page.getByRole('heading', { name: 'Parameter sets', exact: true })).toBeVisible()

    // The session survives a reload through the refresh cookie alone.
    await page.reload()
    await expect(page.getByRole('heading', { name: 'Parameter sets', exact: true })).toBeVisible()
  })
})
