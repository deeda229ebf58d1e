// Results import in the browser: run a small benchmark, export it as JSON from its page,
// import that file from the History page, land on the imported run and find it in the history.
// A file that is not a results file is refused with the API's own message.
import { readFile } from 'node:fs/promises'

import { expect, saveScreenshot, test } from './fixtures'
import { newUser, register, signInQuietly } from './users'

test.use({ allowedConsoleErrors: [/status of (400|409)/] })

test('export a run as JSON → import it from the History page → see both runs', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000)
  const user = newUser('import')
  await register(request, user)
  await signInQuietly(page, user)

  // A small run on the demo simulator.
  await page.goto('/benchmarks')
  await expect(
    page.getByTestId('target-picker').locator('input[type=checkbox]:checked'),
  ).toHaveCount(1)
  await page.getByTestId('bench-title').fill('e2e run to export')
  await page.getByTestId('runs').fill('3')
  await page.getByTestId('max-tokens').fill('32')
  await page.getByTestId('start-benchmark').click()
  await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
  const originalUrl = page.url()

  // Export JSON downloads the run's results file.
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export JSON' }).click()
  const download = await downloading
  const exported = testInfo.outputPath('exported-run.json')
  await download.saveAs(exported)
  const document = JSON.parse(await readFile(exported, 'utf8')) as {
    schema: string
    run_id: string
    requests: unknown[]
  }
  expect(document.schema).toBe('benchstudio.bench/1')
  expect(document.requests.length).toBeGreaterThanOrEqual(3)

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'History' })
    .click()
  await expect(page.getByTestId('history-row')).toHaveCount(1)
  await page.getByTestId('import-results').click()
  const panel = page.getByTestId('import-panel')
  await expect(panel).toContainText('benchstudio bench --output')

  // A file of the wrong kind, dropped on the drop zone: refused with the server's reason.
  await page.getByTestId('import-dropzone').evaluate((zone) => {
    const transfer = new DataTransfer()
    transfer.items.add(
      new File(['{"schema": "not-ours"}'], 'other.json', { type: 'application/json' }),
    )
    zone.dispatchEvent(
      new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
    )
  })
  await expect(panel.getByTestId('error-notice')).toContainText(
    'Not a benchstudio.bench/1 results file.',
  )
  await saveScreenshot(page, 'import-refused')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForTimeout(400)
  await saveScreenshot(page, 'import-refused-dark')
  await page.emulateMedia({ colorScheme: 'light' })

  // The exported file, chosen with the file picker: the imported run opens.
  await page.getByTestId('import-file').setInputFiles(exported)
  await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
  expect(page.url()).not.toBe(originalUrl)
  // The imported run keeps the title it was exported with.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e run to export')
  await expect(page.getByTestId('run-summary').getByTestId('summary-row')).toHaveCount(1)
  await expect(page.getByTestId('toast').filter({ hasText: 'Results imported' })).toBeVisible()
  await saveScreenshot(page, 'import-run')

  // Both runs in the history, the imported one marked as such.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'History' })
    .click()
  const rows = page.getByTestId('history-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.filter({ hasText: 'benchstudio-sim · profile · import' })).toHaveCount(1)
  await expect(rows.filter({ hasText: 'e2e run to export' })).toHaveCount(2)
  await saveScreenshot(page, 'import-history')

  // The same file again: named as imported before, and imported only when asked.
  await page.getByTestId('import-results').click()
  await page.getByTestId('import-file').setInputFiles(exported)
  const notice = page.getByTestId('import-panel').getByTestId('duplicate-import')
  await expect(notice).toContainText('You imported this before: it is the run e2e run to export')
  await expect(page.getByTestId('import-panel').getByTestId('error-notice')).toHaveCount(0)
  await saveScreenshot(page, 'import-duplicate')
  await notice.getByTestId('import-copy').click()
  await expect(page).toHaveURL(/\/benchmarks\/[^/]+$/)
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'History' })
    .click()
  await expect(page.getByTestId('history-row')).toHaveCount(3)
})
