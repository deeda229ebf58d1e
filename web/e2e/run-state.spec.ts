// Issue 18 follow-ups on the run pages: a run that ends while the page is still loading its
// job never sticks on "Running"; a run whose suite was deleted names it as deleted (no link to
// a not-found page); the parameter set each target ran with is shown with its values.
import type { APIRequestContext, Page, Route } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

interface Api {
  get(path: string): Promise<unknown>
  send(method: 'post' | 'delete', path: string, data?: unknown): Promise<unknown>
}

async function signedIn(page: Page, request: APIRequestContext, label: string): Promise<Api> {
  const user = newUser(label)
  await register(request, user)
  await signInQuietly(page, user)
  const token = await accessToken(request, user)
  const headers = { Authorization: `Bearer ${token}` }
  return {
    get: async (path) => {
      const response = await request.get(path, { headers })
      expect(response.status(), path).toBe(200)
      return (await response.json()) as unknown
    },
    send: async (method, path, data) => {
      const response = await request[method](path, { headers, data })
      expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true)
      return response.status() === 204 ? null : ((await response.json()) as unknown)
    },
  }
}

interface JobJson {
  id: string
  status: string
  event_seq: number
}

const ACTIVE = ['queued', 'running']

test('an eval run that ends while the page fetches its job shows as done, not running', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const api = await signedIn(page, request, 'runstate')
  await page.goto('/tool-eval')
  await page.getByTestId('add-sample').click()
  await expect(page).toHaveURL(/\/tool-eval\/suites\/[^/]+$/)

  // The race, made certain: every answer about one job is taken from the server at once but
  // handed to the page only after the job has ended, so the live events of its end (over the
  // socket, which stays open) come before a snapshot that still says it is active.
  const held: string[] = []
  await page.route(/\/api\/jobs\/[0-9a-z]+$/, async (route: Route) => {
    const response = await route.fetch()
    const body = (await response.json()) as JobJson
    if (ACTIVE.includes(body.status)) {
      held.push(body.status)
      await expect
        .poll(async () => ((await api.get(`/api/jobs/${body.id}`)) as JobJson).status, {
          timeout: 60_000,
        })
        .not.toMatch(/^(queued|running)$/)
      // Time for the socket to deliver the job's ending to the page first.
      await page.waitForTimeout(500)
    }
    await route.fulfill({ response, json: body })
  })

  await page.getByTestId('run-eval').click()
  await expect(page).toHaveURL(/\/tool-eval\/runs\/[^/]+$/, { timeout: 30_000 })
  await expect(page.getByTestId('eval-status')).toHaveText('Done', { timeout: 60_000 })
  // The race really happened: the page was handed an "active" snapshot after the end.
  expect(held.length).toBeGreaterThanOrEqual(1)
  await expect(page.getByTestId('jobs-count')).toHaveText('0')
  await expect(page.getByTestId('model-summary')).toHaveCount(1)
  await expect(page.getByTestId('eval-case-row')).toHaveCount(8)
  // The toast names the run, though the job ended before the page had loaded it.
  await expect(page.getByTestId('toast').first()).toContainText(
    'Eval: Weather and travel (sample) v1 is done.',
  )
  await saveScreenshot(page, 'run-state-eval-done')
})

interface Demo {
  providerId: string
  modelRef: string
  modelName: string
  display: string
}

async function demoModel(api: Api): Promise<Demo> {
  const providers = (await api.get('/api/providers')) as { id: string; is_demo: boolean }[]
  const demo = providers.find((p) => p.is_demo)
  if (!demo) throw new Error('no demo provider')
  const models = (await api.get(`/api/models?provider_id=${demo.id}`)) as {
    id: string
    model_id: string
    display_name: string
  }[]
  const model = models[0]
  if (!model) throw new Error('no demo model')
  return {
    providerId: demo.id,
    modelRef: model.id,
    modelName: model.model_id,
    display: model.display_name,
  }
}

async function newSet(api: Api, name: string): Promise<string> {
  const created = (await api.send('post', '/api/parameter-sets', {
    name,
    params: { temperature: 0.9, top_p: 0.95 },
  })) as { id: string }
  return created.id
}

async function finishedEval(api: Api, body: unknown): Promise<string> {
  const submitted = (await api.send('post', '/api/evals', body)) as {
    job_id: string
    run: { id: string }
  }
  await expect
    .poll(async () => ((await api.get(`/api/jobs/${submitted.job_id}`)) as JobJson).status, {
      timeout: 60_000,
    })
    .toBe('done')
  return submitted.run.id
}

test('an eval run of a deleted suite names it as deleted; its sets, drill-down and compare work', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const api = await signedIn(page, request, 'deletedsuite')
  const demo = await demoModel(api)
  const setId = await newSet(api, 'Creative')
  const suite = (await api.send('post', '/api/suites/sample')) as { id: string; name: string }
  const target = { provider_id: demo.providerId, model_id: demo.modelRef }
  const withSet = await finishedEval(api, {
    suite_id: suite.id,
    targets: [{ ...target, parameter_set_id: setId }],
  })
  const plain = await finishedEval(api, { suite_id: suite.id, targets: [target] })

  // While the suite exists, the run links to it.
  await page.goto(`/tool-eval/runs/${withSet}`)
  await expect(page.getByTestId('eval-status')).toHaveText('Done')
  await expect(page.getByTestId('run-suite-link')).toHaveAttribute(
    'href',
    `/tool-eval/suites/${suite.id}`,
  )
  await expect(page.getByTestId('applied-parameter-set')).toHaveText(
    `${demo.display} — Creative · temperature 0.9, top_p 0.95`,
  )

  await api.send('delete', `/api/suites/${suite.id}`)
  await page.reload()
  await expect(page.getByTestId('eval-status')).toHaveText('Done')
  await expect(page.getByTestId('run-suite-link')).toHaveCount(0)
  await expect(page.getByTestId('run-suite-deleted')).toHaveText(`Suite: ${suite.name} (deleted)`)
  await expect(page.getByTestId('applied-parameter-set')).toHaveText(
    `${demo.display} — Creative · temperature 0.9, top_p 0.95`,
  )
  // The drill-down reads the run's own snapshot of the deleted suite.
  await page.getByTestId('eval-case-row').first().getByRole('button').click()
  await expect(page.getByTestId('case-drilldown')).toBeVisible()
  await expect(page.getByTestId('case-drilldown')).toContainText('weather-single')
  await saveScreenshot(page, 'run-state-deleted-suite')

  await page.getByTestId('compare-run').click()
  await expect(page).toHaveURL(/\/tool-eval\/compare\?a=/)
  await page.getByTestId('compare-run-b').selectOption(plain)
  await expect(page.getByTestId('compare-summary')).toHaveCount(2)
  await expect(page.getByTestId('compare-summary').first()).toContainText('of 8 cases passed')

  // A run without a set shows no parameter-set line.
  await page.goto(`/tool-eval/runs/${plain}`)
  await expect(page.getByTestId('eval-status')).toHaveText('Done')
  await expect(page.getByTestId('applied-parameter-sets')).toHaveCount(0)
})

test('the benchmark run page shows the parameter set each target ran with', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000)
  const api = await signedIn(page, request, 'benchsets')
  const demo = await demoModel(api)
  await newSet(api, 'Creative')
  await page.goto('/benchmarks')
  await expect(page.getByTestId('preview-target')).toBeVisible()
  await page.getByTestId('runs').fill('1')
  await page.getByTestId('warmup').fill('0')
  await page
    .getByTestId(`parameter-set-${demo.modelName}`)
    .selectOption({ label: 'Creative (any model)' })
  await expect(page.getByTestId('preview-set-applied')).toHaveText([
    'temperature=0.9',
    'top_p=0.95',
  ])
  await page.getByTestId('start-benchmark').click()
  await expect(page).toHaveURL(/\/benchmarks\/[0-9a-z]+$/)
  await expect(page.getByTestId('applied-parameter-set')).toHaveText(
    `${demo.display} — Creative · temperature 0.9, top_p 0.95`,
  )
  await expect(page.getByTestId('run-status')).toHaveText('Done', { timeout: 60_000 })
  await expect(page.getByTestId('applied-parameter-set')).toHaveText(
    `${demo.display} — Creative · temperature 0.9, top_p 0.95`,
  )
  await saveScreenshot(page, 'run-state-bench-set')
})
