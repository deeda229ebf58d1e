// A webhook delivery attempt in words: delivered, refused by the egress guard (never retried),
// failed with a retry planned, or failed for good. The log holds no URL, secret or response.
import type { components } from '@/api/schema'

export type DeliveryAttempt = components['schemas']['DeliveryAttemptOut']
export type AttemptOutcome = 'delivered' | 'refused' | 'retrying' | 'failed'

const REFUSED = 'refused by the egress guard'

export function attemptOutcome(attempt: DeliveryAttempt): AttemptOutcome {
  const code = attempt.status_code
  if (code !== null && code >= 200 && code < 300 && !attempt.error) return 'delivered'
  if ((attempt.error ?? '').startsWith(REFUSED)) return 'refused'
  return attempt.next_retry_at !== null ? 'retrying' : 'failed'
}

export const OUTCOME_LABELS: Record<AttemptOutcome, string> = {
  delivered: 'Delivered',
  refused: 'Refused',
  retrying: 'Failed, will retry',
  failed: 'Failed',
}

export const OUTCOME_CLASSES: Record<AttemptOutcome, string> = {
  delivered: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-200',
  refused: 'bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-200',
  retrying: 'bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-200',
  failed: 'bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-200',
}

/** The response column: the HTTP status, else the error, else a dash. */
export function attemptResponse(attempt: DeliveryAttempt): string {
  if (attempt.status_code !== null) {
    return attempt.error ? `${attempt.status_code} · ${attempt.error}` : String(attempt.status_code)
  }
  return attempt.error ?? '—'
}

/** The header receivers check: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'X-BenchStudio-Signature'
export const EVENT_HEADER = 'X-BenchStudio-Event'
export const WEBHOOK_EVENTS = [
  'schedule.regressed',
  'schedule.recovered',
  'schedule.skipped',
  'schedule.paused',
] as const
