// Names that tell runs apart in pickers and comparisons: what ran (title, models, mode) and
// when; runs that would still read the same get the end of their id.
import { formatDateTime } from '@/format'

const MODE_LABELS: Record<string, string> = {
  profile: 'profile',
  concurrency: 'concurrency',
  rate: 'request rate',
}

export interface BenchmarkRunLike {
  id: string
  title: string
  mode: string
  created_at: string
  targets: { model_display: string }[]
}

/** "gpt-4o vs claude · concurrency · 6 Dec 2026, 21:55": models, mode and start. */
export function benchmarkCaption(run: BenchmarkRunLike): string {
  return [
    run.targets.map((t) => t.model_display).join(' vs '),
    MODE_LABELS[run.mode] ?? run.mode,
    formatDateTime(run.created_at),
  ]
    .filter(Boolean)
    .join(' · ')
}

/** `label(item)` for each item, with " · …<id end>" added where two would read the same. */
export function distinctLabels<T extends { id: string }>(
  items: T[],
  label: (item: T) => string,
): Map<string, string> {
  const base = new Map(items.map((item) => [item.id, label(item)]))
  const seen = new Map<string, number>()
  for (const text of base.values()) seen.set(text, (seen.get(text) ?? 0) + 1)
  return new Map(
    [...base.entries()].map(([id, text]) => [
      id,
      (seen.get(text) ?? 0) > 1 ? `${text} · …${id.slice(-6)}` : text,
    ]),
  )
}
