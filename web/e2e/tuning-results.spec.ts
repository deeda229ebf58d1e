// A tuner run's page (issue 21), on the demo simulator's tunable model with a small 2-D grid:
// the trials arrive live while the job runs, to the end; the best score and the trial count
// on the page equal the API's detail; the trial table sorts; the heatmap takes two chosen
// parameters; "Apply best" saves a parameter set that the parameter sets page lists. Axe on
// the page, screenshots at 1366 and 390 px in both themes.
import AxeBuilder from '@axe-core/playwright'
import type { APIRequestContext, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

type Json = Record<string, unknown>

interface Api {
  get(path: string): Promise<Json>
  post(path: string, data?: unknown): Promise<Json>
}

async function signedInApi(page: Page, request: APIRequestContext): Promise<Api> {
  const user = newUser('tuning-results')
  await register(request, user)
  await signInQuietly(page, user)
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  return {
    get: async (path) => {
      const response = await request.get(path, { headers })
      expect(response.ok(), await response.text()).toBe(true)
      return (await response.json()) as Json
    },
    post: async (path, data) => {
      const response = await request.post(path, { headers, data: data ?? {} })
      expect(response.ok(), await response.text()).toBe(true)
      return (await response.json()) as Json
    },
  }
}

async function expectNoSeriousAxeFindings(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze()
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${where}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    )
  expect(serious).toEqual([])
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: width === 1366 ? 860 : 800 })
      await page.waitForTimeout(300)
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      )
      expect(overflow, `${name} at ${width} px is wider than the screen`).toBeLessThanOrEqual(0)
      await saveScreenshot(page, `${name}-${theme}-${width}`)
    }
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1366, height: 860 })
}

/** The page's score format: a 0..1 score as "62.5%". */
const pct = (score: unknown): string =>
  typeof score === 'number' ? `${(100 * score).toFixed(1)}%` : '—'

test('a tuner run: live trials to the end, results as the API says, sort, heatmap, apply best', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000)
  const api = await signedInApi(page, request)
  const suite = await api.post('/api/suites/sample')
  const providers = (await api.get('/api/providers')) as unknown as Json[]
  const demo = providers.find((p) => p.is_demo === true)
  if (!demo) throw new Error('no demo provider')

  // 3 temperatures x 3 top_p values, one at a time: 9 search trials after the baseline.
  const submitted = await api.post('/api/tuning/runs', {
    name: 'Tune the tunable sim',
    suite_id: suite.id,
    target: { provider_id: demo.id, model_id: 'benchstudio-sim-tunable' },
    space: {
      dimensions: [
        { kind: 'range', name: 'temperature', low: 0, high: 1, step: 0.5 },
        { kind: 'range', name: 'top_p', low: 0.5, high: 1, step: 0.25 },
      ],
    },
    strategy: { kind: 'grid' },
    budget: { max_trials: 20 },
    stopping: { prune: false },
    concurrency: 1,
  })
  const runId = String((submitted.run as Json).id)

  await page.goto(`/tuning/runs/${runId}`)
  await expect(page.getByRole('heading', { name: 'Tune the tunable sim', level: 1 })).toBeVisible()
  // Live: rows appear while the job runs (at least one seen before the end), then all of them.
  const rows = page.getByTestId('trial-row')
  await expect(rows.first()).toBeVisible({ timeout: 60_000 })
  const statusAtFirstRow = await page.getByTestId('tuning-status').textContent()
  const rowsAtFirstRow = await rows.count()
  await expect(page.getByTestId('tuning-status')).toHaveText(/Done/, { timeout: 180_000 })

  const detail = await api.get(`/api/tuning/runs/${runId}`)
  const trials = detail.trials as Json[]
  const results = detail.results as Json
  const run = detail.run as Json
  expect(trials.length).toBeGreaterThan(1)
  await expect(rows).toHaveCount(trials.length)
  await expect(page.getByTestId('trials-done')).toContainText(`${trials.length} of`)
  await expect(page.getByTestId('best-score')).toHaveText(pct(results.best_score))
  await expect(page.getByTestId('best-so-far')).toContainText(pct(results.best_score))
  await expect(page.getByTestId('calls-used')).toHaveText(
    Number(run.calls_used).toLocaleString('en-US'),
  )
  await expect(page.getByTestId('stop-reason')).toContainText('Every point of the search space')
  await expect(page.getByTestId('baseline-comparison')).toHaveCount(
    (results.baselines as Json[]).length,
  )
  // The first rows came while the job was still going, before all of them.
  expect(statusAtFirstRow).toMatch(/Running|Queued/)
  expect(rowsAtFirstRow).toBeLessThan(trials.length)

  // Sorting: by score, best first; again, worst first; by temperature.
  const scores = [...trials]
    .map((t) => t.score as number)
    .sort((a, b) => b - a)
    .map(pct)
  await page.getByTestId('sort-score').click()
  await expect(
    page.getByTestId('trial-table').getByRole('columnheader', { name: /Score/ }),
  ).toHaveAttribute('aria-sort', 'descending')
  await expect(rows.first().getByTestId('trial-score')).toContainText(scores[0] ?? '')
  await page.getByTestId('sort-score').click()
  await expect(rows.first().getByTestId('trial-score')).toContainText(scores.at(-1) ?? '')
  await page.getByTestId('sort-param:temperature').press('Enter')
  await expect(
    page.getByTestId('trial-table').getByRole('columnheader', { name: /temperature/ }),
  ).toHaveAttribute('aria-sort', 'ascending')
  // Each trial links to its eval run.
  const first = trials[0] as Json
  await expect(
    page.locator(`[data-trial="${first.number}"]`).getByTestId('trial-link'),
  ).toHaveAttribute('href', `/tool-eval/runs/${first.eval_run_id}`)

  // Heatmap: temperature across, top_p down: 3 x 3 cells, each the mean of its one trial.
  await page.getByTestId('heatmap-x').selectOption('temperature')
  await page.getByTestId('heatmap-y').selectOption('top_p')
  await expect(page.getByTestId('heatmap-cell')).toHaveCount(9)
  const searched = trials.filter((t) => t.kind === 'search')
  const cell = searched.find(
    (t) => (t.point as Json).temperature === 0 && (t.point as Json).top_p === 0.5,
  )
  await expect(page.getByTestId('heatmap-cell').first()).toContainText(pct(cell?.score))
  await expect(
    page.getByTestId('importance-row').or(page.getByTestId('importance-note')),
  ).not.toHaveCount(0)

  await expectNoSeriousAxeFindings(page, 'tuner run')
  await screenshots(page, 'tuning-results')

  // Apply best as a parameter set, then find it on the parameter sets page.
  await page.getByTestId('apply-best').click()
  const dialog = page.getByRole('dialog', { name: 'Apply the best point' })
  await dialog.getByTestId('apply-name').fill('Tuned sim settings')
  await expectNoSeriousAxeFindings(page, 'apply best dialog')
  await dialog.getByTestId('apply-submit').click()
  await expect(dialog.getByTestId('apply-done')).toContainText('Tuned sim settings')
  await dialog.getByTestId('apply-parameter-sets-link').click()
  await expect(page).toHaveURL('/settings/parameter-sets')
  const card = page.getByTestId('parameter-set-card').filter({ hasText: 'Tuned sim settings' })
  await expect(card).toBeVisible()
  for (const [name] of Object.entries((results.best_effective as Json | null) ?? {})) {
    await expect(card).toContainText(name)
  }
})
