// Setting up a tuner run in the browser, on the demo simulator's tunable model: the Tuner from
// the navigation with its empty state, the sample suite added from the form, a 2-D space built
// from the model's parameter specs, the estimate following the trial budget (figures checked
// against the space: 5 × 3 grid points, 8 cases a trial), a refused call budget shown at its
// field, a parameter the provider drops shown as dropped, a preset saved, the space emptied and
// the preset loaded back, and the start landing on the run's page with the run as set up. Axe
// and screenshots at 1366 and 390 px, light and dark.
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

test.use({ allowedConsoleErrors: [/status of 422/] })

async function expectNoSeriousAxeFindings(page: Page, where: string): Promise<void> {
  // The estimate dims (opacity) while a new one loads: check the page at rest, not mid-fetch.
  const figures = page.getByTestId('estimate-figures')
  if ((await figures.count()) > 0) await expect(figures).not.toHaveAttribute('aria-busy', 'true')
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation instanceof CSSTransition) // not the endless spinners
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  )
  const result = await new AxeBuilder({ page }).analyze()
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${where}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    )
  expect(serious).toEqual([])
}

async function addRange(page: Page, name: string, low: string, high: string, step: string) {
  await page.getByTestId('space-add-param').selectOption(name)
  await page.getByTestId('space-add').click()
  const row = page.getByTestId(`dimension-${name}`)
  // Focus moves into the new row, so typing can start at once.
  await expect(row.getByTestId('dimension-low')).toBeFocused()
  await row.getByTestId('dimension-low').fill(low)
  await row.getByTestId('dimension-high').fill(high)
  await row.getByTestId('dimension-step').fill(step)
}

test('set up a tuning run: space, estimate, preset, start', async ({ page, request }) => {
  // Four axe passes and a dozen estimates: slow on a loaded machine.
  test.setTimeout(300_000)
  const user = newUser('tuning')
  await register(request, user)
  await signInQuietly(page, user)

  await page.goto('/')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tuner' }).click()
  await expect(page).toHaveURL('/tuning')
  await expect(page.getByRole('heading', { name: 'No tuning runs yet' })).toBeVisible()
  await expectNoSeriousAxeFindings(page, 'empty list')
  await page.getByTestId('empty-new-tuning').click()
  await expect(page).toHaveURL('/tuning/new')

  // The demo's tunable model is picked first; the new user has no suite yet.
  await expect(page.getByTestId('tune-model')).toHaveValue('benchstudio-sim-tunable')
  await expect(page.getByTestId('estimate-blocked')).toHaveText(/Pick a suite/)
  await page.getByTestId('tune-copy-sample').click()
  await expect(page.getByTestId('tune-suite')).not.toHaveValue('')
  await expect(page.getByTestId('estimate-blocked')).toHaveText(/Add a parameter/)

  // The model's specs bound the inputs: temperature 0 to 2, top_p 0 to 1.
  await addRange(page, 'temperature', '0.2', '1', '0.2')
  await expect(page.getByTestId('dimension-temperature')).toContainText('Numbers from 0 to 2')
  await addRange(page, 'top_p', '0.8', '1', '0.1')
  await expect(page.getByTestId('estimate-grid-size')).toHaveText('15')
  await expect(page.getByTestId('estimate-planned-trials')).toHaveText('16')
  await expect(page.getByTestId('estimate-model-calls')).toHaveText('≤ 128')
  await expect(page.getByTestId('estimate-cost')).toHaveText('free')

  // A smaller trial budget: the estimate follows (8 calls per trial).
  await page.getByTestId('budget-trials').fill('5')
  await expect(page.getByTestId('estimate-planned-trials')).toHaveText('5')
  await expect(page.getByTestId('estimate-model-calls')).toHaveText('≤ 40')
  await expect(page.getByTestId('estimate-panel')).toContainText('max_trials (5)')

  // A call budget below one trial: refused, next to the field.
  const calls = page.getByTestId('budget-calls')
  await calls.fill('3')
  await expect(page.getByTestId('estimate-error')).toBeVisible()
  await expect(calls).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByText(/below one trial's 8 calls/).first()).toBeVisible()
  await calls.fill('')
  await expect(page.getByTestId('estimate-error')).toBeHidden()
  await expect(calls).not.toHaveAttribute('aria-invalid', 'true')

  // Out of the model's bounds: caught before asking the server.
  const high = page.getByTestId('dimension-temperature').getByTestId('dimension-high')
  await high.fill('3')
  await expect(page.getByTestId('dimension-temperature')).toContainText('from 0 to 2')
  await expect(page.getByTestId('estimate-blocked')).toHaveText(/Fix the highlighted fields/)
  await high.fill('1')
  await expect(page.getByTestId('estimate-planned-trials')).toHaveText('5')

  await saveScreenshot(page, 'tuning-setup-1366-light')
  await expectNoSeriousAxeFindings(page, 'setup, light')

  // Save the space as a preset; empty the space; load the preset back.
  await page.getByTestId('saved-preset-save').click()
  await page.getByTestId('preset-name').fill('Narrow sampling')
  await page.getByTestId('preset-name').press('Enter')
  await expect(page.getByTestId('saved-preset')).toHaveValue(/.+/)
  await expect(page.getByTestId('saved-preset').locator('option:checked')).toHaveText(
    'Narrow sampling',
  )
  for (const name of ['top_p', 'temperature'])
    await page.getByTestId(`dimension-${name}`).getByTestId('dimension-remove').click()
  await expect(page.getByTestId('space-empty')).toBeVisible()
  await expect(page.getByTestId('space-add-param')).toBeFocused()
  await page.getByTestId('saved-preset-load').click()
  await expect(page.getByTestId('dimension-temperature').getByTestId('dimension-high')).toHaveValue(
    '1',
  )
  await expect(page.getByTestId('dimension-top_p').getByTestId('dimension-low')).toHaveValue('0.8')
  await expect(page.getByTestId('estimate-grid-size')).toHaveText('15')

  // A parameter the provider does not take: searched nowhere, and the estimate says so.
  await page.getByTestId('vendor-preset').selectOption({ label: 'Qwen3, thinking mode' })
  await page.getByTestId('vendor-preset-load').click()
  await expect(page.getByTestId('dimension-top_k')).toBeVisible()
  await expect(page.getByTestId('estimate-adjustments')).toContainText('top_k is not searched')
  await expect(page.getByTestId('dimension-top_k')).toContainText('Dropped')
  await page.getByTestId('saved-preset-load').click()
  await expect(page.getByTestId('dimension-top_k')).toHaveCount(0)
  await expect(page.getByTestId('estimate-grid-size')).toHaveText('15')

  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(250)
  await expectNoSeriousAxeFindings(page, 'setup, dark')
  await saveScreenshot(page, 'tuning-setup-1366-dark')
  await page.setViewportSize({ width: 390, height: 800 })
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(width).toBeLessThanOrEqual(390)
  await saveScreenshot(page, 'tuning-setup-390-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1366, height: 860 })

  await page.getByTestId('tune-name').fill('Narrow sampling search')
  await page.getByTestId('tune-name').press('Enter')
  await expect(page).toHaveURL(/\/tuning\/runs\/[^/]+$/)
  const runId = page.url().split('/').pop() ?? ''
  await expect(
    page.getByRole('heading', { level: 1, name: 'Narrow sampling search' }),
  ).toBeVisible()

  const token = await accessToken(request, user)
  const detail = await request.get(`/api/tuning/runs/${runId}`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(detail.ok()).toBe(true)
  const { run } = (await detail.json()) as {
    run: {
      name: string
      budget: { max_trials: number }
      target: { model_id: string }
      space: { dimensions: { name: string; low: number; high: number; step: number }[] }
    }
  }
  expect(run.name).toBe('Narrow sampling search')
  expect(run.budget.max_trials).toBe(5)
  expect(run.target.model_id).toBe('benchstudio-sim-tunable')
  expect(run.space.dimensions.map((d) => [d.name, d.low, d.high, d.step])).toEqual([
    ['temperature', 0.2, 1, 0.2],
    ['top_p', 0.8, 1, 0.1],
  ])

  // Back on the list: the run, its model and suite.
  await page.goto('/tuning')
  const row = page.getByTestId('tuning-row').filter({ hasText: 'Narrow sampling search' })
  await expect(row).toContainText('benchstudio-sim-tunable')
  await expect(row.getByTestId('tuning-trials')).toHaveText(/ of 5$/)
  await expectNoSeriousAxeFindings(page, 'list')
  await saveScreenshot(page, 'tuning-list-1366-light')
})

test('a saved preset can be deleted after a confirmation', async ({ page, request }) => {
  const user = newUser('tuning-preset')
  await register(request, user)
  const token = await accessToken(request, user)
  const created = await request.post('/api/tuning/presets', {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      name: 'Old space',
      space: { dimensions: [{ kind: 'range', name: 'temperature', low: 0, high: 1 }] },
    },
  })
  expect(created.status()).toBe(201)
  await signInQuietly(page, user)
  await page.goto('/tuning/new')
  await page.getByTestId('saved-preset').selectOption({ label: 'Old space' })
  await page.getByTestId('saved-preset-delete').click()
  await expect(page.getByRole('dialog')).toContainText('Old space')
  await page.getByTestId('confirm-button').click()
  await expect(
    page.getByTestId('saved-preset').locator('option', { hasText: 'Old space' }),
  ).toHaveCount(0)
  const listed = await request.get('/api/tuning/presets', {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(await listed.json()).toEqual([])
})
