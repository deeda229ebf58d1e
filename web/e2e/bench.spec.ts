// Benchmarks in the browser: start one on the demo simulator with the preview's badges, watch
// it live, read the summary, re-run it, find both runs in the history and compare them.
import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

test('benchmark on the simulator → live results → history → compare two runs', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const user = newUser('bench')
  await register(request, user)
  await signInQuietly(page, user)

  await page.goto('/history')
  await expect(page.getByTestId('empty-state')).toContainText('No benchmarks yet')
  await page.getByRole('link', { name: 'New benchmark' }).first().click()
  await expect(page).toHaveURL('/benchmarks')

  // The simulator's model is chosen for a new user; the preview shows what will be sent.
  const picker = page.getByTestId('target-picker')
  await expect(picker.locator('input[type=checkbox]:checked')).toHaveCount(1)
  await page.getByTestId('bench-title').fill('e2e simulator run')
  await page.getByTestId('runs').fill('12')
  await page.getByTestId('max-tokens').fill('64')
  await page.getByTestId('params-json').fill('{"top_p": 0.9, "not_a_param": 1}')
  await expect(page.getByTestId('preview-requests')).toHaveText('13')
  await expect(page.getByTestId('preview-target')).toContainText('top_p=0.9')
  // The parameter registry's adjustments show before anything runs.
  await expect(page.getByTestId('adjustment')).toContainText('drop not_a_param')
  await saveScreenshot(page, 'bench-new-preview')

  await page.getByTestId('start-benchmark').click()
  await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
  await expect(page.getByTestId('live-view').or(page.getByTestId('run-summary'))).toBeVisible()
  if (await page.getByTestId('live-view').isVisible()) {
    await expect(page.getByTestId('live-result').first()).toBeVisible({ timeout: 20_000 })
    await saveScreenshot(page, 'bench-live')
  }
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
  const summary = page.getByTestId('run-summary')
  await expect(summary.getByTestId('summary-row')).toHaveCount(1)
  await expect(summary.getByTestId('winner').first()).toContainText('Only one model measured')
  await expect(page.getByTestId('run-charts').getByTestId('chart').first()).toBeVisible()
  await saveScreenshot(page, 'bench-summary')
  await page.emulateMedia({ colorScheme: 'dark' })
  // Let the colour transitions finish so the screenshot shows the settled dark theme.
  await page.waitForTimeout(400)
  await saveScreenshot(page, 'bench-summary-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  const firstRun = page.url()

  // Another account cannot see this run.
  const stranger = newUser('stranger')
  await register(request, stranger)
  const runId = firstRun.split('/').pop() ?? ''
  const peek = await request.get(`/api/benchmarks/${runId}`, {
    headers: { Authorization: `Bearer ${await accessToken(request, stranger)}` },
  })
  expect(peek.status()).toBe(404)

  // Re-run: the stored configuration again, as a new run.
  await page.getByTestId('rerun').click()
  await expect(page).not.toHaveURL(firstRun)
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'History' })
    .click()
  const rows = page.getByTestId('history-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.first().getByTestId('job-status')).toHaveText('Done')
  await page.getByTestId('history-search').fill('no-such-model-anywhere')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(page.getByTestId('empty-state')).toContainText('No runs match')
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await expect(rows).toHaveCount(2)
  await rows.nth(0).getByTestId('compare-toggle').check()
  await rows.nth(1).getByTestId('compare-toggle').check()
  await saveScreenshot(page, 'bench-history')
  await page.getByTestId('compare-selected').click()
  await expect(page).toHaveURL(/\/history\/compare\?runs=/)
  await expect(page.getByTestId('compared-run')).toHaveCount(2)
  await expect(page.getByTestId('compare-row')).toHaveCount(2)
  await expect(page.getByTestId('significance-row').first()).toBeVisible()
  await saveScreenshot(page, 'bench-compare')

  // Delete asks first, then the run is gone from the history.
  await page.getByTestId('compared-run').first().getByRole('link').click()
  await page.getByTestId('delete-run').click()
  await page.getByTestId('confirm-button').click()
  await expect(page).toHaveURL('/history')
  await expect(rows).toHaveCount(1)
})
