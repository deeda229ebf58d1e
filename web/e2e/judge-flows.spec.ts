// The judge's end-to-end flows on the demo simulator: an eval judged live (the report fills
// while the run goes, under verdict policy "judge final"), then a cross-case report written from
// that finished per-case report, whose findings the simulator reads off the case summaries it
// is sent (docs/simulator.md, "Cross-case reports").
import { expect, saveScreenshot, test } from './fixtures'
import { DEMO_JUDGE, markedSampleSuite } from './judgeSuite'
import { newUser, register, signInQuietly } from './users'

/** The demo model fails these (the automated check); every other case passes. */
const FAILED = ['currency-tolerance', 'flight-search-superset', 'weather-parallel']

test('judge an eval live, then write a cross-case report from its per-case report', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000)
  const user = newUser('judgeflow')
  await register(request, user)
  await signInQuietly(page, user)
  const suiteId = await markedSampleSuite(request, user)

  await test.step('live judging from the run form', async () => {
    await page.goto(`/tool-eval/suites/${suiteId}`)
    const options = page.getByTestId('eval-judge-options')
    await options.getByTestId('judge-enabled').check()
    await options.getByTestId('judge-model').selectOption({ label: DEMO_JUDGE })
    await options.getByTestId('judge-live').check()
    await options.getByTestId('judge-policy').selectOption('judge_final')
    await saveScreenshot(page, 'judge-live-run-form')
    await page.getByTestId('run-eval').click()
    await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/)

    // The live report shows on the run page while the eval runs, and ends with it.
    const panel = page.getByTestId('judge-panel')
    const row = panel.getByTestId('judge-report-row')
    await expect(row).toHaveCount(1, { timeout: 30_000 })
    await expect(row.getByRole('link')).toHaveText('Live v1')
    await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 90_000 })
    await expect(row.getByTestId('judge-report-status')).toHaveText('Done', { timeout: 30_000 })
    // The figures under the policy follow the finished live report: 5 of 7 judged pass.
    await expect(page.getByTestId('policy-note')).toContainText(
      'Judge final · judge pass rate 71.4%',
    )
    await saveScreenshot(page, 'judge-live-run-page')
    await row.getByRole('link').click()
  })

  await test.step('the live report: figures, histogram, agreement, drill-down', async () => {
    await expect(page).toHaveURL(/\/judge\/reports\/[^/]+$/)
    await expect(page.getByTestId('report-status')).toHaveText('Done')
    // 7 judged (one parse failure): 5 pass, 1 marginal, 1 fail; scores 5,5,5,5,3,1,4.
    await expect(page.getByTestId('judged-count')).toContainText('7')
    await expect(page.getByTestId('verdict-counts')).toHaveText('5 pass · 1 marginal · 1 fail')
    await expect(page.getByTestId('mean-score')).toHaveText('4.00')
    await expect(page.getByText('7 judged cases by score (1 worst, 5 best)')).toBeVisible()
    await expect(page.getByTestId('agreement-pass-fail')).toHaveText('1')
    await expect(page.getByTestId('kappa')).toHaveText('0.30')
    // Judge final: the marginal pass fails, the judged currency case passes, the broken
    // answer keeps its automated fail: 5 of 8.
    await expect(page.getByTestId('final-pass-rate')).toHaveText('62.5%')
    const currency = page.getByTestId('disagreement').filter({ hasText: 'currency-tolerance' })
    await currency.getByRole('button', { name: 'currency-tolerance' }).click()
    const drill = page.getByTestId('verdict-drilldown')
    await expect(drill.getByTestId('judge-side')).toContainText('pass')
    await expect(drill.getByTestId('judge-score')).toHaveText('4 / 5')
    await expect(drill.getByTestId('automated-side')).toContainText('fail')
    await saveScreenshot(page, 'judge-live-report')
  })

  await test.step('a cross-case report from the finished per-case report', async () => {
    await page.getByTestId('report-write-cross-case').click()
    await expect(page).toHaveURL(/\/judge\/reports\/[^/]+$/)
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Cross-case report v1')
    await expect(page.getByTestId('report-status')).toHaveText('Done', { timeout: 60_000 })
    // Pass rate 62.5% (judge final) and mean score 4.00: a D.
    await expect(page.getByTestId('grade')).toHaveText('D')
    const view = page.getByTestId('cross-case')
    await expect(view).toContainText('62.5%')
    await expect(view.getByRole('heading', { name: 'Strengths' })).toBeVisible()
    // The simulator cites exactly the failed cases, each a link to the case on the run page.
    const cited = view.getByTestId('failure-pattern').getByRole('link')
    await expect.poll(async () => (await cited.allTextContents()).sort()).toEqual(FAILED)
    await expect(view.getByTestId('recommendation')).not.toHaveCount(0)
    await expect(page.getByTestId('cross-case-sources')).toHaveText('Based on 8 cases.')
    await saveScreenshot(page, 'judge-cross-case-report')
    await cited.filter({ hasText: 'weather-parallel' }).first().click()
    await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/?]+\?.*case=weather-parallel/)
  })

  await test.step('the runs list scores the run by the judge', async () => {
    await page.goto('/tool-eval')
    const score = page.getByTestId('run-verdict-policy').first()
    await expect(score).toHaveText('Judge final · automated 5 / 8')
    await expect(page.getByTestId('run-score').first()).toHaveText('5 / 8')
  })
})
