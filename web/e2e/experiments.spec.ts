// Experiments in the browser, on the demo simulator: an experiment created from the empty list,
// two evals run from its "Run eval" (the run form prefilled and filing them under it), the
// sloppy demo model first (the baseline) and the scripted one second (5 of 8: the best), the
// timeline with both points, another baseline chosen, "Re-run best" filing a new run; axe on
// both pages and screenshots at 1366 and 390 px.
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

const SCRIPTED = 'Simulator model'
const SLOPPY = 'Simulator model (sloppy tool calls)'

async function expectNoSeriousAxeFindings(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze()
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${where}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    )
  expect(serious).toEqual([])
}

/** From the experiment page: "Run eval" with only `model` ticked (and `toolChoice` if given);
 * waits until the run is done and comes back through the run page's experiment link. */
async function runEvalFromExperiment(
  page: Page,
  experimentId: string,
  model: string,
  toolChoice?: string,
): Promise<void> {
  await page.getByTestId('experiment-run-eval').click()
  await expect(page).toHaveURL(new RegExp(`/tool-eval/suites/[^/?]+\\?experiment=${experimentId}`))
  await expect(page.getByTestId('run-experiment')).toHaveValue(experimentId)
  // The experiment's two models are prefilled; keep only `model`.
  const picker = page.getByTestId('target-picker')
  await expect(picker.locator('input[type=checkbox]:checked')).toHaveCount(2)
  const other = model === 'benchstudio-sim' ? 'benchstudio-sim-sloppy' : 'benchstudio-sim'
  await page.getByTestId(`target-${other}`).locator('input').uncheck()
  if (toolChoice) await page.getByTestId('run-tool-choice').selectOption(toolChoice)
  if (toolChoice) await saveScreenshot(page, 'experiment-run-form')
  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByTestId('run-experiment-link')).toHaveText('Weather tools: pick a model')
  await page.getByTestId('run-experiment-link').click()
  await expect(page).toHaveURL(`/experiments/${experimentId}`)
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: width === 1366 ? 860 : 800 })
    // Let the chart resize to the new width before the picture is taken.
    await page.waitForTimeout(300)
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow, `${name} at ${width} px is wider than the screen`).toBeLessThanOrEqual(0)
    await saveScreenshot(page, `${name}-${width}`)
  }
  await page.setViewportSize({ width: 1366, height: 860 })
}

test('an experiment: create, run two evals under it, baseline and best, re-run best', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000)
  const user = newUser('experiments')
  await register(request, user)
  await signInQuietly(page, user)
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  const sample = await request.post('/api/suites/sample', { headers })
  expect(sample.ok(), await sample.text()).toBe(true)

  // The empty list explains experiments and offers to create one.
  await page.goto('/')
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Experiments' })
    .click()
  await expect(page).toHaveURL('/experiments')
  await expect(page.getByRole('heading', { name: 'Experiments', level: 1 })).toBeVisible()
  await expect(page.getByTestId('empty-state')).toContainText('No experiments yet')
  await expectNoSeriousAxeFindings(page, 'experiments (empty)')

  // The create dialog: a missing name is shown at its field, then the experiment is created.
  await page.getByTestId('empty-state').getByRole('button', { name: 'New experiment' }).click()
  const dialog = page.getByRole('dialog', { name: 'New experiment' })
  await expect(dialog.getByTestId('experiment-name')).toBeFocused()
  await expect(dialog.getByTestId('experiment-suite')).toHaveValue(/.+/)
  await dialog.getByTestId('create-experiment').click()
  await expect(dialog.getByTestId('field-error')).toHaveText('Name the experiment.')
  await dialog.getByTestId('experiment-name').fill('Weather tools: pick a model')
  await dialog
    .getByTestId('experiment-description')
    .fill('Which demo model calls the sample suite’s tools best?')
  await expect(dialog.getByTestId('target-benchstudio-sim').locator('input')).toBeChecked()
  await dialog.getByTestId('target-benchstudio-sim-sloppy').locator('input').check()
  await expectNoSeriousAxeFindings(page, 'new experiment dialog')
  await saveScreenshot(page, 'experiment-new-dialog')
  await dialog.getByTestId('experiment-name').press('Enter')
  await expect(page).toHaveURL(/\/experiments\/[^/]+$/)
  const experimentId = page.url().split('/').pop() ?? ''
  await expect(page.getByRole('heading', { name: 'Weather tools: pick a model' })).toBeVisible()
  await expect(page.getByTestId('experiment-scale')).toContainText('lenient')
  await expect(page.getByTestId('experiment-scale')).toContainText(`${SCRIPTED}, ${SLOPPY}`)
  await expect(page.getByTestId('no-baseline')).toBeVisible()
  await expect(page.getByTestId('timeline-empty')).toBeVisible()
  await expect(page.getByTestId('rerun-best')).toBeDisabled()

  // First the sloppy model told not to call tools (the baseline: the first finished run; it
  // passes only the case that wants no call), then the scripted model (5 of 8).
  await runEvalFromExperiment(page, experimentId, 'benchstudio-sim-sloppy', 'none')
  await expect(page.getByTestId('baseline-score')).toHaveText('12.5%')
  await expect(page.getByTestId('baseline-label')).toHaveText(SLOPPY)
  await expect(page.getByTestId('best-is-baseline')).toBeVisible()
  await runEvalFromExperiment(page, experimentId, 'benchstudio-sim')

  const timeline = page.getByTestId('experiment-timeline')
  await expect(timeline).toHaveAttribute('data-points', '2')
  await expect(page.getByTestId('experiment-result-row')).toHaveCount(2)
  await expect(page.getByTestId('baseline-label')).toHaveText(SLOPPY)
  await expect(page.getByTestId('best-label')).toHaveText(SCRIPTED)
  await expect(page.getByTestId('best-score')).toHaveText('62.5%')
  // Both runs cover the same eight cases: paired. 1 of 8 against 5 of 8, the scripted model
  // passing 4 cases the baseline failed and none the other way: McNemar's exact p = 2/16.
  await expect(page.getByTestId('best-vs-baseline')).toHaveText(
    'vs baseline: +50.0 pts (95% CI +2.9 to +75.9), not significant, McNemar p=0.125',
  )
  // The interval leaves out zero while the exact test is not significant: the card says why.
  await expect(page.getByTestId('comparison-note')).toContainText('too few cases differ')
  await expect(page.getByTestId('timeline-summary')).toContainText(`${SCRIPTED} 62.5% (best)`)
  await expectNoSeriousAxeFindings(page, 'experiment')
  await screenshots(page, 'experiment-detail')

  // The scripted model's result becomes the baseline: it is the best too, so no difference.
  const scriptedRow = page
    .getByTestId('experiment-result-row')
    .filter({ hasText: SCRIPTED })
    .filter({ hasNotText: 'sloppy' })
  await scriptedRow.getByTestId('set-baseline').click()
  await expect(page.getByTestId('baseline-label')).toHaveText(SCRIPTED)
  await expect(page.getByTestId('best-is-baseline')).toBeVisible()
  await expect(page.getByTestId('best-vs-baseline')).toHaveCount(0)
  await expect(page.getByTestId('reset-baseline')).toBeVisible()

  // Re-run best: a new eval of the scripted model, on the run page with live progress.
  await page.getByTestId('rerun-best').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  await expect(page.getByTestId('model-summary')).toContainText(SCRIPTED)
  await expect(page.getByTestId('model-summary')).toContainText('5 of 8 cases passed')
  await page.getByTestId('run-experiment-link').click()
  await expect(page.getByTestId('experiment-result-row')).toHaveCount(3)
  await expect(timeline).toHaveAttribute('data-points', '3')
  // The same score again does not take "best" from the earlier run.
  await expect(page.getByTestId('result-best')).toHaveCount(1)

  // The list shows it with its baseline and best.
  await page.getByRole('link', { name: 'All experiments' }).click()
  const row = page.getByTestId('experiment-row')
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('experiment-best')).toHaveText('62.5%')
  await expect(row.getByTestId('experiment-baseline')).toHaveText('62.5%')
  await expect(row).toContainText('3')
  await screenshots(page, 'experiments-list')
})
