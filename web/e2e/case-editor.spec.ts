// The case editor in the browser: on a copy of the sample suite, a single-turn case with a fuzzy
// string argument and a numeric argument with a tolerance, and a multi-turn case with two rounds
// and a conditional mock response, are entered with controls only; after a reload the API holds
// exactly what was entered, and a run on the demo model scores both.
import type { Locator, Page } from '@playwright/test'

import { join } from 'node:path'

import { ARTIFACTS_DIR, expect, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

const ARG_DEFAULTS = {
  objects: [],
  item_lists: [],
  omittable: false,
  match: null,
  fuzzy_threshold: null,
  numeric_tolerance: null,
}

const SINGLE_TURN = {
  id: 'convert-fuzzy',
  category: 'tolerance',
  prompt: 'How much is 25.5 euros in US dollars?',
  messages: null,
  tools: null,
  expected_calls: [
    {
      name: 'convert_currency',
      arguments: {
        amount: { ...ARG_DEFAULTS, acceptable: [25.5], numeric_tolerance: 0.01 },
        from_currency: {
          ...ARG_DEFAULTS,
          acceptable: ['EUR'],
          match: 'fuzzy',
          fuzzy_threshold: 0.8,
        },
        to_currency: { ...ARG_DEFAULTS, acceptable: ['USD'] },
      },
      sourced_arguments: [],
    },
  ],
  order: 'unordered',
  should_call_tool: null,
  multi_turn: null,
}

const MULTI_TURN = {
  id: 'chain-two-rounds',
  category: 'multi_turn',
  prompt: null,
  messages: [
    {
      role: 'user',
      content: 'Find a flight from Oslo (OSL) to Rome (FCO) on 2026-05-02 and book it for Grace.',
    },
  ],
  tools: null,
  expected_calls: [
    {
      name: 'search_flights',
      arguments: {
        origin: { ...ARG_DEFAULTS, acceptable: ['OSL'] },
        destination: { ...ARG_DEFAULTS, acceptable: ['FCO'] },
        date: { ...ARG_DEFAULTS, acceptable: ['2026-05-02'] },
      },
      sourced_arguments: [],
    },
    {
      name: 'book_flight',
      arguments: {
        flight_id: { ...ARG_DEFAULTS, acceptable: ['SK4711'] },
        traveller: { ...ARG_DEFAULTS, acceptable: [], match: 'present' },
      },
      sourced_arguments: [
        { argument: 'flight_id', from_tool: 'search_flights', path: ['flights', 0, 'id'] },
      ],
    },
  ],
  order: 'ordered',
  should_call_tool: null,
  multi_turn: {
    max_rounds: 4,
    optimal_hops: 2,
    mock_responses: [
      {
        tool: 'search_flights',
        when_arguments: { origin: 'OSL' },
        result: { flights: [{ id: 'SK4711' }] },
      },
      { tool: 'book_flight', when_arguments: null, result: { status: 'confirmed' } },
    ],
    default_response: { status: 'ok' },
  },
}

/** The open dialog alone, on a tall viewport so most of the editor shows. */
async function shootEditor(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 2000 })
  await page.locator('dialog[open]').screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) })
  await page.setViewportSize({ width: 1366, height: 860 })
}

function argument(call: Locator, name: string): Locator {
  return call.locator(`[data-argument="${name}"]`)
}

async function setValue(arg: Locator, text: string): Promise<void> {
  await arg.getByTestId('value-input').first().fill(text)
}

async function addSingleTurnCase(page: Page): Promise<void> {
  await page.getByTestId('add-case').click()
  const editor = page.getByTestId('case-editor')
  await expect(editor).toBeVisible()
  await editor.getByTestId('case-id').fill(SINGLE_TURN.id)
  await editor.getByTestId('case-category').fill(SINGLE_TURN.category)
  await editor.getByTestId('case-prompt-input').fill(SINGLE_TURN.prompt)
  await editor.getByTestId('add-expected-call').click()
  const call = editor.getByTestId('expected-call')
  await call.getByTestId('call-tool').selectOption('convert_currency')
  // Picking the tool lists its required arguments, typed by the schema.
  await expect(call.getByTestId('argument-editor')).toHaveCount(3)
  const amount = argument(call, 'amount')
  await expect(amount.getByTestId('value-kind')).toHaveValue('number')
  await setValue(amount, '25.5')
  await amount.getByTestId('argument-numeric-tolerance').fill('0.01')
  const from = argument(call, 'from_currency')
  await setValue(from, 'EUR')
  await from.getByTestId('argument-match').selectOption('fuzzy')
  await from.getByTestId('argument-fuzzy-threshold').fill('1.8')
  await from.getByTestId('argument-fuzzy-threshold').press('Tab')
  // Checked as typed, at the control.
  await expect(from.getByText('Enter a similarity between 0 and 1, e.g. 0.85.')).toBeVisible()
  await from.getByTestId('argument-fuzzy-threshold').fill('0.8')
  await expect(from.getByText('Enter a similarity between 0 and 1, e.g. 0.85.')).toHaveCount(0)
  await setValue(argument(call, 'to_currency'), 'USD')
  await argument(call, 'to_currency').getByTestId('argument-match').selectOption('exact')
  await argument(call, 'to_currency').getByTestId('argument-match').selectOption('')
  await shootEditor(page, 'case-editor-single-turn')
  await page.getByTestId('save-case').click()
  await expect(editor).toHaveCount(0)
}

async function addMultiTurnCase(page: Page): Promise<void> {
  await page.getByTestId('add-case').click()
  const editor = page.getByTestId('case-editor')
  await editor.getByTestId('case-id').fill(MULTI_TURN.id)
  await editor.getByTestId('case-category').fill(MULTI_TURN.category)
  await editor.getByTestId('case-input-messages').check()
  await editor.getByTestId('message-content').fill(MULTI_TURN.messages[0]!.content)
  await editor.getByTestId('case-multi-turn').check()

  await editor.getByTestId('add-expected-call').click()
  const search = editor.getByTestId('expected-call').nth(0)
  await search.getByTestId('call-tool').selectOption('search_flights')
  await setValue(argument(search, 'origin'), 'OSL')
  await setValue(argument(search, 'destination'), 'FCO')
  await setValue(argument(search, 'date'), '2026-05-02')

  await editor.getByTestId('add-expected-call').click()
  const book = editor.getByTestId('expected-call').nth(1)
  await book.getByTestId('call-tool').selectOption('book_flight')
  await setValue(argument(book, 'flight_id'), 'SK4711')
  const traveller = argument(book, 'traveller')
  await traveller.getByTestId('argument-match').selectOption('present')
  await book.getByRole('button', { name: 'Take an argument from a result' }).click()
  const source = book.getByTestId('sourced-argument')
  await source.getByLabel('Sourced argument 1: argument').selectOption('flight_id')
  await source.getByLabel('Sourced argument 1: from the result of').selectOption('search_flights')
  await source.getByLabel('Sourced argument 1: path in the result').fill('flights[0].id')
  await editor.getByTestId('case-order').selectOption('ordered')

  await editor.getByTestId('case-max-rounds').fill('4')
  await editor.getByTestId('case-optimal-hops').fill('2')
  await editor.getByTestId('add-mock').click()
  const first = editor.getByTestId('mock-response').nth(0)
  await first.getByTestId('mock-tool').selectOption('search_flights')
  await first.getByTestId('mock-conditional').check()
  await first.getByTestId('add-mock-condition').click()
  await expect(first.getByTestId('mock-condition-name')).toHaveValue('origin')
  await first.getByTestId('mock-condition').getByTestId('value-input').fill('OSL')
  await first.getByTestId('mock-result').fill('{"flights": [{"id": "SK4711"}]}')
  await editor.getByTestId('add-mock').click()
  const second = editor.getByTestId('mock-response').nth(1)
  await second.getByTestId('mock-tool').selectOption('book_flight')
  await second.getByTestId('mock-result').fill('{"status": "confirmed"}')
  await shootEditor(page, 'case-editor-multi-turn')
  await page.getByTestId('save-case').click()
  await expect(editor).toHaveCount(0)
}

test('case editor: enter cases with controls, store them exactly, score them on the demo', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000)
  const user = newUser('cases')
  await register(request, user)
  await signInQuietly(page, user)
  await page.goto('/tool-eval')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  const suiteId = page.url().split('/').at(-1)!
  await expect(page.getByTestId('case-row')).toHaveCount(8)

  // Saving an empty new case is refused at its controls, before anything is sent.
  await page.getByTestId('add-case').click()
  await page.getByTestId('save-case').click()
  await expect(page.getByTestId('case-problem-count')).toHaveText('2 problems to fix before saving')
  await expect(page.getByTestId('case-prompt-input')).toHaveAttribute('aria-invalid', 'true')
  await page.getByRole('button', { name: 'Cancel' }).click()

  await addSingleTurnCase(page)
  await addMultiTurnCase(page)
  await page.reload()
  await expect(page.getByTestId('case-row')).toHaveCount(10)
  const row = page.getByTestId('case-row').filter({ hasText: MULTI_TURN.id })
  await expect(row.getByTestId('case-expected')).toHaveText('search_flights, book_flight')

  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  const stored = await request.get(`/api/suites/${suiteId}`, { headers })
  expect(stored.status()).toBe(200)
  const cases = ((await stored.json()) as { suite: { cases: { id: string }[] } }).suite.cases
  expect(cases.find((c) => c.id === SINGLE_TURN.id)).toEqual(SINGLE_TURN)
  expect(cases.find((c) => c.id === MULTI_TURN.id)).toEqual(MULTI_TURN)

  // Opening a stored case shows what was entered; closing unchanged sends nothing new.
  await page.getByRole('button', { name: `Edit case ${MULTI_TURN.id}` }).click()
  const editor = page.getByTestId('case-editor')
  await expect(editor.getByTestId('mock-condition').getByTestId('value-input')).toHaveValue('OSL')
  await expect(editor.getByTestId('case-optimal-hops')).toHaveValue('2')
  await shootEditor(page, 'case-editor-reopened')
  await page.getByRole('button', { name: 'Cancel' }).click()

  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByTestId('eval-case-row')).toHaveCount(10)
  for (const id of [SINGLE_TURN.id, MULTI_TURN.id]) {
    const result = page
      .getByTestId('eval-case-row')
      .filter({ hasText: id })
      .getByTestId('eval-case-result')
    await expect(result).toHaveText(/\S/)
  }
  await expect(page.getByTestId('model-summary')).toContainText('of 10 cases passed')
})
