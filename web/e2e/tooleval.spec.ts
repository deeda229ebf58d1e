// Tool eval in the browser: add the sample suite, check the tools editor's validation, run it
// against the simulator with live per-case results, and drill into one case.
import { expect, saveScreenshot, test } from './fixtures'
import { newUser, register, signInQuietly } from './users'

test('tool eval: sample suite → run against the simulator → drill-down', async ({ page, request }) => {
  test.setTimeout(120_000)
  const user = newUser('evals')
  await register(request, user)
  await signInQuietly(page, user)

  await page.goto('/')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tool eval' }).click()
  await expect(page.getByTestId('empty-state')).toContainText('No suites yet')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  await expect(page.getByTestId('case-row').first()).toBeVisible()
  await expect(page.getByTestId('tools-check')).toContainText('valid tools')

  // The tools editor says what is wrong before anything is sent.
  const editor = page.getByTestId('tools-json')
  const original = await editor.inputValue()
  await editor.fill('[{"type": "function", "function": {"name": "has space"}}]')
  await expect(page.getByTestId('tools-check')).toContainText('function.name')
  await expect(page.getByTestId('save-tools')).toBeDisabled()
  await editor.fill(original)
  await saveScreenshot(page, 'tooleval-suite')

  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  await expect(page.getByTestId('eval-case-row').first()).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByTestId('model-summary')).toHaveCount(1)
  await saveScreenshot(page, 'tooleval-results')

  await page.getByTestId('eval-case-row').first().getByRole('button').click()
  const drill = page.getByTestId('case-drilldown')
  await expect(drill).toBeVisible()
  await expect(drill.getByTestId('expected-calls')).toBeVisible()
  await saveScreenshot(page, 'tooleval-drilldown')
})
