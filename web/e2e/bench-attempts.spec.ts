// A resumed run's page lists the steps that span attempts: each attempt's kept requests and its
// client's health, the interrupted one's marked (its window ended at the interruption). The run
// comes from a results file whose steps carry `attempts`, as a resumed run's export does.
import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

function record(id: string, step: string, tier: number, runIndex: number) {
  return {
    request_id: id,
    target: 'sim',
    model: 'benchstudio-sim',
    context_tokens: tier,
    step,
    run_index: runIndex,
    ttft_ms: 40 + runIndex,
    e2e_ms: 300 + runIndex,
    output_tokens: 32,
  }
}

const health = (cpu: number, p99: number, reasons: string[] = []) => ({
  trustworthy: reasons.length === 0,
  untrustworthy_reasons: reasons,
  client_cpu_share: cpu,
  wall_s: 2.0,
  event_loop_lag_ms: { p50: 0.2, p99, max: p99 + 1, samples: 400 },
})

test('a resumed step lists both attempts with their client health', async ({ page, request }) => {
  const user = newUser('attempts')
  await register(request, user)
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  const tiered = Array.from({ length: 10 }, (_, i) => record(`r-${i}`, 'sim@1000', 1000, i))
  const plain = Array.from({ length: 5 }, (_, i) => record(`p-${i}`, 'sim@0', 0, i))
  const document = {
    schema: 'benchstudio.bench/1',
    run_id: `attempts-${Date.now()}`,
    title: 'Resumed profile run',
    requests: [...plain, ...tiered],
    steps: [
      {
        name: 'sim@0',
        target: 'sim',
        model: 'benchstudio-sim',
        mode: 'profile',
        context_tokens: 0,
      },
      {
        name: 'sim@1000',
        target: 'sim',
        model: 'benchstudio-sim',
        mode: 'profile',
        context_tokens: 1000,
        attempts: [
          {
            attempt: 1,
            rows: 4,
            superseded: false,
            diagnostics: health(0.12, 0.84),
            partial: true,
          },
          {
            attempt: 2,
            rows: 6,
            superseded: false,
            wall_s: 2.0,
            diagnostics: health(0.91, 6.2, ['client CPU share 91% above 80%']),
          },
        ],
      },
    ],
  }
  const response = await request.post('/api/benchmarks/import', { headers, data: document })
  expect(response.status(), await response.text()).toBe(201)
  const runId = String(((await response.json()) as { run: { id: string } }).run.id)

  await signInQuietly(page, user)
  await page.goto(`/benchmarks/${runId}`)
  const section = page.getByTestId('step-attempts')
  await expect(section.getByRole('heading', { name: 'Resumed steps' })).toBeVisible()
  const rows = section.getByTestId('step-attempt')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toContainText('Attempt 1')
  await expect(rows.nth(0).getByTestId('attempt-partial')).toHaveText('interrupted')
  await expect(rows.nth(0)).toContainText('4 requests kept')
  await expect(rows.nth(0).locator('[data-col="cpu"]')).toHaveText('12%')
  await expect(rows.nth(0).locator('[data-col="loop-lag"]')).toHaveText('0.8 ms')
  await expect(rows.nth(1).getByTestId('attempt-partial')).toHaveCount(0)
  await expect(rows.nth(1).locator('[data-col="cpu"]')).toHaveText('91%')
  await expect(rows.nth(1).getByTestId('attempt-untrustworthy')).toContainText('above 80%')
  await section.scrollIntoViewIfNeeded()
  await saveScreenshot(page, 'bench-step-attempts')
  await page.emulateMedia({ colorScheme: 'dark' })
  await saveScreenshot(page, 'bench-step-attempts-dark')
})
