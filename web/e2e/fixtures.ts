// Every browser test fails on a console error, an uncaught page error or a CSP violation,
// unless the test declares the exact errors it provokes.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { test as base, expect, type Page } from '@playwright/test'

export const ARTIFACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'artifacts')

interface Fixtures {
  /** Console errors matching one of these are expected by the test. */
  allowedConsoleErrors: RegExp[]
  browserProblems: string[]
}

declare global {
  interface Window {
    __cspViolations?: string[]
  }
}

export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [[], { option: true }],
  browserProblems: [
    async ({ page, allowedConsoleErrors }, use) => {
      const problems: string[] = []
      page.on('console', (message) => {
        if (message.type() !== 'error') return
        const text = message.text()
        if (!allowedConsoleErrors.some((pattern) => pattern.test(text))) {
          problems.push(`console error: ${text}`)
        }
      })
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
      // Injected through the DevTools protocol, so the page's own CSP does not block it.
      await page.addInitScript(() => {
        window.__cspViolations = []
        document.addEventListener('securitypolicyviolation', (event) => {
          window.__cspViolations?.push(`${event.violatedDirective} blocked ${event.blockedURI}`)
        })
      })
      await use(problems)
      const violations = await page
        .evaluate(() => window.__cspViolations ?? [])
        .catch(() => [] as string[])
      problems.push(...violations.map((violation) => `CSP violation: ${violation}`))
      expect(problems, 'browser console errors, page errors and CSP violations').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true })
}
