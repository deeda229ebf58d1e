// Accounts for the browser tests. The first account ever created on the test server becomes
// its admin: only first-user.spec.ts creates it (the other specs depend on that project).
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { APIRequestContext, Page } from '@playwright/test'

import { expect } from './fixtures'

export interface TestUser {
  email: string
  password: string
}

export const E2E_PORT = Number(process.env.BENCHSTUDIO_E2E_PORT ?? 8599)
/** serve.mjs runs the demo simulator on the next port. */
export const SIMULATOR_URL = `http://127.0.0.1:${E2E_PORT + 1}/v1`
/** serve.mjs copies the server's console here, where dev-mode mails are printed. */
export const SERVER_LOG = join(tmpdir(), `benchstudio-e2e-${E2E_PORT}-server.log`)

export const ADMIN: TestUser = { email: 'admin@example.test', password: 'quiet-harbor-lantern-7' }

let counter = 0
/** A fresh, unique user (not yet registered). */
export function newUser(label: string): TestUser {
  counter += 1
  return {
    // The worker index keeps addresses unique when specs run in parallel workers.
    email: `${label}-${Date.now().toString(36)}-${process.env.TEST_WORKER_INDEX ?? 0}-${counter}@example.test`,
    password: `${label}-passphrase-${counter}`,
  }
}

export async function register(request: APIRequestContext, user: TestUser): Promise<string> {
  const response = await request.post('/api/auth/register', { data: user })
  expect(response.status(), await response.text()).toBe(201)
  return ((await response.json()) as { user: { id: string } }).user.id
}

/** An access token for API calls made by the test itself (not by the page). */
export async function accessToken(request: APIRequestContext, user: TestUser): Promise<string> {
  const response = await request.post('/api/auth/login', { data: user })
  expect(response.ok(), await response.text()).toBe(true)
  return ((await response.json()) as { access_token: string }).access_token
}

/**
 * Sign the page's browser context in without the UI: the refresh cookie does the rest, once
 * the app's "this browser has a session" hint is there as after a real sign-in.
 */
export async function signInQuietly(page: Page, user: TestUser): Promise<void> {
  const response = await page.request.post('/api/auth/login', { data: user })
  expect(response.ok(), await response.text()).toBe(true)
  await page.addInitScript(() => window.localStorage.setItem('benchstudio.hasSession', '1'))
}

export async function signInWithForm(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password', { exact: true }).fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}
