// A schedule's timing as the editor holds it, how it becomes the API's TimingIn, and how a
// saved one reads in words. Free of Vue so the rules are easy to test.
import type { components } from '@/api/schema'
import { numberOrNull, type NumberInput } from '@/features/benchmarks/benchmarkForm'

export type TimingIn = components['schemas']['TimingIn']
export type IntervalUnit = 'minutes' | 'hours' | 'days'
export type CatchUp = 'skip' | 'run_once'
export type Overlap = 'skip' | 'queue'

export interface TimingForm {
  ruleKind: 'interval' | 'cron'
  every: NumberInput
  unit: IntervalUnit
  cron: string
  /** The cron rule's zone (an IANA name); the browser's by default. */
  timezone: string
  /** `<input type="datetime-local">` values, read in the browser's zone; '' for "not set". */
  startsAt: string
  endsAt: string
  maxRuns: NumberInput
  catchUp: CatchUp
  overlap: Overlap
}

export const CRON_PRESETS: { label: string; cron: string }[] = [
  { label: 'Every hour', cron: '0 * * * *' },
  { label: 'Every 15 minutes', cron: '*/15 * * * *' },
  { label: 'Every night at 02:00', cron: '0 2 * * *' },
  { label: 'Weekdays at 09:00', cron: '0 9 * * MON-FRI' },
  { label: 'Mondays at 09:00', cron: '0 9 * * MON' },
  { label: 'The 1st of each month', cron: '0 2 1 * *' },
]

export const UNITS: { id: IntervalUnit; label: string }[] = [
  { id: 'minutes', label: 'minutes' },
  { id: 'hours', label: 'hours' },
  { id: 'days', label: 'days' },
]

/** The browser's IANA zone (accounts hold none): what the web app shows times in. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** A Date as a datetime-local input's value, in the browser's zone, to the minute. */
export function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  )
}

export function defaultTiming(now: Date = new Date()): TimingForm {
  return {
    ruleKind: 'interval',
    every: 1,
    unit: 'hours',
    cron: '0 2 * * *',
    timezone: browserZone(),
    startsAt: localInputValue(now),
    endsAt: '',
    maxRuns: '',
    catchUp: 'skip',
    overlap: 'skip',
  }
}

function instant(value: string): string | null {
  if (!value) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** The form as the API's TimingIn. A start left empty (or unreadable) is "now". */
export function toTimingIn(form: TimingForm, enabled = true, now: Date = new Date()): TimingIn {
  const rule: TimingIn['rule'] =
    form.ruleKind === 'cron'
      ? { kind: 'cron', cron: form.cron.trim(), timezone: form.timezone.trim() }
      : { kind: 'interval', every: numberOrNull(form.every) ?? 0, unit: form.unit }
  return {
    rule,
    starts_at: instant(form.startsAt) ?? now.toISOString(),
    ends_at: instant(form.endsAt),
    enabled,
    max_runs: numberOrNull(form.maxRuns),
    catch_up: form.catchUp,
    overlap: form.overlap,
    max_running: 1,
  }
}

interface SavedRule {
  kind?: unknown
  every?: unknown
  unit?: unknown
  cron?: unknown
  timezone?: unknown
}

/** A saved schedule's timing (ScheduleOut.timing) back as the editor's form. */
export function timingFormFrom(timing: Record<string, unknown>): TimingForm {
  const rule = (timing.rule ?? {}) as SavedRule
  const form = defaultTiming()
  if (rule.kind === 'cron') {
    form.ruleKind = 'cron'
    form.cron = String(rule.cron ?? '')
    form.timezone = String(rule.timezone ?? form.timezone)
  } else {
    form.ruleKind = 'interval'
    form.every = Number(rule.every ?? 1)
    form.unit = (rule.unit as IntervalUnit) ?? 'hours'
  }
  const start = typeof timing.starts_at === 'string' ? new Date(timing.starts_at) : null
  const end = typeof timing.ends_at === 'string' ? new Date(timing.ends_at) : null
  form.startsAt = start ? localInputValue(start) : form.startsAt
  form.endsAt = end ? localInputValue(end) : ''
  form.maxRuns = typeof timing.max_runs === 'number' ? timing.max_runs : ''
  form.catchUp = timing.catch_up === 'run_once' ? 'run_once' : 'skip'
  form.overlap = timing.overlap === 'queue' ? 'queue' : 'skip'
  return form
}

/** "Every 6 hours", "Cron 0 9 * * MON-FRI (Europe/London)". */
export function ruleText(timing: Record<string, unknown>): string {
  const rule = (timing.rule ?? {}) as SavedRule
  if (rule.kind === 'cron') return `Cron ${String(rule.cron)} (${String(rule.timezone)})`
  const every = Number(rule.every)
  const unit = String(rule.unit ?? '')
  return every === 1 ? `Every ${unit.replace(/s$/, '')}` : `Every ${every} ${unit}`
}

/**
 * An ISO 8601 instant as its own wall-clock time, "2026-12-08 09:00": the API gives each
 * occurrence in UTC and in the viewer's zone with its offset, so this shows exactly what it
 * said, whatever zone the browser is in.
 */
export function wallClock(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ')
}

/** "+01:00" from "2026-06-01T09:00:00+01:00" ("Z" → "+00:00"). */
export function offsetOf(iso: string): string {
  const match = /([+-]\d\d:\d\d|Z)$/.exec(iso)
  if (!match) return ''
  return match[1] === 'Z' ? '+00:00' : (match[1] ?? '')
}
