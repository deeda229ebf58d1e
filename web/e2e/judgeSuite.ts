// Shared setup of the judge's browser tests: the sample suite with `[sim-judge: …]` markers in
// its case prompts, which only the demo simulator's scripted judge obeys (docs/simulator.md,
// "Scripted judge"), so every verdict — and every figure built on them — is known in advance.
import type { APIRequestContext } from '@playwright/test'

import { expect } from './fixtures'
import { accessToken, type TestUser } from './users'

/** The demo simulator's judge as the judge-model pickers name it. */
export const DEMO_JUDGE = 'Simulator model · Simulator (demo)'

/**
 * The judge's verdict per sample case. The demo model passes 5 of 8 (it fails weather-parallel,
 * currency-tolerance and flight-search-superset). Against that the judge agrees on 5 cases,
 * disagrees on two (a marginal on a pass; a pass on a fail) and answers one with broken JSON.
 */
const VERDICTS: Record<string, string> = {
  'weather-parallel': 'verdict;verdict=fail;score=1',
  'currency-tolerance': 'verdict;verdict=pass;score=4',
  'flight-search-superset': 'malformed',
}
const PASSED_MARGINAL = 'verdict;verdict=marginal;score=3'
/** A position-biased judge for comparisons: it always picks A. */
const FAVOUR_A = 'favour;position=A'

interface SuiteCase {
  id: string
  prompt?: string | null
  messages?: { role: string; content: string }[] | null
  [key: string]: unknown
}

/** The sample suite with a judge marker in each case's prompt; returns the suite id. */
export async function markedSampleSuite(
  request: APIRequestContext,
  user: TestUser,
): Promise<string> {
  const headers = { Authorization: `Bearer ${await accessToken(request, user)}` }
  const created = await request.post('/api/suites/sample', { headers })
  expect(created.ok(), await created.text()).toBe(true)
  const { id } = (await created.json()) as { id: string }
  const detail = (await (await request.get(`/api/suites/${id}`, { headers })).json()) as {
    suite: {
      name: string
      description: string | null
      system_prompt: string | null
      tools: unknown[]
      cases: SuiteCase[]
    }
  }
  let marginalGiven = false
  const cases = detail.suite.cases.map((c) => {
    let verdict = VERDICTS[c.id]
    if (!verdict && !marginalGiven && c.prompt) {
      verdict = PASSED_MARGINAL
      marginalGiven = true
    }
    const marker = ` [sim-judge: ${verdict ?? 'verdict;verdict=pass'}] [sim-judge: ${FAVOUR_A}]`
    if (c.prompt) return { ...c, prompt: `${c.prompt}${marker}` }
    const messages = (c.messages ?? []).map((m, i, all) =>
      i === all.length - 1 && m.role === 'user' ? { ...m, content: `${m.content}${marker}` } : m,
    )
    return { ...c, messages }
  })
  const { name, description, system_prompt, tools } = detail.suite
  const saved = await request.put(`/api/suites/${id}`, {
    headers,
    data: { name, description: description ?? '', system_prompt, tools, cases },
  })
  expect(saved.ok(), await saved.text()).toBe(true)
  return id
}
