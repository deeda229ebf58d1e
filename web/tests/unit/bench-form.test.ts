// The benchmark form's rules (issue 17): a cleared number is "not set", an empty prompt and
// repeated tiers are refused at their field, cancelled rows stay out of the charts, and an
// early ETA is not shown as a figure.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import JobProgress from '@/components/JobProgress.vue'
import {
  defaultForm,
  FormProblem,
  numberOrNull,
  toRequest,
} from '@/features/benchmarks/benchmarkForm'
import { histogramByTarget, itlValues, outcomeOf } from '@/features/benchmarks/distributions'
import type { Job } from '@/stores/jobs'

function form() {
  return { ...defaultForm(), targets: [{ providerId: 'p', modelId: 'm' }] }
}

function problemOf(action: () => unknown): FormProblem {
  try {
    action()
  } catch (problem) {
    if (problem instanceof FormProblem) return problem
    throw problem
  }
  throw new Error('no FormProblem')
}

describe('benchmark form', () => {
  it('sends a cleared optional number as null, never "" or a stale value', () => {
    const cleared = {
      ...form(),
      temperature: '',
      maxTokens: '',
      numRequests: '',
      mode: 'concurrency' as const,
    }
    const body = toRequest(cleared)
    expect(body.temperature).toBeNull()
    expect(body.max_tokens).toBeNull()
    expect(body.num_requests).toBeNull()
    expect(toRequest({ ...form(), temperature: 0.5 }).temperature).toBe(0.5)
    expect(numberOrNull(Number.NaN)).toBeNull()
    expect(numberOrNull(' 2 ')).toBe(2)
  })

  it('names the field of a cleared required number', () => {
    expect(problemOf(() => toRequest({ ...form(), runs: '' })).field).toBe('runs')
    expect(
      problemOf(() => toRequest({ ...form(), mode: 'concurrency', concurrency: '' })).field,
    ).toBe('concurrency')
    expect(problemOf(() => toRequest({ ...form(), mode: 'rate', requestRate: null })).field).toBe(
      'request_rate',
    )
    expect(toRequest({ ...form(), warmup: '' }).warmup).toBe(0)
  })

  it('refuses an empty prompt instead of sending a default', () => {
    const problem = problemOf(() => toRequest({ ...form(), prompt: '  \n' }))
    expect(problem.field).toBe('prompt')
    expect(problem.message).toContain('Write a prompt')
  })

  it('refuses repeated context tiers and sweep points', () => {
    expect(problemOf(() => toRequest({ ...form(), contextTiers: '2k, 2000' })).message).toBe(
      'Each value may appear once: 2,000 is repeated.',
    )
    expect(
      problemOf(() => toRequest({ ...form(), mode: 'sweep_rate', sweep: '1, 2, 1' })).field,
    ).toBe('sweep')
    expect(toRequest({ ...form(), contextTiers: '0, 2k' }).context_tokens).toEqual([0, 2000])
  })
})

describe('cancelled rows', () => {
  const ok = (gaps: number[]) => ({
    target: 't',
    warmup: false,
    error: null,
    itl_ms: gaps,
    ttft_ms: 100,
  })
  it('are their own outcome and stay out of the ITL histogram', () => {
    const cancelled = {
      ...ok([10, 60_000]),
      error: { category: 'cancelled', message: 'stopped', status: null },
    }
    expect(outcomeOf(cancelled)).toBe('cancelled')
    expect(outcomeOf({ error: { category: 'server' } })).toBe('error')
    expect(outcomeOf(ok([]))).toBe('ok')
    const rows = [ok([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]), cancelled]
    const chart = histogramByTarget(rows, itlValues)
    const counts = (chart.series[0]?.data ?? []) as number[]
    expect(counts.reduce((a, b) => a + b, 0)).toBe(11)
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1)
  })
})

describe('job progress', () => {
  const job = (percent: number, eta: number | null) =>
    ({
      id: 'j',
      type: 'benchmark',
      title: 'Run A',
      status: 'running',
      progress_percent: percent,
      progress_detail: '3 of ~120 requests',
      eta_s: eta,
    }) as unknown as Job
  it('says "estimating…" until there is enough data for an ETA', () => {
    expect(mount(JobProgress, { props: { job: job(1, 86_400) } }).text()).toContain('estimating…')
    expect(mount(JobProgress, { props: { job: job(40, 30) } }).text()).toContain('left')
  })
})
