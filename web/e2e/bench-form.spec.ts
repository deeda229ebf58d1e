// The benchmark form and run page without traps (issue 17): cleared numbers mean "not set", an
// empty prompt is refused, duplicate tiers are refused, skipped tiers are named before and
// after the run, Start and a new run page show that they are busy, a finished run never
// flashes an empty state, cancelled requests are not errors, and an interrupted run resumes.
import { execFileSync } from 'node:child_process'

import type { APIRequestContext, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, E2E_PORT, newUser, register, signInQuietly, type TestUser } from './users'

interface Api {
  get(path: string): Promise<{ status: number; body: unknown }>
  post(path: string, data: unknown): Promise<{ status: number; body: unknown }>
}

async function apiFor(request: APIRequestContext, user: TestUser): Promise<Api> {
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  const wrap = async (response: Awaited<ReturnType<APIRequestContext['get']>>) => {
    const text = await response.text()
    return {
      status: response.status(),
      body: text.startsWith('{') || text.startsWith('[') ? (JSON.parse(text) as unknown) : text,
    }
  }
  return {
    get: async (path) => wrap(await request.get(path, { headers })),
    post: async (path, data) => wrap(await request.post(path, { headers, data })),
  }
}

async function newBenchUser(page: Page, request: APIRequestContext, label: string): Promise<Api> {
  const user = newUser(label)
  await register(request, user)
  await signInQuietly(page, user)
  return apiFor(request, user)
}

/** The demo provider and its model, as the form picks them for a new user. */
async function demoTarget(api: Api): Promise<{ provider_id: string; model_id: string }> {
  const providers = (await api.get('/api/providers')).body as { id: string; is_demo: boolean }[]
  const demo = providers.find((p) => p.is_demo)
  if (!demo) throw new Error('no demo provider')
  const models = (await api.get(`/api/models?provider_id=${demo.id}`)).body as {
    model_id: string
    provider_id: string
  }[]
  const model = models.find((m) => m.provider_id === demo.id)
  if (!model) throw new Error('no demo model')
  return { provider_id: demo.id, model_id: model.model_id }
}

/** Flags, in the page, any moment the run page claims a finished run measured nothing. */
async function watchFalseEmptyStates(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const flags = window as unknown as { __falseEmpty?: string[] }
    flags.__falseEmpty = []
    new MutationObserver(() => {
      const text = document.body?.innerText ?? ''
      for (const phrase of ['No measured requests', 'No successful requests to chart']) {
        if (text.includes(phrase) && !flags.__falseEmpty?.includes(phrase))
          flags.__falseEmpty?.push(phrase)
      }
    }).observe(document, { childList: true, subtree: true, characterData: true })
  })
}

async function falseEmptyStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __falseEmpty?: string[] }).__falseEmpty ?? [])
}

test('cleared numbers are "not set", an empty prompt and duplicate tiers are refused, Start is busy, no false empty state', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000)
  const api = await newBenchUser(page, request, 'benchform')
  await watchFalseEmptyStates(page)
  await page.goto('/benchmarks')
  const preview = page.getByTestId('preview-target')
  await expect(preview).toBeVisible()
  await expect(page.getByText('Measured requests per tier')).toBeVisible()
  await expect(page.getByTestId('preview-panel')).toContainText('Requests incl. warm-ups')

  // Bug 3: a temperature typed then cleared leaves the preview and the request.
  await page.getByTestId('temperature').fill('0.5')
  await expect(preview).toContainText('temperature=0.5')
  await page.getByTestId('temperature').fill('')
  await expect(preview).not.toContainText('temperature=')
  await expect(page.getByTestId('preview-requests')).toBeVisible()
  // Every numeric field: an optional one cleared is "not set", a required one says so.
  await page.getByTestId('max-tokens').fill('')
  await expect(preview).not.toContainText('max_tokens=256')
  await page.getByTestId('max-tokens').fill('24')
  await expect(preview).toContainText('max_tokens=24')
  await page.getByTestId('runs').fill('')
  await expect(page.getByText('Enter how many measured requests each tier gets.')).toBeVisible()
  await expect(page.getByTestId('preview-blocked')).toBeVisible()
  await page.getByTestId('runs').fill('3')
  await page.getByTestId('warmup').fill('')
  await expect(page.getByTestId('preview-requests')).toHaveText('3')
  await page.getByTestId('mode').selectOption('concurrency')
  await page.getByTestId('concurrency').fill('')
  await expect(page.getByText('Enter how many requests stay in flight.')).toBeVisible()
  await page.getByTestId('concurrency').fill('2')
  await page.getByTestId('num-requests').fill('')
  await expect(page.getByTestId('preview-requests')).toBeVisible()
  await page.getByTestId('mode').selectOption('rate')
  await page.getByTestId('request-rate').fill('')
  await expect(page.getByText('Enter the requests per second.')).toBeVisible()
  await page.getByTestId('mode').selectOption('profile')
  await expect(page.getByTestId('preview-requests')).toHaveText('3')

  // Bug 4: an emptied prompt is refused at the field, never replaced.
  await page.getByTestId('prompt').fill('   ')
  const promptError = page.getByText('Write a prompt, or choose a template')
  await expect(promptError).toBeVisible()
  await expect(page.getByTestId('prompt')).toHaveAttribute('aria-invalid', 'true')
  await page.getByTestId('start-benchmark').click()
  await expect(page).toHaveURL('/benchmarks')
  await saveScreenshot(page, 'bench-form-errors')
  await page.getByTestId('prompt').fill('Say hello in five words.')
  await expect(promptError).toBeHidden()

  // Bug 12: duplicate tiers are refused in the form.
  await page.getByTestId('context-tiers').fill('2k, 2k')
  await expect(page.getByText('Each value may appear once: 2,000 is repeated.')).toBeVisible()
  await page.getByTestId('context-tiers').fill('0')
  await expect(page.getByTestId('preview-requests')).toHaveText('3')

  // The API refuses the same, with plain messages (and a cleared temperature is null, not '').
  const target = await demoTarget(api)
  const base = { targets: [target], runs: 1, warmup: 0, max_tokens: 8 }
  const empty = await api.post('/api/benchmarks/preview', { ...base, prompt: '' })
  expect(empty.status).toBe(422)
  expect(JSON.stringify(empty.body)).toContain('the prompt is empty')
  const twice = await api.post('/api/benchmarks/preview', { ...base, context_tokens: [2000, 2000] })
  expect(twice.status).toBe(422)
  expect(JSON.stringify(twice.body)).toContain('may appear once')
  expect((await api.post('/api/benchmarks/preview', { ...base, temperature: null })).status).toBe(
    200,
  )

  // Bug 1 (UI): Start shows that it is busy, the new run page a skeleton, not just a title.
  await page.route('**/api/benchmarks', async (route) => {
    if (route.request().method() === 'POST')
      await new Promise((resolve) => setTimeout(resolve, 1200))
    await route.continue()
  })
  await page.route(/\/api\/benchmarks\/[^/?]+$/, async (route) => {
    if (route.request().method() === 'GET')
      await new Promise((resolve) => setTimeout(resolve, 1200))
    await route.continue()
  })
  // Bug 6: the final rows arrive late; the finished run shows a loading state meanwhile.
  await page.route(/\/api\/benchmarks\/[^/]+\/requests/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await route.continue()
  })
  await page.getByTestId('runs').fill('8')
  await page.getByTestId('start-benchmark').click()
  const start = page.getByTestId('start-benchmark')
  await expect(start).toBeDisabled()
  await expect(start).toHaveText(/Starting…/)
  await expect(page.getByTestId('start-spinner')).toBeVisible()
  await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
  await expect(page.getByTestId('run-skeleton')).toBeVisible()
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
  await expect(page.getByTestId('run-summary').getByTestId('summary-row')).toHaveCount(1, {
    timeout: 15_000,
  })
  expect(await falseEmptyStates(page)).toEqual([])
  // A finished run opened directly: loading first, never "nothing measured".
  await page.reload()
  await expect(page.getByTestId('results-loading')).toBeVisible()
  await expect(page.getByTestId('run-summary').getByTestId('summary-row')).toHaveCount(1, {
    timeout: 15_000,
  })
  await expect(page.getByTestId('run-charts').getByTestId('chart').first()).toBeVisible()
  expect(await falseEmptyStates(page)).toEqual([])
  await page.unrouteAll({ behavior: 'ignoreErrors' })
})

test("tiers beyond a model's context window: not in the estimate, named in the preview and on the run page", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000)
  const api = await newBenchUser(page, request, 'benchskip')
  const demo = await demoTarget(api)
  const created = await api.post('/api/models', {
    provider_id: demo.provider_id,
    model_id: 'tiny-window-sim',
    display_name: 'Tiny window sim',
    context_window: 1500,
  })
  expect(created.status, JSON.stringify(created.body)).toBe(201)

  await page.goto('/benchmarks')
  await expect(page.getByTestId('preview-target')).toHaveCount(1)
  await page.getByTestId('target-tiny-window-sim').locator('input').check()
  await page.getByTestId('runs').fill('2')
  await page.getByTestId('warmup').fill('1')
  await page.getByTestId('max-tokens').fill('16')
  await page.getByTestId('context-tiers').fill('0, 2k')
  const tiny = page.getByTestId('preview-target').filter({ hasText: 'Tiny window sim' })
  await expect(tiny.getByTestId('preview-skipped')).toContainText(
    'Skipped, not in the estimate: 2,000 tokens',
  )
  await expect(tiny.getByTestId('preview-skipped')).toContainText('context window')
  // Per tier that runs: 1 warm-up + 2 measured; the demo model runs both tiers, tiny only one.
  await expect(tiny.getByTestId('preview-target-requests')).toHaveText('3 requests')
  await expect(page.getByTestId('preview-requests')).toHaveText('9')
  await saveScreenshot(page, 'bench-form-skipped')

  await page.getByTestId('start-benchmark').click()
  await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
  const skipped = page.getByTestId('run-skipped')
  await expect(skipped).toContainText('Tiny window sim')
  await expect(skipped).toContainText('2,000 context tokens')
  await expect(skipped).toContainText('context window')
  await saveScreenshot(page, 'bench-run-skipped')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(400)
  await saveScreenshot(page, 'bench-run-skipped-dark')
  await page.emulateMedia({ colorScheme: 'light' })
})

test('a cancelled run counts its cut-short request as cancelled, not as an error', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000)
  const api = await newBenchUser(page, request, 'benchcancel')
  await page.goto('/benchmarks')
  await expect(page.getByTestId('preview-target')).toHaveCount(1)
  // Four requests always in flight (each about 0.7 s on the simulator) for 200 requests: a
  // cancel cuts the ones in flight short.
  await page.getByTestId('warmup').fill('0')
  await page.getByTestId('mode').selectOption('concurrency')
  await page.getByTestId('concurrency').fill('4')
  await page.getByTestId('num-requests').fill('200')
  await expect(page.getByTestId('preview-requests')).toHaveText('200')
  await page.getByTestId('start-benchmark').click()
  await expect(page.getByTestId('live-view')).toBeVisible({ timeout: 20_000 })
  // One progress count (the job's "N of ~M requests"): no second total per target.
  await expect(page.locator('#main-content').getByTestId('job-detail')).toContainText(
    /of ~?200 requests|Starting/,
  )
  await expect(page.getByTestId('live-target').first()).not.toContainText(/\d\s*\/\s*\d/)
  await saveScreenshot(page, 'bench-live')
  await page.waitForTimeout(2500)
  await page.getByTestId('cancel-run').click()
  await expect(page.getByTestId('run-status')).toHaveText('Cancelled', { timeout: 30_000 })
  await expect(page.getByTestId('run-cancelled')).toHaveText(/^[1-4]$/)
  const runId = page.url().split('/').pop() ?? ''
  const detail = (await api.get(`/api/benchmarks/${runId}`)).body as {
    error_count: number
    summary: { cancelled: number; errors: number }
  }
  expect(detail.error_count).toBe(0)
  expect(detail.summary.cancelled).toBeGreaterThan(0)
  expect(detail.summary.errors).toBe(0)
  const csv = (await api.get(`/api/benchmarks/${runId}/export?format=csv`)).body as string
  expect(csv.split('\n')[0]).toContain('outcome')
  expect(csv).toContain(',cancelled,')
  await saveScreenshot(page, 'bench-run-cancelled')
})

interface Proc {
  pid: number
  ppid: number
  args: string
}

/** Processes forked by the e2e server's fork server: the summary worker and measuring children. */
function forkedChildren(): Proc[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }))
  const server = table.find(
    (p) => p.args.includes(' serve ') && p.args.includes(`--port ${E2E_PORT}`),
  )
  if (!server) throw new Error('e2e server process not found')
  const forkServers = table
    .filter((p) => p.ppid === server.pid && p.args.includes('multiprocessing.forkserver'))
    .map((p) => p.pid)
  return table.filter((p) => forkServers.includes(p.ppid))
}

test('an interrupted run (its measuring process killed) resumes from the run page', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const api = await newBenchUser(page, request, 'benchresume')
  // A first run brings up the fork server and the summary worker; the process that appears
  // during the second run is then its measuring child.
  const first = await api.post('/api/benchmarks', {
    targets: [await demoTarget(api)],
    runs: 1,
    warmup: 0,
    max_tokens: 4,
    prompt: 'Hi.',
  })
  expect(first.status).toBe(202)
  const firstRun = (first.body as { run_id: string }).run_id
  await expect
    .poll(
      async () =>
        ((await api.get(`/api/benchmarks/${firstRun}`)).body as { status: string }).status,
      { timeout: 30_000 },
    )
    .toBe('completed')
  await page.goto('/benchmarks')
  await expect(page.getByTestId('preview-target')).toHaveCount(1)
  await page.getByTestId('runs').fill('6')
  await page.getByTestId('warmup').fill('0')
  await page.getByTestId('max-tokens').fill('150')
  await expect(page.getByTestId('preview-requests')).toHaveText('6')
  const before = new Set(forkedChildren().map((p) => p.pid))
  await page.getByTestId('start-benchmark').click()
  await expect(page.getByTestId('live-result').first()).toBeVisible({ timeout: 20_000 })
  const appeared = forkedChildren().filter((p) => !before.has(p.pid))
  expect(appeared, 'one measuring child').toHaveLength(1)
  // Killed, as a crash or the out-of-memory killer would.
  process.kill(appeared[0]?.pid ?? 0, 'SIGKILL')

  await expect(page.getByTestId('run-status')).toHaveText('Interrupted', { timeout: 30_000 })
  await expect(page.getByTestId('run-reason')).toContainText('Resume to measure the rest')
  await saveScreenshot(page, 'bench-run-interrupted')
  await page.getByTestId('resume-run').click()
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
  await expect(page.getByTestId('run-summary').getByTestId('summary-row')).toHaveCount(1, {
    timeout: 15_000,
  })
  await expect(page.getByTestId('resume-run')).toBeHidden()
})
