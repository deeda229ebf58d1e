// How jobs are named on screen.
import type { Job } from '@/stores/jobs'

const TYPE_NAMES: Record<string, string> = {
  'demo.units': 'Demo job',
  benchmark: 'Benchmark',
  'speed.benchmark': 'Benchmark',
  'toolcall.eval': 'Tool-calling eval',
}

export function jobTypeName(type: string): string {
  return TYPE_NAMES[type] ?? type.replace(/[._-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase())
}

/** "Demo job · 3f2a9c1b": the type plus the start of the id, to tell two apart. */
export function jobTitle(job: Pick<Job, 'type' | 'id'>): string {
  return `${jobTypeName(job.type)} · ${job.id.slice(0, 8)}`
}
