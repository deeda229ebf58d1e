// Live jobs: the header indicator follows a running job over the WebSocket, and cancel works
// from the indicator (own jobs) and from the admin view (anyone's).
import type { APIRequestContext } from '@playwright/test'

import { expect, saveScreenshot, test } from './fixtures'
import { ADMIN, accessToken, newUser, register, signInQuietly } from './users'

async function submitDemoJob(request: APIRequestContext, token: string): Promise<string> {
  const response = await request.post('/api/jobs', {
    headers: { Authorization: `Bearer ${token}` },
    data: { type: 'demo.units', params: { units: 300, unit_ms: 100 } },
  })
  expect(response.status(), await response.text()).toBe(202)
  return ((await response.json()) as { id: string }).id
}

test('the jobs indicator shows a running job with progress, and cancel stops it', async ({
  page,
  request,
}) => {
  const user = newUser('jobs')
  await register(request, user)
  await signInQuietly(page, user)
  await page.goto('/')
  const indicator = page.getByTestId('jobs-indicator')
  await expect(page.getByTestId('jobs-count')).toHaveText('0')

  // Started elsewhere (the API); it shows up live.
  const jobId = await submitDemoJob(request, await accessToken(request, user))
  await expect(page.getByTestId('jobs-count')).toHaveText('1')
  await indicator.click()
  const panel = page.getByTestId('jobs-panel')
  const entry = panel.getByTestId('active-job')
  // Named for people (the demo job has no run: its kind), never by its internal id.
  await expect(entry).toContainText('Demo job')
  await expect(entry).not.toContainText(jobId.slice(0, 8))
  await expect(entry.getByTestId('job-detail')).toContainText(/unit \d+ of 300/)
  await expect(entry.getByTestId('job-percent')).toContainText(/left/)
  await expect(panel).toContainText('Live')
  await saveScreenshot(page, 'jobs-indicator-running')

  await entry.getByRole('button', { name: /Cancel job/ }).click()
  await expect(page.getByTestId('jobs-count')).toHaveText('0')
  await page.getByRole('link', { name: 'All recent jobs' }).click()
  await expect(page).toHaveURL('/jobs')
  const row = page.getByTestId('job-row').first()
  await expect(row.getByTestId('job-status')).toHaveText('Cancelled')
  await saveScreenshot(page, 'jobs-page')
})

test('an admin sees every user’s active jobs and can cancel them', async ({ page, request }) => {
  const user = newUser('busy')
  await register(request, user)
  const jobId = await submitDemoJob(request, await accessToken(request, user))

  await signInQuietly(page, ADMIN)
  await page.goto('/admin/jobs')
  const row = page.getByTestId('admin-job-row').filter({ hasText: user.email })
  await expect(row).toContainText('Demo job')
  await saveScreenshot(page, 'admin-jobs')
  await row.getByRole('button', { name: 'Cancel' }).click()
  await page.getByTestId('confirm-button').click()
  await expect(page.getByTestId('admin-job-row').filter({ hasText: user.email })).toHaveCount(0)

  const userToken = await accessToken(request, user)
  const job = (await (
    await request.get(`/api/jobs/${jobId}`, { headers: { Authorization: `Bearer ${userToken}` } })
  ).json()) as { status: string; cancel_requested: boolean }
  expect(job.cancel_requested || job.status === 'cancelled').toBe(true)
})
