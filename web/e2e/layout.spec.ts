// Every page at phone widths (360–414 px) and on a desktop, with data present so the tables
// render: nothing wider than the viewport, a compact header, wide tables scrolling inside their
// own container with every row action reachable; axe finds nothing serious in either theme.
// Axe runs every rule at 1366 px in the light theme, the colour rules at 1366 px in the dark
// one (contrast depends on the theme, not the width), and the other rules at 390 px. Each page
// loads once and is resized and re-themed in place, as a rotated phone or a changed system
// theme would be. With LAYOUT_SCREENSHOTS=1, screenshots of every page in both themes at 1366
// and 390 px land in e2e/artifacts/layout-*.
import AxeBuilder from '@axe-core/playwright'
import type { APIRequestContext, Browser, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, ADMIN, signInQuietly } from './users'

interface PageCase {
  name: string
  path: string
  /** Public pages are visited signed out. */
  signedOut?: boolean
}

/** Narrowest first: each page loads at 360 px. */
const PHONE_WIDTHS = [360, 390, 414]
/** The phone width of axe and the screenshots. */
const PHONE = 390
const SCREENSHOTS = process.env.LAYOUT_SCREENSHOTS === '1'
const DESKTOP = 1366
/** The top bar at phone widths: one row of controls. */
const MAX_HEADER_HEIGHT = 64

const pages: PageCase[] = [
  { name: 'overview', path: '/' },
  { name: 'benchmark-new', path: '/benchmarks' },
  { name: 'history', path: '/history' },
  { name: 'tooleval', path: '/tool-eval' },
  { name: 'jobs', path: '/jobs' },
  { name: 'tuning', path: '/tuning' },
  { name: 'tuning-new', path: '/tuning/new' },
  { name: 'schedules', path: '/schedules' },
  { name: 'schedule-new', path: '/schedules/new' },
  { name: 'settings-providers', path: '/settings/providers' },
  { name: 'settings-models', path: '/settings/models' },
  { name: 'settings-keys', path: '/settings/keys' },
  { name: 'prompts', path: '/prompts' },
  { name: 'prompt-builtin', path: '/prompts/builtin-judge-verdict' },
  { name: 'settings-parameter-sets', path: '/settings/parameter-sets' },
  { name: 'settings-tokens', path: '/settings/tokens' },
  { name: 'settings-webhooks', path: '/settings/webhooks' },
  { name: 'notifications', path: '/notifications' },
  { name: 'settings-account', path: '/settings/account' },
  { name: 'admin-users', path: '/admin/users' },
  { name: 'admin-jobs', path: '/admin/jobs' },
  { name: 'admin-audit', path: '/admin/audit' },
  { name: 'admin-system', path: '/admin/system' },
  { name: 'welcome', path: '/welcome' },
  { name: 'not-found', path: '/no-such-page' },
  { name: 'sign-in', path: '/sign-in', signedOut: true },
  { name: 'sign-up', path: '/sign-up', signedOut: true },
  { name: 'forgot-password', path: '/forgot-password', signedOut: true },
  { name: 'reset-password', path: '/reset-password?token=not-a-real-token', signedOut: true },
]

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

interface Listed {
  items: { id: string; status: string; suite_id?: string }[]
}

/**
 * Two benchmark runs, a tool eval run, a template, a profile and a token for the admin. A test
 * that fails restarts the worker, and this hook with it: what an earlier round made is reused.
 */
async function createData(browser: Browser, request: APIRequestContext): Promise<void> {
  const token = await accessToken(request, ADMIN)
  const stamp = Date.now().toString(36)
  const runs = (
    (await api(request, token, 'get', '/api/benchmarks?limit=50')) as Listed
  ).items.filter((run) => run.status !== 'queued' && run.status !== 'running')
  const evals = ((await api(request, token, 'get', '/api/evals?limit=50')) as Listed).items.filter(
    (run) => run.status !== 'queued' && run.status !== 'running',
  )
  let [runA, runB] = runs.map((run) => run.id)
  let evalRun = evals[0]?.id
  let suiteId = evals[0]?.suite_id
  if (!runA || !runB || !evalRun || !suiteId) {
    await api(request, token, 'post', '/api/prompts', {
      kind: 'benchmark',
      name: `Layout template ${stamp}`,
      description: 'A template with a rather long description to see how the table copes with it',
      system_prompt: 'You are terse.',
      user_prompt: 'Summarise the plot of Hamlet in one long sentence.',
    })
    await api(request, token, 'post', '/api/parameter-sets', {
      name: `Layout profile ${stamp}`,
      description: 'Low temperature',
      params: { temperature: 0.2 },
    })
    await api(request, token, 'post', '/api/auth/tokens', {
      name: `layout-${stamp}`,
      scopes: ['read'],
    })
    await api(request, token, 'post', '/api/webhooks', {
      name: `Layout webhook with a fairly long name ${stamp}`,
      url: 'https://hooks.example.com/benchstudio/a/rather/long/path',
    })

    const context = await browser.newContext()
    const page = await context.newPage()
    await signInQuietly(page, ADMIN)
    for (const title of ['Layout run with a fairly long title', 'Layout run, again']) {
      await page.goto('/benchmarks')
      await expect(
        page.getByTestId('target-picker').locator('input[type=checkbox]:checked'),
      ).toHaveCount(1)
      await page.getByTestId('bench-title').fill(title)
      await page.getByTestId('runs').fill('3')
      await page.getByTestId('max-tokens').fill('32')
      await page.getByTestId('start-benchmark').click()
      await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
      await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
      runB = runA
      runA = page.url().split('/').pop() ?? ''
    }

    const suite = (await api(request, token, 'post', '/api/suites/sample')) as { id: string }
    suiteId = suite.id
    await page.goto(`/tool-eval/suites/${suite.id}`)
    await page.getByTestId('run-eval').click()
    await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
    await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
    evalRun = page.url().split('/').pop() ?? ''
    await context.close()
  }

  pages.push(
    { name: 'benchmark-run', path: `/benchmarks/${runA}` },
    { name: 'history-compare', path: `/history/compare?runs=${runA},${runB}` },
    { name: 'tooleval-suite', path: `/tool-eval/suites/${suiteId}` },
    { name: 'tooleval-run', path: `/tool-eval/runs/${evalRun}` },
    { name: 'tooleval-compare', path: `/tool-eval/compare?a=${evalRun}` },
    { name: 'tuning-run', path: `/tuning/runs/${await tunerRun(request, token, suiteId)}` },
    { name: 'schedule', path: `/schedules/${await schedule(request, token)}` },
  )
}

/** A daily benchmark schedule of the admin's, starting tomorrow (its page shows the next five
 * runs, an empty log and the alert rules). */
async function schedule(request: APIRequestContext, token: string): Promise<string> {
  const made = (await api(request, token, 'get', '/api/schedules')) as Listed
  if (made.items[0]) return made.items[0].id
  const providers = (await api(request, token, 'get', '/api/providers')) as {
    id: string
    is_demo: boolean
  }[]
  const demo = providers.find((p) => p.is_demo)
  const created = (await api(request, token, 'post', '/api/schedules', {
    name: 'Layout schedule with a fairly long name, every day',
    kind: 'benchmark',
    benchmark: {
      targets: [{ provider_id: demo?.id, model_id: 'benchstudio-sim' }],
      prompt: 'Say hello.',
      runs: 3,
    },
    timing: {
      rule: { kind: 'cron', cron: '0 9 * * MON-FRI', timezone: 'Europe/London' },
      starts_at: new Date(Date.now() + 86_400_000).toISOString(),
    },
  })) as { id: string }
  return created.id
}

/** A tuner run of the admin's (a small grid on the demo's tunable model); its page is checked
 * in whatever state it is in by then (running or finished). */
async function tunerRun(
  request: APIRequestContext,
  token: string,
  suiteId: string,
): Promise<string> {
  const made = (await api(request, token, 'get', '/api/tuning/runs')) as Listed
  if (made.items[0]) return made.items[0].id
  const providers = (await api(request, token, 'get', '/api/providers')) as {
    id: string
    is_demo: boolean
  }[]
  const demo = providers.find((p) => p.is_demo)
  const submitted = (await api(request, token, 'post', '/api/tuning/runs', {
    name: 'Layout tuner run with a fairly long name',
    suite_id: suiteId,
    target: { provider_id: demo?.id, model_id: 'benchstudio-sim-tunable' },
    space: {
      dimensions: [
        { kind: 'range', name: 'temperature', low: 0, high: 1, step: 0.5 },
        { kind: 'range', name: 'top_p', low: 0.5, high: 1, step: 0.5 },
      ],
    },
    strategy: { kind: 'grid' },
    stopping: { prune: false },
    concurrency: 1,
  })) as { run: { id: string } }
  return submitted.run.id
}

// Every page at four widths and in both themes, with axe: a few minutes.
test.describe.configure({ timeout: 600_000 })

test.beforeAll(async ({ browser, request }) => {
  // Two benchmark runs and an eval run: a hook's own timeout is the 30 s default otherwise.
  test.setTimeout(300_000)
  await createData(browser, request)
})

/**
 * Wait until a resize or theme change has been laid out: charts resize on the frame after
 * their ResizeObserver fires, the scroll-region marker on the frame after a resize, and colour
 * transitions (not the endless spinners) run to their end.
 */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (let frame = 0; frame < 3; frame += 1)
      await new Promise((resolve) => requestAnimationFrame(resolve))
    await Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation instanceof CSSTransition)
        .map((animation) => animation.finished.catch(() => undefined)),
    )
  })
}

async function resize(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: width === DESKTOP ? 860 : 800 })
  await settle(page)
}

async function open(page: Page, item: PageCase): Promise<void> {
  await page.goto(item.path)
  await expect(page.locator('main h1').first()).toBeVisible()
  // Lists load after the heading; wait for the app to go quiet.
  await page.waitForLoadState('networkidle')
  await settle(page)
}

async function checkFits(page: Page, item: PageCase, width: number): Promise<void> {
  const overflow = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    // The widest culprits, named in the failure message.
    culprits: Array.from(document.querySelectorAll<HTMLElement>('main *'))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((el) => {
        // Content of a scrolling box (a wide table) may be wider: it scrolls inside it.
        for (let up = el.parentElement; up; up = up.parentElement)
          if (getComputedStyle(up).overflowX !== 'visible') return false
        return true
      })
      .slice(0, 4)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 120)),
  }))
  expect
    .soft(
      overflow.scroll,
      `${item.path} at ${width}px is wider than the viewport: ${overflow.culprits.join(' | ')}`,
    )
    .toBeLessThanOrEqual(overflow.inner)
  if (!item.signedOut && width < 768) {
    const header = await page.getByRole('banner').first().boundingBox()
    expect
      .soft(header?.height ?? 0, `header height on ${item.path} at ${width}px`)
      .toBeLessThanOrEqual(MAX_HEADER_HEIGHT)
  }
  // A table wider than its page sits in a container that scrolls sideways (not one that clips).
  const clipped = await page.locator('main table').evaluateAll((tables) =>
    tables
      .filter((table) => {
        if (table.getBoundingClientRect().right <= window.innerWidth + 0.5) return false
        for (let node = table.parentElement; node; node = node.parentElement) {
          const overflowX = getComputedStyle(node).overflowX
          if (overflowX === 'auto' || overflowX === 'scroll') return false
        }
        return true
      })
      .map(
        (table) =>
          table.getAttribute('aria-label') ?? table.querySelector('th')?.textContent ?? 'table',
      ),
  )
  expect
    .soft(clipped, `tables on ${item.path} at ${width}px without a scroll container`)
    .toEqual([])
  // Every control in a table's first rows can be scrolled into view and clicked.
  const controls = page
    .locator('main table tbody tr:nth-child(-n+2)')
    .locator(
      'button:not([disabled]), a[href], input:not([disabled]):not([type=hidden]), select:not([disabled])',
    )
  const count = await controls.count()
  for (let index = 0; index < count; index += 1) {
    const control = controls.nth(index)
    if (!(await control.isVisible())) continue
    const label = `${(await control.getAttribute('aria-label')) ?? (await control.innerText()).trim()} on ${item.path} at ${width}px`
    const reachable = await control
      .scrollIntoViewIfNeeded({ timeout: 3_000 })
      .then(() => control.click({ trial: true, timeout: 3_000 }))
      .then(() => control.boundingBox())
      .catch(() => null)
    expect
      .soft(
        reachable !== null && reachable.x >= -0.5 && reachable.x + reachable.width <= width + 0.5,
        `${label} can be scrolled into view and clicked`,
      )
      .toBe(true)
  }
}

async function usingTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  // Reduced motion (the app's own rule): colour transitions end at once.
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' })
  await settle(page)
}

/**
 * Which of axe's rules a scan runs. The theme only changes colours (a class on the root), so
 * the dark theme needs only the colour rules; the layout at a phone width changes which
 * elements show and which tables scroll, not their colours, so it needs every other rule, and
 * the colour rules only for the chrome that shows on phones alone (the same on every page).
 */
type AxeScope = 'all' | 'colour' | 'all-but-colour'
const COLOUR_RULES = ['color-contrast', 'link-in-text-block']
/** Pages whose phone chrome (signed in and out) gets the colour rules at a phone width too. */
const PHONE_COLOUR_PAGES = new Set(['overview', 'sign-in'])

/** Axe's serious and critical findings on the page as it is now. */
async function axeFindings(
  page: Page,
  item: PageCase,
  width: number,
  theme: 'light' | 'dark',
  scope: AxeScope,
): Promise<string[]> {
  // axe.run in the page itself (no blank page per scan for axe.finishRun: the app has no
  // frames), reporting nodes only for violations: half the time of the default scan.
  let builder = new AxeBuilder({ page }).setLegacyMode().options({ resultTypes: ['violations'] })
  if (scope === 'colour') builder = builder.withRules(COLOUR_RULES)
  if (scope === 'all-but-colour') builder = builder.disableRules(COLOUR_RULES)
  const result = await builder.analyze()
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => {
      const where = violation.nodes
        .slice(0, 3)
        .map((node) => `${node.target.join(' ')} ${node.failureSummary?.split('\n')[1] ?? ''}`)
      return `${item.path} (${width}px, ${theme}): ${violation.id}: ${violation.help}\n    ${where.join('\n    ')}`
    })
}

// One load per page, then resized and re-themed in place (the layout follows media queries
// and the theme follows prefers-color-scheme live): the fit checks at every width, axe at a
// phone width and on the desktop in the light theme, and on the desktop in the dark one.
test('every page fits phone widths and the desktop, and axe finds nothing serious in either theme', async ({
  page,
  browser,
}) => {
  await signInQuietly(page, ADMIN)
  const guest = await (await browser.newContext()).newPage()
  const findings: string[] = []
  for (const item of pages) {
    const target = item.signedOut ? guest : page
    await usingTheme(target, 'light')
    await target.setViewportSize({ width: PHONE_WIDTHS[0] ?? PHONE, height: 800 })
    await open(target, item)
    for (const width of [...PHONE_WIDTHS, DESKTOP]) {
      await resize(target, width)
      await checkFits(target, item, width)
      if (width !== PHONE && width !== DESKTOP) continue
      const phoneScope = PHONE_COLOUR_PAGES.has(item.name) ? 'all' : 'all-but-colour'
      const scope = width === DESKTOP ? 'all' : phoneScope
      findings.push(...(await axeFindings(target, item, width, 'light', scope)))
      if (SCREENSHOTS) await saveScreenshot(target, `layout-${item.name}-${width}-light`)
      if (width === DESKTOP || SCREENSHOTS) {
        await usingTheme(target, 'dark')
        if (width === DESKTOP)
          findings.push(...(await axeFindings(target, item, width, 'dark', 'colour')))
        if (SCREENSHOTS) await saveScreenshot(target, `layout-${item.name}-${width}-dark`)
        await usingTheme(target, 'light')
      }
    }
  }
  await guest.context().close()
  expect(findings.join('\n')).toBe('')
})

test('the phone header opens the side navigation from a menu button', async ({ page }) => {
  await signInQuietly(page, ADMIN)
  await page.setViewportSize({ width: 390, height: 800 })
  await page.goto('/history')
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav).toBeHidden()
  // Any route update closes the menu: open it once the page has settled.
  await page.waitForLoadState('networkidle')
  await page.getByRole('button', { name: 'Open navigation' }).click()
  await expect(nav).toBeVisible()
  await nav.getByRole('link', { name: 'Jobs' }).click()
  await expect(page).toHaveURL('/jobs')
  await expect(nav).toBeHidden()
})
