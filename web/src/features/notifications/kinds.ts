// How each kind of notice looks: its icon, its tone and a short label. The server's kinds are
// the alert events (schedule.regressed, schedule.recovered) and the schedule's own notices
// (schedule.skipped, schedule.paused); an unknown kind still shows, as plain information.
import type { IconName } from '@/components/icons'

export type NoticeTone = 'bad' | 'good' | 'warn' | 'info'

export interface NoticeKind {
  label: string
  icon: IconName
  tone: NoticeTone
}

const KINDS: Record<string, NoticeKind> = {
  'schedule.regressed': { label: 'Regression', icon: 'alert', tone: 'bad' },
  'schedule.recovered': { label: 'Recovered', icon: 'check', tone: 'good' },
  'schedule.skipped': { label: 'Run skipped', icon: 'info', tone: 'warn' },
  'schedule.paused': { label: 'Schedule paused', icon: 'pause', tone: 'warn' },
}

export function noticeKind(kind: string): NoticeKind {
  return KINDS[kind] ?? { label: 'Notice', icon: 'bell', tone: 'info' }
}

/** Tailwind classes of the icon's badge per tone, light and dark. */
export const TONE_CLASSES: Record<NoticeTone, string> = {
  bad: 'bg-rose-50 text-rose-600 dark:bg-rose-500/15 dark:text-rose-300',
  good: 'bg-emerald-50 text-emerald-600 dark:bg-emerald-500/15 dark:text-emerald-300',
  warn: 'bg-amber-50 text-amber-700 dark:bg-amber-500/15 dark:text-amber-300',
  info: 'bg-brand-50 text-brand-600 dark:bg-brand-500/15 dark:text-brand-300',
}

/** The bell's badge: the count, capped so it stays one short pill. */
export function unreadBadge(count: number): string {
  return count > 99 ? '99+' : String(count)
}

/** What a link to a notice's subject says, from the link's path. */
export function linkLabel(link: string): string {
  if (link.startsWith('/schedules/')) return 'Open schedule'
  if (link.startsWith('/tool-eval/runs/') || link.startsWith('/benchmarks/')) return 'Open run'
  return 'Open'
}
