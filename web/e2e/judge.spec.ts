// LLM-as-judge in the browser, on the demo simulator's scripted judge (docs/simulator.md,
// "Scripted judge"): the sample suite's case prompts carry `[sim-judge: …]` markers, which only
// the judge obeys, so the verdicts — and every figure of the report — are known in advance.
import type { APIRequestContext, Page } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { markedSampleSuite } from './judgeSuite'
import { accessToken, newUser, register, signInQuietly, type TestUser } from './users'

async function runEval(page: Page, suiteId: string): Promise<string> {
  await page.goto(`/tool-eval/suites/${suiteId}`)
  await expect(page.getByTestId('eval-judge-options')).toBeVisible()
  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
  return page.url().split('/').pop() ?? ''
}

test('judge an eval run after it finished: figures, agreement, review, drill-down', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000)
  const user = newUser('judge')
  await register(request, user)
  await signInQuietly(page, user)
  const suiteId = await markedSampleSuite(request, user)

  // The run form offers the judge: on, without a model, it says what is missing.
  await page.goto(`/tool-eval/suites/${suiteId}`)
  await page.getByTestId('judge-enabled').check()
  await page.getByTestId('judge-live').uncheck()
  await page.getByTestId('run-eval').click()
  await expect(page.getByTestId('eval-judge-options').getByTestId('field-error')).toHaveText([
    'Pick a judge model.',
    'Judge live, or set a pass rate under which the failed cases are judged.',
  ])
  await saveScreenshot(page, 'judge-run-form-options')
  await page.getByTestId('judge-enabled').uncheck()

  await runEval(page, suiteId)
  await expect(page.getByTestId('model-summary')).toContainText('5 of 8 cases passed')
  const panel = page.getByTestId('judge-panel')
  await expect(panel.getByTestId('empty-state')).toContainText('No judge reports yet')
  await expect(page.getByTestId('policy-note')).toContainText('Automated final')

  await panel
    .getByTestId('judge-model')
    .selectOption({ label: 'Simulator model · Simulator (demo)' })
  await expect(panel.getByTestId('judge-estimate')).toContainText('8 cases')
  await panel.getByTestId('judge-scope-failed').check()
  await expect(panel.getByTestId('judge-estimate')).toContainText('3 cases')
  await panel.getByTestId('judge-scope-all').check()
  await expect(panel.getByTestId('judge-estimate')).toContainText('8 cases')
  await saveScreenshot(page, 'judge-panel')
  await panel.getByTestId('judge-start').click()

  const row = panel.getByTestId('judge-report-row')
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('judge-report-status')).toHaveText('Done', { timeout: 60_000 })
  await row.getByRole('link').click()
  await expect(page).toHaveURL(/\/judge\/reports\/[^/]+$/)

  // 7 judged (one parse failure): 5 pass, 1 marginal, 1 fail; scores 5,5,5,5,3,1,4.
  await expect(page.getByTestId('judged-count')).toContainText('7')
  await expect(page.getByTestId('verdict-counts')).toHaveText('5 pass · 1 marginal · 1 fail')
  await expect(page.getByTestId('mean-score')).toHaveText('4.00')
  await expect(page.getByTestId('unscored-count')).toHaveText('1')
  await expect(page.getByTestId('unscored-case')).toContainText('flight-search-superset')
  // Judge pass / marginal / fail by automated pass / fail.
  await expect(page.getByTestId('agreement-pass-pass')).toHaveText('4')
  await expect(page.getByTestId('agreement-pass-fail')).toHaveText('1')
  await expect(page.getByTestId('agreement-marginal-pass')).toHaveText('1')
  await expect(page.getByTestId('agreement-fail-fail')).toHaveText('1')
  // po = 5/7, pe = 29/49: kappa = 0.30.
  await expect(page.getByTestId('kappa')).toHaveText('0.30')
  await expect(page.getByTestId('raw-agreement')).toHaveText('71.4%')
  await expect(page.getByTestId('disagreement')).toHaveCount(2)
  await expect(page.getByTestId('report-judge')).toHaveText('Simulator model')
  await saveScreenshot(page, 'judge-report')

  // Both verdicts side by side for the case the judge passed and the scorer failed.
  const currency = page.getByTestId('disagreement').filter({ hasText: 'currency-tolerance' })
  await currency.getByRole('button', { name: 'currency-tolerance' }).click()
  const drill = page.getByTestId('verdict-drilldown')
  await expect(drill.getByTestId('judge-side')).toContainText('pass')
  await expect(drill.getByTestId('judge-score')).toHaveText('4 / 5')
  await expect(drill.getByTestId('automated-side')).toContainText('fail')
  await expect(drill.getByTestId('automated-error')).toHaveText('Wrong argument value')
  await saveScreenshot(page, 'judge-drilldown')

  // "Judge right": that case's final verdict is the judge's pass, whatever the policy.
  await expect(page.getByTestId('final-pass-rate')).toHaveText('62.5%')
  await currency.getByTestId('review-judge-right').click()
  await expect(currency.getByTestId('review-judge-right')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('review-counts')).toContainText('judge right 1')
  await expect(page.getByTestId('final-pass-rate')).toHaveText('75.0%')
  await expect(page.getByTestId('raw-agreement')).toHaveText('71.4%') // the raters as they rated

  // The judges page lists this judge's agreement.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Judges' }).click()
  await expect(page.getByTestId('judge-agreement-row')).toHaveCount(1)
  await expect(page.getByTestId('judge-agreement-row')).toContainText('Simulator model')
  await saveScreenshot(page, 'judge-judges')
})

interface RunOut {
  id: string
  status: string
}

/** An eval run of the suite through the API, one demo model, waited for until it is done. */
async function apiRun(
  request: APIRequestContext,
  user: TestUser,
  suiteId: string,
  modelId: string,
  suiteVersion: number | null = null,
): Promise<string> {
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  const providers = (await (await request.get('/api/providers', { headers })).json()) as {
    id: string
    is_demo: boolean
  }[]
  const demo = providers.find((p) => p.is_demo)
  const submitted = await request.post('/api/evals', {
    headers,
    data: {
      suite_id: suiteId,
      suite_version: suiteVersion,
      profile: 'lenient',
      timeout_s: 60,
      targets: [{ provider_id: demo?.id, model_id: modelId }],
    },
  })
  expect(submitted.ok(), await submitted.text()).toBe(true)
  const { run } = (await submitted.json()) as { run: RunOut }
  await expect
    .poll(
      async () =>
        ((await (await request.get(`/api/evals/${run.id}`, { headers })).json()) as RunOut).status,
      { timeout: 90_000 },
    )
    .toBe('done')
  return run.id
}

test.describe('comparative judging', () => {
  // The refused comparison (another suite version) is a 422 the page shows.
  test.use({ allowedConsoleErrors: [/status of 422/] })

  test('compare two runs with a judge: both orders, win rate, inconsistency', async ({
    page,
    request,
  }) => {
    test.setTimeout(240_000)
    const user = newUser('judgecmp')
    await register(request, user)
    await signInQuietly(page, user)
    const suiteId = await markedSampleSuite(request, user)
    const accurate = await apiRun(request, user, suiteId, 'benchstudio-sim')
    const sloppy = await apiRun(request, user, suiteId, 'benchstudio-sim-sloppy')
    // The sample as first copied (version 1, without the markers): another suite version.
    const older = await apiRun(request, user, suiteId, 'benchstudio-sim', 1)

    await page.goto('/judge')
    await expect(page.getByTestId('empty-state')).toContainText('No judge has graded anything yet')
    await page.getByTestId('judges-compare-link').click()
    await expect(page).toHaveURL(/\/judge\/compare$/)
    await expect(page.getByTestId('compare-blocker')).toHaveText(
      'Pick the first result (run and model).',
    )
    const form = page.getByTestId('judge-compare-form')
    await form
      .getByTestId('judge-model')
      .selectOption({ label: 'Simulator model · Simulator (demo)' })

    // Different suite versions: the server refuses and says why.
    await form.getByTestId('compare-run-a').selectOption(accurate)
    await form.getByTestId('compare-run-b').selectOption(older)
    await expect(page.getByTestId('compare-version-hint')).toContainText('Suite versions differ')
    await form.getByTestId('compare-start').click()
    await expect(form.getByRole('alert')).toContainText(/version/i)
    await saveScreenshot(page, 'judge-compare-refused')

    await form.getByTestId('compare-run-b').selectOption(sloppy)
    await expect(form.getByTestId('compare-target-a')).toHaveValue('Simulator model')
    await expect(page.getByTestId('compare-version-hint')).toHaveCount(0)
    await form.getByTestId('compare-start').click()
    await expect(page).toHaveURL(/\/judge\/reports\/[^/]+$/)
    await expect(page.getByTestId('report-status')).toHaveText('Done', { timeout: 90_000 })

    // The judge always answers "A": every case flips with the order, so every case is a flagged
    // tie — 100% inconsistency and a 50% win rate. The case answered with broken JSON is left
    // out of n as undecided.
    await expect(page.getByTestId('win-rate')).toContainText('50.0%')
    await expect(page.getByTestId('inconsistency-rate')).toHaveText('100.0%')
    await expect(page.getByTestId('outcome-counts')).toHaveText(/Wins 0\s+Ties 7\s+Losses 0/)
    await expect(page.getByTestId('win-rate-detail')).toContainText('1 undecided')
    await expect(page.getByTestId('pair-row')).toHaveCount(8)
    const first = page.getByTestId('pair-row').first()
    await expect(first.getByTestId('pair-first')).toHaveText('Simulator model')
    await expect(first.getByTestId('pair-second')).not.toHaveText('Simulator model')
    await expect(first.getByTestId('pair-outcome')).toHaveText('Tie (orders disagree)')
    await saveScreenshot(page, 'judge-compare-report')
  })
})
