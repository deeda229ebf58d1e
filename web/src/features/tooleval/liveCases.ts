// A running eval's case rows and counters, advanced by its `eval_case_result` job events
// (one per finished case). Pure, so it is easy to test.
import type { LiveEvent } from '@/realtime/connection'
import type { components } from '@/api/schema'

type CaseRow = components['schemas']['CaseResultRow']

export const CASE_EVENT = 'eval_case_result'

export interface CaseCounters {
  finished_cases: number
  passed_cases: number
  total_cases: number
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The row a case event stands for (tokens are only in the stored row). */
export function caseRowOf(event: LiveEvent): CaseRow | null {
  const d = event.data
  if (event.type !== CASE_EVENT || typeof d.result_id !== 'string') return null
  return {
    id: d.result_id,
    target: text(d.target),
    case_id: text(d.case_id),
    category: text(d.category),
    passed: d.pass === true,
    error_category: typeof d.error_category === 'string' ? d.error_category : null,
    latency_ms: num(d.latency_ms),
    prompt_tokens: null,
    completion_tokens: null,
    finished_at: event.at,
  }
}

/** The rows with the events' cases added; a case already listed (fetched) is kept as is. */
export function withCaseEvents(rows: CaseRow[], events: LiveEvent[]): CaseRow[] {
  const known = new Set(rows.map((row) => row.id))
  const added: CaseRow[] = []
  for (const event of events) {
    const row = caseRowOf(event)
    if (row && !known.has(row.id)) {
      known.add(row.id)
      added.push(row)
    }
  }
  return added.length > 0 ? [...rows, ...added] : rows
}

/** Counters after the events: each case event says how many are finished and passed so far. */
export function countersAfter<T extends CaseCounters>(run: T, events: LiveEvent[]): T {
  let { finished_cases, passed_cases, total_cases } = run
  for (const event of events) {
    if (event.type !== CASE_EVENT) continue
    finished_cases = Math.max(finished_cases, num(event.data.finished) ?? 0)
    passed_cases = Math.max(passed_cases, num(event.data.passed) ?? 0)
    total_cases = num(event.data.total) ?? total_cases
  }
  const same =
    finished_cases === run.finished_cases &&
    passed_cases === run.passed_cases &&
    total_cases === run.total_cases
  return same ? run : { ...run, finished_cases, passed_cases, total_cases }
}
