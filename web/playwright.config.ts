// Browser tests against the real server (built web app + FastAPI + SQLite), driven through
// Debian's chromium: Playwright's own browser downloads are not used.
import { defineConfig } from '@playwright/test'

const PORT = Number(process.env.BENCHSTUDIO_E2E_PORT ?? 8599)

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  fullyParallel: false,
  workers: Number(process.env.BENCHSTUDIO_E2E_WORKERS ?? 1),
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1366, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  // The first account on a server becomes its admin, so the spec that signs it up runs alone
  // first; every other spec depends on it.
  projects: [
    { name: 'first-user', testMatch: /first-user\.spec\.ts/ },
    { name: 'flows', testIgnore: /first-user\.spec\.ts/, dependencies: ['first-user'] },
  ],
  webServer: {
    // Build first so the browser tests always see the current web app.
    command: `npm run build && node e2e/serve.mjs`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    env: { BENCHSTUDIO_E2E_PORT: String(PORT) },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
})
