// Issue 18 in the browser: the eval run form sends what it shows (tool_choice, system prompt,
// sampling, concurrency, timeout) and the run stores exactly that; MCP-drafted placeholders
// need an explicit "run anyway"; a multi-turn case reads as a conversation, round by round.
import { join } from 'node:path'

import type { APIRequestContext, Locator, Page } from '@playwright/test'

import { ARTIFACTS_DIR, expect, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

interface Api {
  get(path: string): Promise<unknown>
  put(path: string, data: unknown): Promise<unknown>
}

/** Just the part under test: a full-page shot puts the sticky header over the form. */
async function shoot(part: Locator, name: string): Promise<void> {
  await part.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) })
}

async function signedIn(page: Page, request: APIRequestContext, label: string): Promise<Api> {
  const user = newUser(label)
  await register(request, user)
  await signInQuietly(page, user)
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  return {
    get: async (path) => {
      const response = await request.get(path, { headers })
      expect(response.status(), path).toBe(200)
      return (await response.json()) as unknown
    },
    put: async (path, data) => {
      const response = await request.put(path, { headers, data })
      expect(response.status(), path).toBe(200)
      return (await response.json()) as unknown
    },
  }
}

async function newSampleSuite(page: Page): Promise<string> {
  await page.goto('/tool-eval')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  await expect(page.getByTestId('case-row')).toHaveCount(8)
  return page.url().split('/').pop() ?? ''
}

async function runIdAfterSubmit(page: Page): Promise<string> {
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/, { timeout: 30_000 })
  return page.url().split('/').pop() ?? ''
}

test('the run form sends every setting and the run stores exactly those', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000)
  const api = await signedIn(page, request, 'runform')
  await newSampleSuite(page)
  const form = page.getByTestId('eval-run-form')

  await form.getByTestId('run-tool-choice').selectOption('required')
  await form.getByLabel('System prompt').fill('Always answer with a tool call.')
  await expect(form.getByText("This prompt replaces the suite's own system prompt")).toBeVisible()
  await form.getByLabel('Temperature').fill('3')
  // The advanced section opens from the keyboard: focus its summary and press Enter.
  await form.getByTestId('run-advanced-summary').focus()
  await page.keyboard.press('Enter')
  await expect(form.getByLabel('Concurrency')).toBeVisible()
  await form.getByLabel('Concurrency').fill('2')
  await form.getByLabel('Timeout (s)').fill('45')
  await form.getByLabel('Top-p').fill('0.9')
  await page.getByTestId('run-eval').click()
  // A bad value is refused at its field before anything is sent.
  await expect(form.getByTestId('field-error')).toHaveText('Temperature must be between 0 and 2.')
  await expect(page).toHaveURL(/\/tool-eval\/suites\//)
  await form.getByLabel('Temperature').fill('0.3')
  await expect(form.getByTestId('field-error')).toHaveCount(0)
  await expect(form.getByText('Fix the highlighted fields first.')).toHaveCount(0)
  await expect(form.getByText('(3 changed)')).toBeVisible()
  await shoot(form, 'evals-run-form')
  await page.getByTestId('run-eval').click()

  const runId = await runIdAfterSubmit(page)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  const detail = (await api.get(`/api/evals/${runId}`)) as { settings: Record<string, unknown> }
  expect(detail.settings).toEqual({
    temperature: 0.3,
    max_tokens: null,
    tool_choice: 'required',
    system_prompt: 'Always answer with a tool call.',
    params: { top_p: 0.9 },
    concurrency: 2,
    timeout_s: 45,
  })
  const cases = (await api.get(`/api/evals/${runId}/cases?limit=50`)) as {
    items: { id: string }[]
  }
  const first = (await api.get(`/api/evals/${runId}/cases/${cases.items[0]?.id}`)) as {
    exchanges: { request: Record<string, unknown> }[]
  }
  const sent = first.exchanges[0]?.request ?? {}
  expect(sent.tool_choice).toBe('required')
  expect(sent.temperature).toBe(0.3)
  expect((sent.messages as { role: string; content: string }[])[0]).toEqual({
    role: 'system',
    content: 'Always answer with a tool call.',
  })
})

test('an older suite version and a per-model override are stored as entered', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000)
  const api = await signedIn(page, request, 'override')
  const suiteId = await newSampleSuite(page)
  // Version 2 keeps only the first two cases; the run picks version 1 (all eight).
  const detail = (await api.get(`/api/suites/${suiteId}`)) as {
    suite: { cases: unknown[] }
  }
  detail.suite.cases = detail.suite.cases.slice(0, 2)
  await api.put(`/api/suites/${suiteId}`, detail.suite)
  await page.reload()
  const form = page.getByTestId('eval-run-form')
  const version = form.getByLabel('Suite version')
  await expect(version.locator('option')).toHaveText([
    'Current: version 2 · 2 cases',
    'Version 1 · 8 cases',
  ])
  await version.selectOption({ label: 'Version 1 · 8 cases' })
  await form.getByTestId('run-temperature').fill('0')

  // The override opens from the keyboard: focus its switch and press Space.
  const override = form.getByTestId('run-override').first()
  await expect(override.getByTestId('override-temperature')).toHaveCount(0)
  await override.getByTestId('run-override-toggle').focus()
  await page.keyboard.press('Space')
  await override.getByLabel('System prompt').fill('Only this model reads this.')
  await override.getByLabel('Temperature').fill('0.7')
  await override.getByLabel('Max tokens').fill('300')
  await override.getByLabel('Seed').fill('11')
  await override.getByLabel('Top-p').fill('1.5')
  await page.getByTestId('run-eval').click()
  await expect(override.getByTestId('field-error')).toHaveText('Top-p must be between 0 and 1.')
  await override.getByLabel('Top-p').fill('0.8')
  await expect(form.getByTestId('field-error')).toHaveCount(0)
  await shoot(form, 'evals-run-form-override')
  await page.getByTestId('run-eval').click()

  const runId = await runIdAfterSubmit(page)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  const run = (await api.get(`/api/evals/${runId}`)) as {
    suite_version: number
    total_cases: number
    settings: Record<string, unknown>
  }
  expect(run.suite_version).toBe(1)
  expect(run.total_cases).toBe(8)
  expect(run.settings.temperature).toBe(0)
  const exported = (await api.get(`/api/evals/${runId}/export?format=json`)) as {
    targets: { system_prompt: string | null; params: Record<string, unknown> }[]
  }
  expect(exported.targets.map((t) => [t.system_prompt, t.params])).toEqual([
    ['Only this model reads this.', { temperature: 0.7, top_p: 0.8, max_tokens: 300, seed: 11 }],
  ])
  // The model's own values won over the run's temperature in what was sent.
  const cases = (await api.get(`/api/evals/${runId}/cases?limit=50`)) as {
    items: { id: string }[]
  }
  const first = (await api.get(`/api/evals/${runId}/cases/${cases.items[0]?.id}`)) as {
    exchanges: { request: Record<string, unknown> }[]
  }
  const sent = first.exchanges[0]?.request ?? {}
  expect([sent.temperature, sent.max_tokens]).toEqual([0.7, 300])
  expect((sent.messages as { role: string; content: string }[])[0]).toEqual({
    role: 'system',
    content: 'Only this model reads this.',
  })
})

test('cases holding <your value> placeholders need a confirmation to run', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000)
  const api = await signedIn(page, request, 'placeholder')
  const suiteId = await newSampleSuite(page)
  const detail = (await api.get(`/api/suites/${suiteId}`)) as {
    suite: { cases: { id: string; prompt?: string | null }[] }
  }
  const [first, second] = detail.suite.cases
  if (!first || !second) throw new Error('the sample suite has cases')
  first.prompt = 'Use get_weather with city = <your value>.'
  second.prompt = 'Use get_weather with city = <your value>, unit = <your value>.'
  await api.put(`/api/suites/${suiteId}`, detail.suite)
  await page.reload()

  const warning = page.getByTestId('placeholder-warning')
  await expect(warning).toContainText(
    `2 cases still hold <your value> placeholders: ${first.id}, ${second.id}.`,
  )
  await expect(warning.getByTestId('placeholder-case')).toHaveCount(2)
  await expect(page.getByTestId('run-eval')).toBeDisabled()
  await shoot(page.getByTestId('eval-run-form'), 'evals-run-form-placeholders')
  await warning.getByLabel('Run anyway with the placeholders').check()
  await expect(page.getByTestId('run-eval')).toBeEnabled()
  await page.getByTestId('run-eval').click()
  await runIdAfterSubmit(page)
})

test('a multi-turn case reads as a conversation, round by round', async ({ page, request }) => {
  test.setTimeout(180_000)
  await signedIn(page, request, 'transcript')
  await newSampleSuite(page)
  await page.getByTestId('run-eval').click()
  await runIdAfterSubmit(page)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await page
    .getByTestId('eval-case-row')
    .filter({ hasText: 'chain-search-then-book' })
    .getByRole('button')
    .first()
    .click()
  const transcript = page.getByTestId('case-transcript')
  await expect(transcript).toBeVisible()
  await expect(transcript.getByTestId('transcript-opening')).toContainText(['Oslo'])
  await expect(transcript.getByTestId('transcript-rounds')).toHaveText(
    '2 tool-calling rounds of at most 4',
  )
  const calls = transcript.getByTestId('transcript-call')
  await expect(calls).toHaveCount(2)
  await expect(calls.nth(0)).toContainText('search_flights')
  await expect(calls.nth(0).getByTestId('transcript-mock')).toHaveText(
    'Mock #1: its when_arguments {"origin":"OSL"} matched',
  )
  await expect(calls.nth(0).getByTestId('transcript-result')).toContainText('SK4711')
  await expect(calls.nth(0).getByTestId('transcript-pairing')).toHaveText(
    'Expected #1 (search_flights): matches',
  )
  await expect(calls.nth(1)).toContainText('book_flight')
  await expect(calls.nth(1).getByTestId('transcript-mock')).toHaveText(
    'Mock #3 for book_flight (no when_arguments: any call)',
  )
  await expect(calls.nth(1).getByTestId('transcript-result')).toContainText('BS-0001')
  await expect(transcript.getByTestId('transcript-final')).not.toBeEmpty()
  await expect(page.getByTestId('call-check').first()).toContainText('expected #1 ↔ model call #1')
  await shoot(transcript, 'evals-transcript')
})
