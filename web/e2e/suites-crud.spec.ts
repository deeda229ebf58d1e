// Suites from scratch in the browser: a new blank suite, renamed; a suite file imported twice
// (the second time named as a duplicate, then imported as a copy on request); an eval run
// deleted from its page; a suite deleted from its header. Screenshots of each dialog.
import type { Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { newUser, register, signInQuietly } from './users'

test.use({ allowedConsoleErrors: [/status of 409/] })

const NOTES_SUITE = {
  name: 'Notes',
  tools: [
    {
      type: 'function',
      function: {
        name: 'add_note',
        description: 'Add a note.',
        parameters: {
          type: 'object',
          properties: { text: { type: 'string' } },
          required: ['text'],
        },
      },
    },
  ],
  cases: [
    {
      id: 'milk',
      prompt: 'Note: buy milk.',
      expected_calls: [{ name: 'add_note', arguments: { text: { acceptable: ['buy milk'] } } }],
    },
  ],
}

async function openToolEval(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Tool eval' })
    .click()
  await expect(page.getByRole('heading', { name: 'Tool eval', level: 1 })).toBeVisible()
}

async function importNotes(page: Page): Promise<void> {
  await page.getByTestId('import-own').setInputFiles({
    name: 'notes.suite.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(NOTES_SUITE)),
  })
}

test('suites: create blank, rename, import twice, delete a run, delete the suite', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000)
  const user = newUser('suites')
  await register(request, user)
  await signInQuietly(page, user)
  await page.goto('/')
  await openToolEval(page)

  // A blank suite, from the keyboard: the dialog opens on its name field, Enter creates it.
  await page.getByTestId('new-suite').click()
  const newDialog = page.getByRole('dialog', { name: 'New blank suite' })
  await expect(page.getByTestId('new-suite-name')).toBeFocused()
  await page.keyboard.type('Scratch tools')
  await page.getByTestId('new-suite-description').fill('Trying things out')
  await saveScreenshot(page, 'suites-new-dialog')
  await page.getByTestId('new-suite-name').press('Enter')
  await expect(newDialog).toBeHidden()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Scratch tools')
  await expect(page.getByText('Trying things out · version 1 · 0 tools · 0 cases')).toBeVisible()

  // Renamed from the header: a new version.
  await page.getByTestId('rename-suite').click()
  const nameField = page.getByTestId('rename-suite-name')
  await expect(nameField).toHaveValue('Scratch tools')
  await nameField.fill('Playground')
  await saveScreenshot(page, 'suites-rename-dialog')
  await nameField.press('Enter')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Playground')
  await expect(page.getByText('Trying things out · version 2 · 0 tools · 0 cases')).toBeVisible()

  // The same suite file twice: the second import names the first and stores nothing.
  await openToolEval(page)
  await importNotes(page)
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notes')
  const firstNotesUrl = page.url()
  await openToolEval(page)
  await expect(page.getByTestId('suite-row')).toHaveCount(2)
  await importNotes(page)
  const duplicate = page.getByRole('dialog', { name: 'Already imported' })
  await expect(duplicate.getByTestId('duplicate-import')).toContainText(
    'You imported this before: it is the suite Notes.',
  )
  await saveScreenshot(page, 'suites-duplicate-dialog')
  await expect(page.getByTestId('suite-row')).toHaveCount(2)
  await duplicate.getByTestId('open-existing').click()
  await expect(page).toHaveURL(firstNotesUrl)
  await openToolEval(page)
  await importNotes(page)
  await duplicate.getByTestId('import-copy').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  expect(page.url()).not.toBe(firstNotesUrl)
  await openToolEval(page)
  await expect(page.getByTestId('suite-row')).toHaveCount(3)

  // An eval run of the first Notes suite on the demo model, then deleted from its page.
  await page.goto(firstNotesUrl)
  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  // Reloaded until done: a one-case run can end before the page's live feed is subscribed.
  await expect(async () => {
    await page.reload()
    await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 3_000 })
  }).toPass({ timeout: 90_000 })
  await page.getByTestId('delete-eval-run').click()
  const deleteRun = page.getByRole('dialog', { name: /Delete this run of “Notes v1”/ })
  await expect(deleteRun).toContainText('The run and its 1 stored case result')
  await saveScreenshot(page, 'suites-delete-run-dialog')
  await deleteRun.getByTestId('confirm-button').click()
  await expect(page).toHaveURL(/\/tool-eval$/)
  await expect(page.getByTestId('eval-run-row')).toHaveCount(0)

  // The suite deleted from its header: the confirmation says what goes and what stays.
  await page.goto(firstNotesUrl)
  await page.getByTestId('delete-suite').click()
  const deleteSuite = page.getByRole('dialog', { name: 'Delete “Notes”?' })
  await expect(deleteSuite).toContainText('with its 1 version, 1 tool and 1 case')
  await expect(deleteSuite).toContainText('Finished eval runs of it stay in the history')
  await saveScreenshot(page, 'suites-delete-suite-dialog')
  await deleteSuite.getByTestId('confirm-button').click()
  await expect(page).toHaveURL(/\/tool-eval$/)
  await expect(page.getByTestId('suite-row')).toHaveCount(2)
  await expect(page.getByTestId('suite-row').filter({ hasText: 'Playground' })).toHaveCount(1)
  await saveScreenshot(page, 'suites-list-after')
})
