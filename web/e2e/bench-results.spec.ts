// The run page shows what was measured (issue 18): rates of load runs, a row per context tier
// and load point, the spread of each metric, the demo's cost as free; every number read off
// the page equals the API's summary as the page formats it. Re-run offers "edit first" and
// titles re-runs apart; the compare page tells runs of one title apart.
import type { APIRequestContext, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

type Json = Record<string, unknown>

interface Api {
  get(path: string): Promise<Json>
  post(path: string, data?: unknown): Promise<Json>
}

async function signedInApi(page: Page, request: APIRequestContext, label: string): Promise<Api> {
  const user = newUser(label)
  await register(request, user)
  await signInQuietly(page, user)
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  return {
    get: async (path) => (await (await request.get(path, { headers })).json()) as Json,
    post: async (path, data) => {
      const response = await request.post(path, { headers, data: data ?? {} })
      expect(response.ok(), await response.text()).toBe(true)
      return (await response.json()) as Json
    },
  }
}

async function demoTarget(api: Api): Promise<{ provider_id: string; model_id: string }> {
  const providers = (await api.get('/api/providers')) as unknown as Json[]
  const demo = providers.find((p) => p.is_demo === true)
  if (!demo) throw new Error('no demo provider')
  return { provider_id: String(demo.id), model_id: 'benchstudio-sim' }
}

async function runToEnd(api: Api, body: Json): Promise<Json> {
  const submitted = await api.post('/api/benchmarks', body)
  const runId = String(submitted.run_id)
  await expect
    .poll(async () => (await api.get(`/api/benchmarks/${runId}`)).status, { timeout: 90_000 })
    .toBe('completed')
  return api.get(`/api/benchmarks/${runId}`)
}

/** `value` as the page's `fmt` writes it, formatted in the page (same locale). */
async function formatted(page: Page, value: unknown, digits: number): Promise<string> {
  if (typeof value !== 'number') return '—'
  return page.evaluate(
    ([v, d]) => v.toLocaleString(undefined, { maximumFractionDigits: d, minimumFractionDigits: d }),
    [value, digits] as const,
  )
}

const stat = (block: unknown, metric: string, name: string): unknown =>
  ((block as Json)[metric] as Json | undefined)?.[name]

test('a concurrency sweep shows its rates and a row per load point, as the API says', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000)
  const api = await signedInApi(page, request, 'results-sweep')
  const run = await runToEnd(api, {
    title: 'Sweep on the demo',
    targets: [await demoTarget(api)],
    mode: 'sweep_concurrency',
    sweep: [1, 4, 8],
    num_requests: 24,
    warmup: 1,
    max_tokens: 48,
    context_tokens: [0],
  })
  await page.goto(`/benchmarks/${String(run.id)}`)
  await expect(page.getByTestId('run-status')).toHaveText('Done')
  const summary = run.summary as Json
  // The whole run's rates, to the digit as formatted.
  await expect(page.getByTestId('rate-rps')).toHaveText(
    await formatted(page, summary.request_throughput, 2),
  )
  await expect(page.getByTestId('rate-output-tps')).toHaveText(
    await formatted(page, summary.output_token_throughput, 1),
  )
  await expect(page.getByTestId('rate-total-tps')).toHaveText(
    await formatted(page, summary.total_token_throughput, 1),
  )
  expect(summary.total_token_throughput).toBeGreaterThan(summary.output_token_throughput as number)
  // The demo simulator costs nothing.
  await expect(page.getByTestId('run-cost')).toContainText('$0')
  await expect(page.getByTestId('run-cost')).toContainText('free — demo simulator')

  const table = page.getByTestId('step-table')
  await expect(table.getByRole('heading')).toHaveText('By load point')
  const steps = run.steps as Json[]
  await expect(table.getByTestId('step-row')).toHaveCount(3)
  await expect(table.getByTestId('step-row').locator('td').first()).toHaveText('c=1')
  for (const step of steps) {
    const row = table.locator(`[data-step="${String(step.name)}"]`)
    const s = step.summary as Json
    await expect(row.locator('[data-col=requests]')).toHaveText(String(s.requests))
    await expect(row.locator('[data-col=ttft-p50]')).toHaveText(
      await formatted(page, stat(s, 'ttft_ms', 'p50'), 1),
    )
    await expect(row.locator('[data-col=ttft-p95]')).toHaveText(
      await formatted(page, stat(s, 'ttft_ms', 'p95'), 1),
    )
    await expect(row.locator('[data-col=itl-p95]')).toHaveText(
      await formatted(page, stat(s, 'itl_ms', 'p95'), 2),
    )
    await expect(row.locator('[data-col=e2e-p50]')).toHaveText(
      await formatted(page, stat(s, 'e2e_ms', 'p50'), 1),
    )
    await expect(row.locator('[data-col=rps]')).toHaveText(
      await formatted(page, s.request_throughput, 2),
    )
    await expect(row.locator('[data-col=total-tps]')).toHaveText(
      await formatted(page, s.total_token_throughput, 1),
    )
  }
  // The spread of each metric: std, min, max, percentiles and Tukey outliers.
  const target = Object.values(run.target_summaries as Json)[0]
  for (const [metric, digits] of [
    ['ttft_ms', 1],
    ['itl_ms', 2],
  ] as const) {
    const row = page.getByTestId('spread-table').locator(`[data-metric="${metric}"]`)
    for (const name of ['std', 'min', 'p90', 'p95', 'p99', 'max']) {
      await expect(row.locator(`[data-col=${name}]`)).toHaveText(
        await formatted(page, stat(target, metric, name), digits),
      )
    }
    await expect(row.locator('[data-col=outliers]')).toHaveText(
      String(stat(target, metric, 'outlier_count')),
    )
  }
  await expect(page.getByTestId('error-breakdown')).toHaveCount(0)
  await saveScreenshot(page, 'results-sweep')
  await page.screenshot({ path: '/tmp/results-sweep.png', fullPage: true })
})

test('a multi-tier profile run has a row per context tier; re-runs read apart', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000)
  const api = await signedInApi(page, request, 'results-tiers')
  const run = await runToEnd(api, {
    title: 'Tiers',
    targets: [await demoTarget(api)],
    runs: 5,
    warmup: 1,
    max_tokens: 32,
    context_tokens: [0, 2000, 8000],
  })
  await page.goto(`/benchmarks/${String(run.id)}`)
  await expect(page.getByTestId('run-status')).toHaveText('Done')
  // Profile runs are not load runs: no rate cards.
  await expect(page.getByTestId('run-rates')).toHaveCount(0)
  const table = page.getByTestId('step-table')
  await expect(table.getByRole('heading')).toHaveText('By context tier')
  const tiers = table.getByTestId('step-row').locator('td:first-child')
  await expect(tiers).toHaveText(['0', '2,000', '8,000'])
  for (const step of run.steps as Json[]) {
    const row = table.locator(`[data-step="${String(step.name)}"]`)
    const s = step.summary as Json
    await expect(row.locator('[data-col=ttft-p50]')).toHaveText(
      await formatted(page, stat(s, 'ttft_ms', 'p50'), 1),
    )
    await expect(row.locator('[data-col=speed-p50]')).toHaveText(
      await formatted(page, stat(s, 'output_tokens_per_s', 'p50'), 1),
    )
  }
  await saveScreenshot(page, 'results-tiers')
  await page.screenshot({ path: '/tmp/results-tiers.png', fullPage: true })

  // "Edit first" opens the form filled in with this run's settings, under a marked title.
  await page.getByTestId('rerun-edit').click()
  await expect(page).toHaveURL(/\/benchmarks\?from=/)
  await expect(page.getByTestId('bench-title')).toHaveValue('Tiers (edited)')
  await expect(page.getByTestId('runs')).toHaveValue('5')
  await expect(page.getByTestId('context-tiers')).toHaveValue('0, 2000, 8000')
  await page.goBack()

  // "Re-run now" starts it again under a title history tells apart.
  await page.getByTestId('rerun').click()
  await expect(page).not.toHaveURL(new RegExp(String(run.id)))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tiers (re-run 1)')
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 90_000 })
  const rerunId = page.url().split('/').pop() ?? ''

  // The compare page names each run's models, mode and date.
  await page.goto(`/history/compare?runs=${String(run.id)},${rerunId}`)
  const cards = page.getByTestId('compared-run')
  await expect(cards).toHaveCount(2)
  await expect(cards.nth(0)).toContainText('#1 Tiers')
  await expect(cards.nth(1)).toContainText('#2 Tiers (re-run 1)')
  await expect(page.getByTestId('compared-run-caption').first()).toContainText(
    'Simulator model · profile · ',
  )
  await page.screenshot({ path: '/tmp/results-compare.png', fullPage: true })
})
