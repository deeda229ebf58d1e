// Issue 18 follow-ups on the run pages: a run that ends while the page is still loading its
// job never sticks on "Running"; a run whose suite was deleted names it as deleted (no link to
// a not-found page); the parameter set each target ran with is shown with its values.
import type { APIRequestContext, Page, Route } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { accessToken, newUser, register, signInQuietly } from './users'

interface Api {
  token: string
  get(path: string): Promise<unknown>
}

async function signedIn(page: Page, request: APIRequestContext, label: string): Promise<Api> {
  const user = newUser(label)
  await register(request, user)
  await signInQuietly(page, user)
  const token = await accessToken(request, user)
  return {
    token,
    get: async (path) => {
      const response = await request.get(path, { headers: { Authorization: `Bearer ${token}` } })
      expect(response.status(), path).toBe(200)
      return (await response.json()) as unknown
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
  await saveScreenshot(page, 'run-state-eval-done')
})
