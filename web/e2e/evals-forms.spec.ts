// Issue 17 in the browser, evals and forms: an ad-hoc model id runs an eval as it runs a
// benchmark (bug 2); the tools form keeps a `float | None` schema as it is when only its
// description changes (bug 9); a prompt template without a user prompt is refused at the field,
// with the message shown once (bug 8).
import type { Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { newUser, register, signInQuietly } from './users'

async function newSampleSuite(page: Page): Promise<void> {
  await page.goto('/tool-eval')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)
  await expect(page.getByTestId('case-row')).toHaveCount(8)
}

test('an ad-hoc model id runs an eval and is kept with the run', async ({ page, request }) => {
  test.setTimeout(180_000)
  const user = newUser('adhoc')
  await register(request, user)
  await signInQuietly(page, user)
  await newSampleSuite(page)

  const run = page.getByRole('region', { name: 'Run this suite' })
  await run.locator('select').first().selectOption({ index: 1 })
  await run.getByPlaceholder('e.g. gpt-4o-mini').fill('sim-adhoc-1')
  await run.getByRole('button', { name: 'Add' }).click()
  await run.getByTestId('target-benchstudio-sim').locator('input').uncheck()
  await page.getByTestId('run-eval').click()

  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByTestId('model-summary')).toHaveCount(1)
  await expect(page.getByTestId('model-summary')).toContainText('sim-adhoc-1')
  await expect(page.getByTestId('ad-hoc-model')).toContainText('model id not in your catalog')
  await expect(page.getByTestId('eval-case-row')).toHaveCount(8)
  await saveScreenshot(page, 'evals-adhoc-run')

  await page.goto('/tool-eval')
  await expect(page.getByTestId('eval-run-models').first()).toContainText('sim-adhoc-1')
})

const NULLABLE_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'set_temperature',
      description: 'Set the thermostat.',
      parameters: {
        type: 'object',
        properties: {
          celsius: {
            anyOf: [{ type: 'number' }, { type: 'null' }],
            default: null,
            description: 'Target',
            'x-unit': 'C',
          },
          mode: { type: 'string', enum: ['heat', 'cool'] },
        },
        required: ['celsius'],
      },
    },
  },
]

test('the tools form changes only the description of a float | None parameter', async ({
  page,
  request,
}) => {
  const user = newUser('toolsform')
  await register(request, user)
  await signInQuietly(page, user)
  await newSampleSuite(page)

  await page.getByTestId('tools-json').fill(JSON.stringify(NULLABLE_TOOLS, null, 2))
  await page.getByTestId('tools-view-form').click()
  const celsius = page.getByTestId('form-param').first()
  await expect(celsius.getByTestId('form-param-fixed-type')).toHaveText('number | null')
  await expect(celsius.getByTestId('form-param-type')).toHaveCount(0)
  await celsius.getByTestId('form-param-description').fill('Target temperature')
  await saveScreenshot(page, 'evals-tools-form-nullable')
  await page.getByTestId('tools-view-json').click()

  const tools = JSON.parse(
    await page.getByTestId('tools-json').inputValue(),
  ) as typeof NULLABLE_TOOLS
  const expected = structuredClone(NULLABLE_TOOLS)
  expected[0]!.function.parameters.properties.celsius.description = 'Target temperature'
  expect(tools).toEqual(expected)
})

const PLAIN = 'Write the user prompt: it is the message sent to the model.'

test.describe('benchmark prompts', () => {
  test.use({ allowedConsoleErrors: [/status of 422/] })

  test('a benchmark prompt without a user prompt is refused at the field, once', async ({
    page,
    request,
  }) => {
    const user = newUser('templates')
    await register(request, user)
    await signInQuietly(page, user)
    // The old settings page leads to the library, filtered to benchmark prompts.
    await page.goto('/settings/templates')
    await expect(page).toHaveURL('/prompts?kind=benchmark')
    await page.getByTestId('new-prompt').click()
    const dialog = page.getByRole('dialog')
    await expect(dialog.getByTestId('prompt-kind')).toHaveValue('benchmark')
    await dialog.getByLabel('Name').fill('Summaries')
    await dialog.getByLabel('System prompt').fill('Be brief.')
    await dialog.getByRole('button', { name: 'Create prompt' }).click()

    await expect(dialog.getByTestId('field-error')).toHaveText(PLAIN)
    await expect(dialog.getByText(PLAIN)).toHaveCount(1)
    await expect(dialog.getByTestId('error-notice')).toHaveCount(0)
    await expect(dialog.getByTestId('prompt-user')).toHaveAttribute('aria-invalid', 'true')
    await saveScreenshot(page, 'templates-no-user-prompt')

    await dialog.getByTestId('prompt-user').fill('Summarise this text.')
    await dialog.getByRole('button', { name: 'Create prompt' }).click()
    await expect(page.getByRole('dialog')).toHaveCount(0)
    await expect(page.getByTestId('prompt-title')).toHaveText('Summaries')
  })
})
