import { describe, expect, it } from 'vitest'

import {
  costShown,
  errorRows,
  isLoadRun,
  loadFigures,
  spreadRows,
  stepAxes,
  stepRows,
  stepTableTitle,
  trustWarning,
} from '@/features/benchmarks/runFigures'

const stat = (p50: number, extra: Record<string, number> = {}) => ({
  count: 10,
  mean: p50 + 1,
  std: 2.5,
  min: p50 - 3,
  p50,
  p90: p50 + 3,
  p95: p50 + 4,
  p99: p50 + 5,
  max: p50 + 9,
  outlier_count: 1,
  ...extra,
})

const block = (ttft: number) => ({
  requests: 20,
  errors: 4,
  errors_by_category: { server: 3, timeout: 1 },
  request_throughput: 12.5,
  output_token_throughput: 400,
  total_token_throughput: 900.25,
  duration_s: 1.6,
  ttft_ms: stat(ttft),
  itl_ms: stat(1.25),
  e2e_ms: stat(ttft * 3),
  output_tokens_per_s: stat(90),
})

describe('run figures', () => {
  it('reads the load rates as the server gave them', () => {
    expect(loadFigures(block(10))).toEqual({
      requestsPerS: 12.5,
      outputTokensPerS: 400,
      totalTokensPerS: 900.25,
      durationS: 1.6,
    })
    expect(isLoadRun('concurrency')).toBe(true)
    expect(isLoadRun('rate')).toBe(true)
    expect(isLoadRun('profile')).toBe(false)
  })

  it('gives one row per step, ordered by target, tier and load', () => {
    const steps = [
      { name: 'a@c4', target: 'a', context_tokens: 0, concurrency: 4, summary: block(20) },
      { name: 'a@c1', target: 'a', context_tokens: 0, concurrency: 1, summary: block(10) },
    ]
    const rows = stepRows(steps)
    expect(rows.map((r) => r.load)).toEqual(['c=1', 'c=4'])
    expect(rows[0]).toMatchObject({
      requests: 20,
      errors: 4,
      ttftP50: 10,
      ttftP95: 14,
      itlP50: 1.25,
      itlP95: 5.25,
      e2eP50: 30,
      speedP50: 90,
      requestsPerS: 12.5,
      totalTokensPerS: 900.25,
    })
    const axes = stepAxes(rows)
    expect(axes).toEqual({ targets: false, tiers: false, loads: true })
    expect(stepTableTitle(axes)).toBe('By load point')
  })

  it('names the table after the tiers of a profile run', () => {
    const rows = stepRows([
      { name: 'a@800', target: 'a', context_tokens: 800, summary: block(30) },
      { name: 'a@0', target: 'a', context_tokens: 0, summary: block(10) },
    ])
    expect(rows.map((r) => r.contextTokens)).toEqual([0, 800])
    expect(rows[0]?.load).toBeNull()
    expect(stepTableTitle(stepAxes(rows))).toBe('By context tier')
  })

  it('lists the spread of each measured metric, outliers included', () => {
    const rows = spreadRows(block(10))
    expect(rows.map((r) => r.key)).toEqual(['ttft_ms', 'itl_ms', 'e2e_ms', 'output_tokens_per_s'])
    expect(rows[0]?.stats).toEqual({
      count: 10,
      mean: 11,
      std: 2.5,
      min: 7,
      p50: 10,
      p90: 13,
      p95: 14,
      p99: 15,
      max: 19,
      outliers: 1,
    })
  })

  it('breaks errors down by category, most frequent first, with their share', () => {
    expect(errorRows(block(10))).toEqual([
      { category: 'server', label: 'Server error (5xx)', count: 3, share: 0.15 },
      { category: 'timeout', label: 'Timed out', count: 1, share: 0.05 },
    ])
    expect(errorRows({ requests: 3, errors_by_category: {} })).toEqual([])
  })

  it('warns only when the diagnostics say the run is not trustworthy, with the reasons', () => {
    expect(trustWarning({ trustworthy: true, untrustworthy_reasons: [] })).toBeNull()
    expect(trustWarning({ trustworthy: null })).toBeNull()
    const reasons = ['client CPU share 93% above 80%']
    expect(trustWarning({ trustworthy: false, untrustworthy_reasons: reasons })).toEqual({
      reasons,
      steps: [],
    })
    const step = {
      name: 'a@0:c=8',
      target: 'a',
      context_tokens: 8000,
      concurrency: 8,
      diagnostics: { trustworthy: false, untrustworthy_reasons: [] },
    }
    const other = { ...step, name: 'a@0:c=1', concurrency: 1, context_tokens: 0, diagnostics: {} }
    expect(trustWarning({ trustworthy: true }, [step, other])?.steps).toEqual([
      {
        name: 'a@0:c=8',
        label: 'c=8 · 8,000 context tokens',
        reasons: ['the client could not keep up with its own measuring'],
      },
    ])
    // One tier: the step is named by its load point alone.
    expect(trustWarning({}, [step])?.steps[0]?.label).toBe('c=8')
  })

  it('shows the demo simulator as free and an unpriced model as unknown', () => {
    expect(costShown(null, [{ is_demo: true }])).toEqual({
      text: '$0',
      note: 'free — demo simulator',
      free: true,
    })
    expect(costShown(null, [{ is_demo: false }]).note).toBe('unknown price')
    expect(costShown(0.01234, [{ is_demo: false }, { is_demo: true }]).text).toBe('$0.0123')
  })
})
