// Semantic argument matching in the browser: a model marked "Embeddings" in the model form is
// offered in the run form's "Semantic matching" section (shown only for a suite with semantic
// arguments), and the run stores the source and threshold it was given.
import { join } from 'node:path'

import type { APIRequestContext, Locator, Page } from '@playwright/test'

import { ARTIFACTS_DIR, expect, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

type Json = Record<string, unknown>

async function shoot(part: Locator, name: string): Promise<void> {
  await part.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) })
}

async function signedIn(page: Page, request: APIRequestContext) {
  const user = newUser('semantic')
  await register(request, user)
  await signInQuietly(page, user)
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  return {
    call: async (method: 'get' | 'put', path: string, data?: unknown): Promise<Json> => {
      const response = await request[method](path, { headers, data })
      expect(response.status(), path).toBe(200)
      return (await response.json()) as Json
    },
  }
}

test('an embeddings model scores a suite with semantic arguments', async ({ page, request }) => {
  test.setTimeout(180_000)
  const api = await signedIn(page, request)

  // The model form: add the demo provider's embeddings model, used for "Embeddings".
  await page.goto('/settings/models')
  await page.getByRole('button', { name: 'Add model' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Model id').fill('embed-small')
  await dialog.getByTestId('model-capability').selectOption('embeddings')
  await shoot(dialog, 'semantic-model-form')
  await dialog.getByRole('button', { name: 'Add model' }).click()
  await expect(dialog).toHaveCount(0)

  // A sample suite whose weather case compares the city semantically.
  await page.goto('/tool-eval')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  const suiteId = page.url().split('/').pop() ?? ''
  const detail = (await api.call('get', `/api/suites/${suiteId}`)) as {
    suite: { cases: { id: string; expected_calls: { arguments: Json }[] }[] }
  }
  const weather = detail.suite.cases.find((c) => c.id === 'weather-single')
  if (!weather?.expected_calls[0]) throw new Error('no weather case')
  weather.expected_calls[0].arguments.city = { acceptable: ['Paris, France'], match: 'semantic' }
  await api.call('put', `/api/suites/${suiteId}`, detail.suite)
  await page.reload()

  const form = page.getByTestId('eval-run-form')
  const section = form.getByTestId('run-semantic')
  await expect(section).toContainText('weather-single: get_weather.city')
  await page.getByTestId('run-eval').click()
  await expect(section).toContainText('Pick the model that scores semantic arguments.')
  await section.getByTestId('semantic-model').selectOption({ index: 1 })
  await expect(section.getByText('Pick the model that scores semantic arguments.')).toHaveCount(0)
  await section.getByLabel('Threshold').fill('0.6')
  await shoot(section, 'semantic-run-form')
  await page.getByTestId('run-eval').click()

  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/, { timeout: 30_000 })
  const runId = page.url().split('/').pop() ?? ''
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByText(/semantic: .* embeddings, threshold 0\.6/)).toBeVisible()
  const run = (await api.call('get', `/api/evals/${runId}`)) as { settings: Json }
  expect(run.settings.semantic).toMatchObject({ source: 'embeddings', threshold: 0.6 })
})
