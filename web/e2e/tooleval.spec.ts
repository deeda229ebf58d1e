// Tool eval in the browser: the sample suite edited in place (tools as JSON and as a form, cases
// in the case editor), two runs on the demo simulator with live per-case results, a failed case's
// argument-level reasons, the compare page, run exports; imports from an own JSON file and from
// a real MCP server (started here), including the "server unreachable" error; suite versions
// (view, restore) and a suite export imported again.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import type { Download, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { E2E_PORT, newUser, register, signInQuietly } from './users'

const e2eDir = dirname(fileURLToPath(import.meta.url))
const python = process.env.BENCHSTUDIO_PYTHON ?? resolve(e2eDir, '../../.venv/bin/python')
const MCP_PORT = E2E_PORT + 2
const MCP_URL = `http://127.0.0.1:${MCP_PORT}/mcp`

async function openToolEval(page: Page): Promise<void> {
  await page.goto('/')
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Tool eval' })
    .click()
  await expect(page.getByRole('heading', { name: 'Tool eval' })).toBeVisible()
}

async function runOnDemo(page: Page): Promise<void> {
  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  // Rows arrive case by case while the job runs, then the summary settles.
  await expect(page.getByTestId('eval-case-row').first()).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByTestId('eval-case-row')).toHaveCount(8)
}

/** Click `button` and return the downloaded file's name and text. */
async function download(
  page: Page,
  testId: string,
): Promise<{ name: string; text: string; path: string }> {
  const [file]: [Download, void] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ])
  const path = await file.path()
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8'), path }
}

/** A one-tool, one-case suite file, imported from the Tool eval page (own JSON format). */
const CALENDAR_SUITE = {
  name: 'Calendar',
  tools: [
    {
      type: 'function',
      function: {
        name: 'add_event',
        description: 'Add an event.',
        parameters: {
          type: 'object',
          properties: { title: { type: 'string' } },
          required: ['title'],
        },
      },
    },
  ],
  cases: [
    {
      id: 'lunch',
      category: 'simple',
      prompt: 'Add lunch with Ada.',
      expected_calls: [
        { name: 'add_event', arguments: { title: { acceptable: ['Lunch with Ada'] } } },
      ],
    },
  ],
}

async function importCalendarSuite(page: Page): Promise<void> {
  await page.getByTestId('import-own').setInputFiles({
    name: 'calendar.suite.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(CALENDAR_SUITE)),
  })
}

/** The scorer's result codes (`toolcall.verdicts.ErrorCategory`): never shown raw. */
const RAW_CODE =
  /\b(api_error|bad_format|bad_json|unwanted_call|no_call|hallucinated_tool|wrong_tool|wrong_call_count|missing_argument|extra_argument|type_error|wrong_argument|wrong_order|too_many_rounds|incomplete_chain|unsourced_argument)\b/

function caseRow(page: Page, caseId: string) {
  return page.getByTestId('case-row').filter({ has: page.getByText(caseId, { exact: true }) })
}

test('tool eval: edit the sample suite, run it on the demo simulator, drill down and compare', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000)
  const user = newUser('evals')
  await register(request, user)
  await signInQuietly(page, user)

  await openToolEval(page)
  await expect(page.getByTestId('empty-state')).toContainText('No suites yet')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  await expect(page.getByTestId('case-row')).toHaveCount(8)
  await expect(page.getByTestId('tools-check')).toContainText('4 valid tools')

  // The JSON editor says what is wrong before anything is sent.
  const editor = page.getByTestId('tools-json')
  const original = await editor.inputValue()
  await editor.fill('[{"type": "function", "function": {"name": "has space"}}]')
  await expect(page.getByTestId('tools-check')).toContainText('function.name')
  await expect(page.getByTestId('save-tools')).toBeDisabled()
  await expect(page.getByTestId('tools-view-form')).toBeDisabled()
  await editor.fill(original)

  // The form edits the same tools: a change there shows up in the JSON, and problems are marked.
  await page.getByTestId('tools-view-form').click()
  await expect(page.getByTestId('form-tool')).toHaveCount(4)
  const weather = page.getByTestId('form-tool').first()
  await expect(weather.getByTestId('form-tool-name')).toHaveValue('get_weather')
  await expect(weather.getByTestId('form-param-enum').nth(1)).toHaveValue('celsius\nfahrenheit')
  await weather.getByTestId('form-add-param').click()
  await expect(weather.getByTestId('form-problem')).toHaveText('Give the parameter a name.')
  await expect(page.getByTestId('save-tools')).toBeDisabled()
  await weather.getByTestId('form-param-name').last().fill('country')
  await expect(page.getByTestId('tools-check')).toContainText('Unsaved changes')
  await saveScreenshot(page, 'tooleval-tools-form')
  await page.getByTestId('tools-view-json').click()
  await expect(editor).toHaveValue(/"country"/)
  await page.getByRole('button', { name: 'Discard changes' }).click()
  await expect(editor).not.toHaveValue(/"country"/)

  // Cases open in the case editor: Cancel keeps the case, Save writes a new version.
  const single = caseRow(page, 'weather-single')
  await single.getByRole('button', { name: 'Edit case weather-single' }).click()
  const prompt = page.getByTestId('case-prompt-input')
  await prompt.fill('Throw this away')
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(single.getByTestId('case-prompt')).toHaveText(
    "What's the weather like in Paris right now?",
  )
  await single.dblclick()
  await page
    .getByTestId('case-prompt-input')
    .fill("What's the weather like in Paris right now? One line, please.")
  await page.getByTestId('case-category').fill('simple')
  await page.getByTestId('save-case').click()
  await expect(caseRow(page, 'weather-single').getByTestId('case-prompt')).toHaveText(
    /One line, please\.$/,
  )
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
  await expect(page.locator('p', { hasText: '· version 2 ·' })).toBeVisible()

  // A new case is checked before it is sent, then added and removed again.
  await page.getByTestId('add-case').click()
  await page.getByTestId('case-expect-none').check()
  await page.getByTestId('save-case').click()
  await expect(page.getByTestId('case-problem-count')).toHaveText('1 problem to fix before saving')
  await expect(page.getByTestId('case-prompt-input')).toHaveAttribute('aria-invalid', 'true')
  await page.getByTestId('case-prompt-input').fill('Say hello.')
  await saveScreenshot(page, 'tooleval-case-editor')
  await page.getByTestId('save-case').click()
  await expect(page.getByTestId('case-row')).toHaveCount(9)
  await expect(caseRow(page, 'case-9').getByTestId('case-expected')).toHaveText('no tool call')
  await page.getByRole('button', { name: 'Remove case case-9' }).click()
  await expect(page.getByTestId('case-row')).toHaveCount(8)
  await saveScreenshot(page, 'tooleval-suite')

  // First run: the demo model passes 5 of 8, with three kinds of mistake.
  await runOnDemo(page)
  const summary = page.getByTestId('model-summary')
  await expect(summary).toHaveCount(1)
  await expect(summary).toContainText('5 of 8 cases passed')
  await saveScreenshot(page, 'tooleval-results')
  const firstRunUrl = page.url()

  // Exports download through the API with the session's token.
  const runJson = await download(page, 'export-run-json')
  expect(runJson.name).toMatch(/^eval-[^/]+\.json$/)
  const exported = JSON.parse(runJson.text) as {
    results: unknown[]
    summaries: Record<string, unknown>
    suite: { cases: unknown[] }
  }
  expect(exported.results).toHaveLength(8)
  expect(Object.keys(exported.summaries)).toHaveLength(1)
  expect(exported.suite.cases).toHaveLength(8)
  const runCsv = await download(page, 'export-run-csv')
  expect(runCsv.name).toMatch(/^eval-[^/]+\.csv$/)
  const csvLines = runCsv.text.trim().split(/\r?\n/)
  expect(csvLines[0]).toMatch(/^run_id,target,case_id,category,pass,/)
  expect(csvLines).toHaveLength(9)

  await page.getByLabel('Failed only').check()
  await expect(page.getByTestId('eval-case-row')).toHaveCount(3)
  await page
    .getByTestId('eval-case-row')
    .filter({ hasText: 'currency-tolerance' })
    .getByRole('button')
    .click()
  const drill = page.getByTestId('case-drilldown')
  await expect(drill).toBeVisible()
  await expect(drill.getByTestId('expected-calls')).toContainText('"USD"')
  await expect(drill.getByTestId('actual-calls')).toContainText('EUR')
  const fromCurrency = drill.getByTestId('argument-check').filter({ hasText: 'from_currency' })
  await expect(fromCurrency).toContainText('Wrong value')
  await expect(fromCurrency.getByTestId('argument-reason')).toHaveText(
    'Sent "EUR", but accepted: "USD".',
  )
  await expect(drill.getByTestId('argument-check').filter({ hasText: 'amount' })).toContainText(
    'Matches',
  )
  // Results read in words everywhere: no raw result code on the page (issue 17, bug 11).
  expect(await page.locator('main').innerText()).not.toMatch(RAW_CODE)
  await saveScreenshot(page, 'tooleval-drilldown')
  await page.emulateMedia({ colorScheme: 'dark' }) // the theme follows the system by default
  await saveScreenshot(page, 'tooleval-drilldown-dark')
  await page.emulateMedia({ colorScheme: 'light' })

  await page
    .getByTestId('eval-case-row')
    .filter({ hasText: 'weather-parallel' })
    .getByRole('button')
    .click()
  const missingUnit = drill.getByTestId('argument-check').filter({ hasText: 'missing' })
  await expect(missingUnit).toHaveCount(1)
  await expect(missingUnit.getByTestId('argument-reason')).toHaveText(
    'Not sent, but the case requires it (accepted: "fahrenheit").',
  )

  // Accept either direction for the currency case, run again: the compare page shows the gain.
  await page.getByRole('link', { name: 'Suite' }).click()
  await caseRow(page, 'currency-tolerance')
    .getByRole('button', { name: 'Edit case currency-tolerance' })
    .click()
  for (const [argument, extra] of [
    ['from_currency', 'EUR'],
    ['to_currency', 'USD'],
  ] as const) {
    const arg = page.locator(`[data-argument="${argument}"]`)
    await arg.getByTestId('add-accepted-value').click()
    await arg.getByTestId('value-input').last().fill(extra)
  }
  await page.getByTestId('save-case').click()
  await expect(page.getByTestId('case-editor')).toHaveCount(0)
  await runOnDemo(page)
  await expect(page.getByTestId('model-summary')).toContainText('6 of 8 cases passed')

  await page.getByTestId('compare-run').click()
  await expect(page).toHaveURL(/\/tool-eval\/compare\?a=/)
  await expect(page.getByTestId('empty-state')).toContainText('Pick something to compare it with')
  const firstRunId = firstRunUrl.split('/').pop() ?? ''
  await page.getByTestId('compare-run-b').selectOption(firstRunId)
  await expect(page.getByTestId('compare-summary')).toHaveCount(2)
  await expect(page.getByTestId('compare-summary').first()).toContainText('6 of 8')
  await expect(page.getByTestId('compare-summary').last()).toContainText('5 of 8')
  await expect(page.getByTestId('compare-verdict')).toContainText('-12.5 pts')
  await expect(page.getByTestId('compare-verdict')).toContainText('McNemar')
  const changed = page.getByTestId('compare-case')
  await expect(changed).toHaveCount(1)
  await expect(changed).toContainText('currency-tolerance')
  await expect(changed).toContainText('only A passed')
  expect(await page.locator('main').innerText()).not.toMatch(RAW_CODE)
  await saveScreenshot(page, 'tooleval-compare')
  await page.emulateMedia({ colorScheme: 'dark' })
  await saveScreenshot(page, 'tooleval-compare-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await page.getByTestId('only-differences').uncheck()
  await expect(changed).toHaveCount(8)

  // The history of runs links to the same page.
  await openToolEval(page)
  await expect(page.getByTestId('eval-run-row')).toHaveCount(2)
  await page.getByTestId('compare-pick').first().check()
  await page.getByTestId('compare-pick').last().check()
  await page.getByTestId('compare-selected').click()
  await expect(page.getByTestId('compare-summary')).toHaveCount(2)
})

test.describe('tool eval imports', () => {
  // The unreachable server answers 502 on purpose.
  test.use({ allowedConsoleErrors: [/status of 502/] })

  let mcpServer: ChildProcess | undefined

  test.beforeAll(async () => {
    mcpServer = spawn(python, [join(e2eDir, 'mcp_fixture_server.py'), String(MCP_PORT)], {
      stdio: 'ignore',
    })
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const open = await new Promise<boolean>((done) => {
        const socket = connect(MCP_PORT, '127.0.0.1', () => {
          socket.end()
          done(true)
        })
        socket.on('error', () => done(false))
      })
      if (open) return
      await new Promise((wait) => setTimeout(wait, 250))
    }
    throw new Error('the MCP fixture server did not start')
  })

  test.afterAll(() => {
    mcpServer?.kill('SIGTERM')
  })

  test('own JSON file and MCP server, with a readable error for an unreachable server', async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000)
    const user = newUser('evalimports')
    await register(request, user)
    await signInQuietly(page, user)
    await openToolEval(page)

    await importCalendarSuite(page)
    await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
    await expect(page.getByRole('heading', { name: 'Calendar' })).toBeVisible()
    await expect(page.getByTestId('case-row')).toHaveCount(1)

    await openToolEval(page)
    await page.getByTestId('import-mcp').click()
    const dialog = page.getByRole('dialog', { name: 'Import from an MCP server' })
    await expect(dialog.getByTestId('mcp-url')).toBeFocused()
    await dialog.getByTestId('mcp-url').fill('http://127.0.0.1:1/mcp')
    await dialog.getByTestId('mcp-url').press('Enter')
    await expect(dialog.getByTestId('mcp-error')).toContainText('Could not reach the MCP server', {
      timeout: 45_000,
    })
    await expect(dialog.getByTestId('mcp-create')).toBeDisabled()
    await saveScreenshot(page, 'tooleval-mcp-error')

    await dialog.getByTestId('mcp-url').fill(MCP_URL)
    await dialog.getByTestId('mcp-list').click()
    await expect(dialog.getByTestId('mcp-tool')).toHaveCount(3, { timeout: 30_000 })
    await expect(dialog.getByTestId('mcp-error')).toHaveCount(0)
    await expect(dialog.getByTestId('mcp-name')).toHaveValue('trip-planner')
    await dialog.getByRole('checkbox', { name: /cancel_booking/ }).uncheck()
    await expect(dialog.getByTestId('mcp-create')).toHaveText('Create suite with 2 tools')
    await saveScreenshot(page, 'tooleval-mcp-tools')
    await dialog.getByTestId('mcp-create').click()

    await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
    await expect(page.getByRole('heading', { name: 'trip-planner' })).toBeVisible()
    await expect(page.getByTestId('tools-check')).toContainText('2 valid tools')
    await expect(page.getByTestId('case-row')).toHaveCount(2)
    await page.getByTestId('tools-view-form').click()
    await expect(page.getByTestId('form-tool-name').first()).toHaveValue('get_forecast')
    await expect(page.getByTestId('form-tool-name').last()).toHaveValue('find_hotels')
    await saveScreenshot(page, 'tooleval-mcp-suite')
  })
})

test.describe('suite versions', () => {
  // The re-import is of content imported before: a 409 names it, then a copy is asked for.
  test.use({ allowedConsoleErrors: [/status of 409/] })

  test('suite versions: view an old one, restore it, export the suite and import it again', async ({
    page,
    request,
  }) => {
    test.setTimeout(90_000)
    const user = newUser('evalversions')
    await register(request, user)
    await signInQuietly(page, user)
    await openToolEval(page)

    await importCalendarSuite(page)
    await expect(page.getByRole('heading', { name: 'Calendar' })).toBeVisible()
    const versionsTab = page.getByTestId('suite-tab-versions')
    await versionsTab.click()
    await expect(versionsTab).toHaveAttribute('aria-selected', 'true')
    // The tab is in the URL (a reload or a shared link opens it) and focus stays on it.
    await expect(page).toHaveURL(/\?tab=versions$/)
    await expect(versionsTab).toBeFocused()
    await page.reload()
    await expect(versionsTab).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByTestId('version-item')).toHaveCount(1)
    await expect(page.getByTestId('version-hint')).toContainText('only its first version')

    // An edit makes version 2; version 1 stays viewable, read-only.
    await page.getByTestId('suite-tab-suite').click()
    await expect(page).not.toHaveURL(/tab=/)
    await caseRow(page, 'lunch').getByRole('button', { name: 'Edit case lunch' }).click()
    await page.getByTestId('case-prompt-input').fill('Add lunch with Ada on Friday.')
    await page.getByTestId('save-case').click()
    await expect(caseRow(page, 'lunch').getByTestId('case-prompt')).toHaveText(
      'Add lunch with Ada on Friday.',
    )
    await versionsTab.click()
    const items = page.getByTestId('version-item')
    await expect(items).toHaveCount(2)
    await expect(items.first()).toContainText('Version 2')
    await expect(items.first()).toContainText('current')
    await expect(items.last()).toContainText('Created (own)')
    await items.last().click()
    await expect(page.getByTestId('version-title')).toHaveText('Version 1 · Calendar')
    await expect(page.getByTestId('version-title')).toBeFocused()
    await expect(page.getByTestId('version-case-prompt')).toHaveText('Add lunch with Ada.')
    await expect(page.getByTestId('version-tool')).toContainText('add_event')
    await expect(page.getByTestId('version-changes')).toContainText('1 case changed')
    await saveScreenshot(page, 'tooleval-versions')
    await page.emulateMedia({ colorScheme: 'dark' })
    await saveScreenshot(page, 'tooleval-versions-dark')
    await page.emulateMedia({ colorScheme: 'light' })

    // The tabs follow the arrow keys.
    await versionsTab.focus()
    await versionsTab.press('ArrowLeft')
    await expect(page.getByTestId('suite-tab-suite')).toBeFocused()
    await expect(page.getByTestId('suite-tab-suite')).toHaveAttribute('aria-selected', 'true')
    await page.getByTestId('suite-tab-suite').press('End')
    await expect(versionsTab).toHaveAttribute('aria-selected', 'true')

    // Restoring asks first, then saves version 1's content as version 3.
    await items.last().click()
    await page.getByTestId('restore-version').click()
    const dialog = page.getByRole('dialog', { name: 'Restore version 1?' })
    await expect(dialog).toContainText('saved as version 3')
    await saveScreenshot(page, 'tooleval-versions-restore')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await expect(dialog).toHaveCount(0)
    await expect(items).toHaveCount(2)
    await page.getByTestId('restore-version').click()
    await page.getByTestId('confirm-restore').click()
    await expect(page.getByTestId('version-notice')).toHaveText(
      'Version 1 restored: it is now version 3.',
    )
    await expect(items).toHaveCount(3)
    await expect(items.first()).toContainText('Restored version 1')
    await expect(page.getByTestId('version-title')).toHaveText('Version 3 · Calendar')
    await page.getByTestId('suite-tab-suite').click()
    await expect(caseRow(page, 'lunch').getByTestId('case-prompt')).toHaveText(
      'Add lunch with Ada.',
    )
    await expect(page.locator('p', { hasText: '· version 3 ·' })).toBeVisible()

    // The export is a suite file the own-JSON import takes again, unchanged.
    const exported = await download(page, 'export-suite')
    expect(exported.name).toBe('calendar.v3.suite.json')
    const parsed = JSON.parse(exported.text) as {
      name: string
      tools: { type: string; function: unknown }[]
      cases: { id: string; prompt: string }[]
    }
    expect(parsed.name).toBe('Calendar')
    // Tools keep the OpenAI shape: `"type": "function"` is always written.
    expect(parsed.tools).toEqual(CALENDAR_SUITE.tools)
    expect(parsed.cases.map((c) => [c.id, c.prompt])).toEqual([['lunch', 'Add lunch with Ada.']])
    await openToolEval(page)
    await page.getByTestId('import-own').setInputFiles({
      name: exported.name,
      mimeType: 'application/json',
      buffer: Buffer.from(exported.text),
    })
    // The same content as the suite it came from (name and version aside): named, not stored.
    const duplicate = page.getByRole('dialog', { name: 'Already imported' })
    await expect(duplicate).toContainText('You imported this before: it is the suite Calendar.')
    await duplicate.getByTestId('import-copy').click()
    await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
    await expect(page.getByRole('heading', { name: 'Calendar' })).toBeVisible()
    await expect(page.locator('p', { hasText: '· version 1 ·' })).toBeVisible()
    await expect(page.getByTestId('tools-check')).toContainText('1 valid tools')
    await expect(caseRow(page, 'lunch').getByTestId('case-prompt')).toHaveText(
      'Add lunch with Ada.',
    )
    const reexported = await download(page, 'export-suite')
    // Only the version number differs (the file leaves out version 1, the default).
    const withoutVersion = (suite: object) =>
      Object.fromEntries(Object.entries(suite).filter(([key]) => key !== 'version'))
    expect(withoutVersion(JSON.parse(reexported.text) as object)).toEqual(withoutVersion(parsed))
  })
})
