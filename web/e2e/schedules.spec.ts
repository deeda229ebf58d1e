// Schedules in the browser (in Berlin time, so the user's zone is not UTC): the empty list
// and its link to the editor; a benchmark schedule on the demo simulator every minute, whose
// next five runs on the page equal POST /api/schedules/next for the same draft; a bad cron
// rule's 422 shown at its field; its first run appearing on the detail page by itself; alert
// rules saved on the page; the schedule edited to a much longer prompt (the simulator's prefill
// makes the time to first token grow with it), so its next run regresses and the page shows
// the alert, with figures equal to the API's trend and alerts; a mute; axe on the pages.
import AxeBuilder from '@axe-core/playwright'
import type { APIRequestContext, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

const ZONE = 'Europe/Berlin'

test.use({ timezoneId: ZONE, allowedConsoleErrors: [/status of 422/] })

interface NextItem {
  utc: string
  local: string
  timezone: string
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

async function api(
  request: APIRequestContext,
  token: string,
  method: 'get' | 'post',
  path: string,
  data?: unknown,
): Promise<unknown> {
  const response = await request[method](path, {
    data,
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true)
  return response.json()
}

/** As the page shows an instant the API gave with its offset: "2026-12-08 09:00". */
const wall = (iso: string) => iso.slice(0, 16).replace('T', ' ')
const ms = (value: number) => `${value.toFixed(1)} ms`

test('create a schedule, see its first run, then an alert', async ({ page, request }) => {
  test.setTimeout(300_000)
  const user = newUser('schedules')
  await register(request, user)
  const token = await accessToken(request, user)
  await signInQuietly(page, user)

  await page.goto('/')
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Schedules' })
    .click()
  await expect(page).toHaveURL('/schedules')
  await expect(page.getByRole('heading', { name: 'No schedules yet' })).toBeVisible()
  await expectNoSeriousAxeFindings(page, 'empty list')
  await page.getByTestId('empty-new-schedule').click()
  await expect(page).toHaveURL('/schedules/new')

  // A cron rule the server refuses: its message at the field, none in the preview's list.
  await page.getByTestId('rule-cron').check({ force: true })
  await page.getByTestId('cron-expression').fill('0 25 * * *')
  await expect(page.getByTestId('field-error').first()).toContainText("hour field '25'")
  await expect(page.getByTestId('next-occurrence')).toHaveCount(0)
  await page.getByTestId('rule-interval').check({ force: true })

  await page.getByTestId('schedule-name-input').fill('Minutely latency check')
  await expect(
    page.getByTestId('target-picker').locator('input[type=checkbox]:checked'),
  ).toHaveCount(1)
  await page.getByTestId('bench-prompt').fill('Say hello.')
  await page.getByTestId('bench-runs').fill('20')
  await page.getByTestId('bench-warmup').fill('0')
  await page.getByTestId('bench-max-tokens').fill('4')
  await page.getByTestId('interval-every').fill('1')
  await page.getByTestId('interval-unit').selectOption('minutes')
  // Starting a few seconds from now (in the browser's zone, to the second).
  const start = await page.evaluate(() => {
    const date = new Date(Date.now() + 12_000)
    date.setMilliseconds(0)
    const pad = (n: number) => String(n).padStart(2, '0')
    const local =
      `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
      `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    return { local, iso: date.toISOString() }
  })
  await page.getByTestId('starts-at').fill(start.local)

  const draft = {
    timing: {
      rule: { kind: 'interval', every: 1, unit: 'minutes' },
      starts_at: start.iso,
      ends_at: null,
      enabled: true,
      max_runs: null,
      catch_up: 'skip',
      overlap: 'skip',
      max_running: 1,
    },
    count: 5,
    timezone: ZONE,
  }
  const expected = (await api(request, token, 'post', '/api/schedules/next', draft)) as {
    items: NextItem[]
  }
  expect(expected.items).toHaveLength(5)
  expect(expected.items[0]?.utc).toBe(start.iso.replace('.000Z', 'Z'))
  await expect(page.getByTestId('next-local')).toHaveText(
    expected.items.map((o) => new RegExp(`^${wall(o.local)} ${ZONE} \\(\\+0[12]:00\\)$`)),
  )
  await expect(page.getByTestId('next-utc')).toHaveText(
    expected.items.map((o) => `${wall(o.utc)} UTC`),
  )
  // The demo simulator is free: the estimate says so, for the month's 1-minute runs too.
  await expect(page.getByTestId('cost-per-run')).toHaveText('$0.00')
  await expectNoSeriousAxeFindings(page, 'editor')
  await saveScreenshot(page, 'schedule-editor')

  await page.getByTestId('save-schedule').click()
  await expect(page).toHaveURL(/\/schedules\/(?!new$)[^/]+$/)
  const scheduleId = page.url().split('/').pop() ?? ''
  await expect(page.getByTestId('schedule-status')).toHaveText('Enabled')

  // Alert rules before the runs: TTFT p50 more than 50 % worse than the last runs' median.
  const rules = page.getByTestId('alert-rules')
  await rules.getByTestId('rule-on-ttft_p50').check()
  await rules.getByTestId('rule-threshold-ttft_p50').fill('50')
  await rules.getByTestId('save-rules').click()
  await expect(page.getByText('Alert rules saved')).toBeVisible()

  // The first run appears by itself, done, linking to its benchmark page.
  const first = page.getByTestId('occurrence').filter({ hasText: 'Run 1' })
  await expect(first.getByTestId('occurrence-status')).toHaveText('Done', { timeout: 60_000 })
  await expect(first.getByTestId('occurrence-run-link')).toHaveAttribute(
    'href',
    /^\/benchmarks\/[^/]+$/,
  )
  await expect(page.getByTestId('runs-so-far')).toHaveText('1')

  // A much longer prompt: the simulator adds 40 ms per 1,000 prompt tokens to the TTFT.
  await page.getByTestId('edit-schedule').click()
  await expect(page).toHaveURL(`/schedules/${scheduleId}/edit`)
  await expect(page.getByTestId('bench-prompt')).toHaveValue('Say hello.')
  await page.getByTestId('bench-prompt').fill('Please read all of this. '.repeat(1500))
  await page.getByTestId('save-schedule').click()
  await expect(page).toHaveURL(`/schedules/${scheduleId}`)

  const episode = page.getByTestId('alert-episode')
  await expect(episode.getByTestId('alert-state')).toHaveText('Open', { timeout: 120_000 })
  const alerts = (await api(request, token, 'get', `/api/schedules/${scheduleId}/alerts`)) as {
    open: { metric: string; value: number; baseline: number; opened_run_id: string }[]
  }
  const open = alerts.open[0]
  expect(open?.metric).toBe('ttft_p50')
  await expect(episode.getByTestId('alert-value')).toHaveText(ms(open?.value ?? NaN))
  await expect(episode.getByTestId('alert-baseline')).toHaveText(ms(open?.baseline ?? NaN))

  const trend = (await api(request, token, 'get', `/api/schedules/${scheduleId}/trend`)) as {
    baseline: { ttft_p50: number }
    points: { run_id: string; metrics: { ttft_p50: number }; in_episode: string[] }[]
  }
  const [one, two] = trend.points
  expect(two?.run_id).toBe(open?.opened_run_id)
  expect(open?.value).toBe(two?.metrics.ttft_p50)
  expect(open?.baseline).toBe(one?.metrics.ttft_p50)
  expect(two?.in_episode).toEqual(['ttft_p50'])
  await expect(page.getByTestId('trend-baseline')).toHaveText(ms(trend.baseline.ttft_p50))
  await expect(page.getByTestId('trend').getByRole('img')).toBeVisible()
  await expect(page.getByTestId('trend')).toContainText('in an alert episode: run 2')

  await page.getByTestId('mute-ttft_p50').click()
  await expect(page.getByTestId('mute-ttft_p50')).toHaveText('Unmute TTFT p50')
  await expect(episode.getByTestId('alert-state')).toHaveText('Open')
  await expectNoSeriousAxeFindings(page, 'detail')
  await saveScreenshot(page, 'schedule-detail')

  // Off from the list.
  await page.goto('/schedules')
  await expect(page.getByTestId('schedule-name')).toHaveText('Minutely latency check')
  await expect(page.getByTestId('schedule-rule')).toHaveText('Every minute')
  await page.getByTestId('schedule-toggle').click()
  await expect(page.getByTestId('schedule-status')).toHaveText('Disabled')

  // Its runs in history: only the schedule's, each tagged with its run number (as the API).
  // (Switched off first, so no new run lands between the page and the API's answer.)
  await page.goto(`/schedules/${scheduleId}`)
  await page.getByTestId('schedule-history').click()
  await expect(page).toHaveURL(`/history?schedule_id=${scheduleId}`)
  await expect(page.getByTestId('history-schedule-filter')).toBeVisible()
  const listed = (await api(
    request,
    token,
    'get',
    `/api/benchmarks?schedule_id=${scheduleId}`,
  )) as { items: { schedule: { run_number: number } | null }[] }
  expect(listed.items.length).toBeGreaterThanOrEqual(2)
  await expect(page.getByTestId('history-scheduled')).toHaveText(
    listed.items.map((run) => `Scheduled run #${run.schedule?.run_number}`),
  )
  await page.getByRole('button', { name: 'Clear the schedule filter' }).click()
  await expect(page).toHaveURL('/history')
  await expect(page.getByTestId('history-schedule-filter')).toHaveCount(0)
})

test('an eval schedule on a cron rule: suite and model from the editor', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const user = newUser('schedules-eval')
  await register(request, user)
  const token = await accessToken(request, user)
  const suite = (await api(request, token, 'post', '/api/suites/sample')) as { id: string }
  await signInQuietly(page, user)

  await page.goto('/schedules/new')
  await page.getByTestId('schedule-name-input').fill('Nightly tool calling')
  await page.getByTestId('kind-eval').check({ force: true })
  await expect(page.getByTestId('eval-suite')).toHaveValue(suite.id)
  await page.getByTestId('rule-cron').check({ force: true })
  await page.getByRole('button', { name: 'Every night at 02:00' }).click()
  await expect(page.getByTestId('cron-expression')).toHaveValue('0 2 * * *')
  await expect(page.getByTestId('cron-timezone')).toHaveValue(ZONE)
  // Nightly at 02:00 in Berlin: 01:00 UTC in winter.
  await expect(page.getByTestId('next-local').first()).toContainText('02:00 Europe/Berlin')
  await expect(page.getByTestId('next-utc').first()).toHaveText(/01:00 UTC$/)
  await expect(page.getByTestId('runs-per-month')).toHaveText(/^(29|30)$/)
  await page.getByTestId('save-schedule').click()
  await expect(page).toHaveURL(/\/schedules\/(?!new$)[^/]+$/)
  const scheduleId = page.url().split('/').pop() ?? ''
  await expect(page.getByRole('heading', { name: 'Nightly tool calling' })).toBeVisible()

  const saved = (await api(request, token, 'get', `/api/schedules/${scheduleId}`)) as {
    kind: string
    config: { suite_id: string; targets: { model_id: string }[] }
    timing: { rule: { cron: string; timezone: string } }
  }
  expect(saved.kind).toBe('eval')
  expect(saved.config.suite_id).toBe(suite.id)
  expect(saved.config.targets.map((t) => t.model_id)).toEqual(['benchstudio-sim'])
  expect(saved.timing.rule).toEqual({ kind: 'cron', cron: '0 2 * * *', timezone: ZONE })
  // An eval's metrics: error rate and score.
  const rules = page.getByTestId('alert-rules')
  await expect(rules.getByTestId('rule-on-score')).toBeVisible()
  await expect(rules.getByTestId('rule-on-ttft_p50')).toHaveCount(0)
})
