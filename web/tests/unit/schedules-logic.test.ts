import { describe, expect, it } from 'vitest'

import {
  formatMetric,
  occurrenceText,
  runRoute,
  type Schedule,
  scheduleStatus,
} from '@/features/schedules/status'
import {
  offsetOf,
  ruleText,
  type TimingForm,
  timingFormFrom,
  toTimingIn,
  wallClock,
} from '@/features/schedules/timing'

const form: TimingForm = {
  ruleKind: 'interval',
  every: 30,
  unit: 'minutes',
  cron: '0 9 * * MON-FRI',
  timezone: 'Europe/London',
  startsAt: '',
  endsAt: '',
  maxRuns: '',
  catchUp: 'run_once',
  overlap: 'queue',
}

describe('schedule timing', () => {
  it('sends an interval rule, a start of now when empty, and unset bounds as null', () => {
    const now = new Date('2026-12-07T10:00:00Z')
    expect(toTimingIn(form, true, now)).toEqual({
      rule: { kind: 'interval', every: 30, unit: 'minutes' },
      starts_at: '2026-12-07T10:00:00.000Z',
      ends_at: null,
      enabled: true,
      max_runs: null,
      catch_up: 'run_once',
      overlap: 'queue',
      max_running: 1,
    })
  })

  it('sends a cron rule with its zone, trimmed', () => {
    const cron = { ...form, ruleKind: 'cron' as const, cron: ' 0 2 * * * ', maxRuns: 4 }
    const timing = toTimingIn(cron, false)
    expect(timing.rule).toEqual({ kind: 'cron', cron: '0 2 * * *', timezone: 'Europe/London' })
    expect(timing.enabled).toBe(false)
    expect(timing.max_runs).toBe(4)
  })

  it('reads a saved timing back into the form', () => {
    const back = timingFormFrom({
      rule: { kind: 'cron', cron: '0 9 * * MON', timezone: 'America/New_York' },
      starts_at: '2026-12-07T10:00:00Z',
      ends_at: null,
      max_runs: 10,
      catch_up: 'skip',
      overlap: 'queue',
    })
    expect(back.ruleKind).toBe('cron')
    expect(back.cron).toBe('0 9 * * MON')
    expect(back.timezone).toBe('America/New_York')
    expect(back.maxRuns).toBe(10)
    expect(back.overlap).toBe('queue')
    expect(new Date(back.startsAt).toISOString()).toBe('2026-12-07T10:00:00.000Z')
  })

  it('says the rule in words', () => {
    expect(ruleText({ rule: { kind: 'interval', every: 1, unit: 'hours' } })).toBe('Every hour')
    expect(ruleText({ rule: { kind: 'interval', every: 6, unit: 'hours' } })).toBe('Every 6 hours')
    expect(ruleText({ rule: { kind: 'cron', cron: '0 2 * * *', timezone: 'UTC' } })).toBe(
      'Cron 0 2 * * * (UTC)',
    )
  })

  it('shows an instant as the wall-clock time and offset the API gave', () => {
    expect(wallClock('2026-03-29T03:00:00+02:00')).toBe('2026-03-29 03:00')
    expect(offsetOf('2026-03-29T03:00:00+02:00')).toBe('+02:00')
    expect(offsetOf('2026-03-29T01:00:00Z')).toBe('+00:00')
  })
})

function schedule(change: Partial<Schedule>): Schedule {
  return {
    id: 's1',
    name: 'Nightly',
    kind: 'benchmark',
    config: {},
    timing: {},
    enabled: true,
    paused_reason: null,
    monthly_budget_usd: null,
    pause_after_failures: 3,
    runs_so_far: 0,
    consecutive_failures: 0,
    finished: null,
    last_occurrence_at: null,
    next_due_at: null,
    created_at: '2026-12-07T10:00:00Z',
    updated_at: '2026-12-07T10:00:00Z',
    ...change,
  }
}

describe('schedule status', () => {
  it('is finished, paused with its reason, disabled or enabled', () => {
    expect(scheduleStatus(schedule({ finished: 'max_runs', enabled: false })).label).toBe(
      'Finished',
    )
    const paused = scheduleStatus(schedule({ enabled: false, paused_reason: 'key removed' }))
    expect([paused.label, paused.detail]).toEqual(['Paused', 'key removed'])
    expect(scheduleStatus(schedule({ enabled: false })).label).toBe('Disabled')
    expect(scheduleStatus(schedule({})).label).toBe('Enabled')
  })

  it('words occurrences, skipped ones with their reason', () => {
    const base = {
      id: 'o1',
      occurrence_at: '2026-12-07T10:00:00Z',
      run_number: null,
      catch_up: false,
      skipped_until: null,
      skipped_count: null,
      job_id: null,
      run_id: null,
      created_at: '2026-12-07T10:00:00Z',
      finished_at: null,
    }
    expect(occurrenceText({ ...base, status: 'skipped', reason: 'skipped: overlap' })).toBe(
      'Skipped: overlap',
    )
    expect(
      occurrenceText({ ...base, status: 'skipped', reason: 'skipped: missed', skipped_count: 3 }),
    ).toBe('Skipped: missed (3 runs)')
    expect(occurrenceText({ ...base, status: 'done', reason: null })).toBe('Done')
  })

  it('links a run to its benchmark or eval page', () => {
    expect(runRoute('benchmark', 'r1')).toEqual({ name: 'benchmark-run', params: { runId: 'r1' } })
    expect(runRoute('eval', 'r2')).toEqual({ name: 'tooleval-run', params: { runId: 'r2' } })
    expect(runRoute('eval', null)).toBeNull()
  })

  it('formats metrics as the alert notices do', () => {
    expect(formatMetric('ttft_p50', 172.345)).toBe('172.3 ms')
    expect(formatMetric('error_rate', 0.125)).toBe('12.5 %')
    expect(formatMetric('cost', 0.0000123)).toBe('$0.000012')
    expect(formatMetric('output_tps', 50)).toBe('50.0 tokens/s')
    expect(formatMetric('score', null)).toBe('—')
  })
})
