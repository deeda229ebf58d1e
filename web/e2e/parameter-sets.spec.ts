// Parameter sets (issue 18): created in Settings with registry-driven controls (a refused value
// is shown at its row), picked for the demo model in the benchmark form, their applied values
// shown in the preview, and stored with the run.
import type { APIRequestContext } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

async function getJson(request: APIRequestContext, token: string, path: string): Promise<unknown> {
  const response = await request.get(path, { headers: { Authorization: `Bearer ${token}` } })
  expect(response.status()).toBe(200)
  return (await response.json()) as unknown
}

// The refused value (a 422) is provoked on purpose.
test.use({ allowedConsoleErrors: [/status of 422/] })

test('a parameter set is created in settings, picked in the benchmark form, previewed and stored', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000)
  const user = newUser('psets')
  await register(request, user)
  await signInQuietly(page, user)
  const token = await accessToken(request, user)
  const providers = (await getJson(request, token, '/api/providers')) as {
    id: string
    is_demo: boolean
  }[]
  const demo = providers.find((p) => p.is_demo)
  if (!demo) throw new Error('no demo provider')
  const models = (await getJson(request, token, `/api/models?provider_id=${demo.id}`)) as {
    id: string
    model_id: string
  }[]
  const model = models[0]
  if (!model) throw new Error('no demo model')

  // The old address leads to the renamed page, with its empty state.
  await page.goto('/settings/profiles')
  await expect(page).toHaveURL('/settings/parameter-sets')
  await expect(page.getByRole('heading', { name: 'Parameter sets', exact: true })).toBeVisible()
  await expect(page.getByText('No parameter sets yet')).toBeVisible()
  await page.getByRole('button', { name: 'Create a parameter set' }).click()

  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Name', { exact: true }).fill('Careful')
  await dialog.getByRole('combobox', { name: 'Model optional' }).selectOption(model.id)
  // temperature: a number input with the registry's range; an out-of-range value is refused.
  const temperature = dialog.getByLabel('Parameter 1 value')
  await expect(temperature).toHaveAttribute('type', 'number')
  await expect(temperature).toHaveAttribute('max', '2')
  await expect(dialog.getByText('Number from 0 to 2')).toBeVisible()
  await temperature.fill('5')
  await dialog.getByRole('button', { name: 'Save parameter set' }).click()
  await expect(dialog.getByTestId('parameter-error-temperature')).toHaveText(
    'temperature: Allowed range is 0 to 2.',
  )
  await expect(temperature).toHaveAttribute('aria-invalid', 'true')
  await saveScreenshot(page, 'parameter-set-refused')
  await temperature.fill('0.3')
  await dialog.getByRole('button', { name: 'Add parameter' }).click()
  await dialog.getByLabel('Parameter 2 name').fill('top_p')
  await dialog.getByLabel('Parameter 2 value').fill('0.6')
  await dialog.getByRole('button', { name: 'Save parameter set' }).click()
  await expect(dialog).toBeHidden()
  const card = page.getByTestId('parameter-set-card')
  await expect(card).toContainText('Careful')
  await expect(card).toContainText('temperature=0.3')
  await expect(card).toContainText('top_p=0.6')
  await saveScreenshot(page, 'parameter-sets-page')

  // The benchmark form: pick the set for the demo model; the preview shows what it applied.
  await page.goto('/benchmarks')
  const preview = page.getByTestId('preview-target')
  await expect(preview).toBeVisible()
  await page.getByTestId('runs').fill('1')
  await page.getByTestId('warmup').fill('0')
  const select = page.getByTestId(`parameter-set-${model.model_id}`)
  await expect(select).toHaveValue('')
  await select.selectOption({ label: 'Careful' })
  await expect(page.getByTestId('preview-parameter-set')).toContainText('Parameter set Careful')
  await expect(page.getByTestId('preview-set-applied')).toHaveText(['temperature=0.3', 'top_p=0.6'])
  await expect(preview).toContainText('top_p=0.6')
  // An explicit temperature wins over the set's.
  await page.getByTestId('temperature').fill('0.9')
  await expect(page.getByTestId('preview-set-applied')).toHaveText(['top_p=0.6'])
  await expect(page.getByTestId('preview-parameter-set')).toContainText(
    "the form's own values win for temperature",
  )
  await expect(preview).toContainText('temperature=0.9')
  await saveScreenshot(page, 'parameter-set-preview')

  await page.getByTestId('start-benchmark').click()
  await expect(page).toHaveURL(/\/benchmarks\/[0-9a-z]+$/)
  const runId = page.url().split('/').pop() ?? ''
  const detail = (await getJson(request, token, `/api/benchmarks/${runId}`)) as {
    targets: {
      parameter_set_name: string | null
      parameter_set_params: Record<string, unknown> | null
    }[]
  }
  expect(detail.targets[0]?.parameter_set_name).toBe('Careful')
  expect(detail.targets[0]?.parameter_set_params).toEqual({ top_p: 0.6 })
})
