import { describe, expect, it } from 'vitest'

import { attemptRow, resumedSteps } from '@/features/benchmarks/stepAttempts'

const health = (cpu: number, p99: number, reasons: string[] = []) => ({
  client_cpu_share: cpu,
  event_loop_lag_ms: { p50: 0.1, p99, max: p99 + 1, samples: 200 },
  untrustworthy_reasons: reasons,
  trustworthy: reasons.length === 0,
})

describe('resumed steps', () => {
  it('lists only steps that span attempts, each attempt with its client health', () => {
    const steps = [
      { name: 'm@0', target: 'm', context_tokens: 0, attempts: [] },
      {
        name: 'm@1000',
        target: 'm',
        context_tokens: 1000,
        attempts: [
          {
            attempt: 1,
            rows: 7,
            superseded: false,
            diagnostics: health(0.123, 0.84),
            partial: true,
          },
          { attempt: 1, rows: 1, superseded: true },
          { attempt: 2, rows: 9, superseded: false, diagnostics: health(0.9, 6.04, ['cpu']) },
        ],
      },
    ]
    const resumed = resumedSteps(steps)
    expect(resumed).toHaveLength(1)
    const step = resumed[0]!
    expect(step.label).toBe('1,000 context tokens')
    expect(
      step.attempts.map((a) => [a.label, a.rows, a.cpuShare, a.loopLagP99, a.partial]),
    ).toEqual([
      ['Attempt 1', '7 requests kept', '12%', '0.8 ms', true],
      ['Attempt 1', '1 request superseded', null, null, false],
      ['Attempt 2', '9 requests kept', '90%', '6.0 ms', false],
    ])
    expect(step.attempts[1]?.unknown).toBe(true)
    expect(step.attempts[2]?.untrustworthy).toEqual(['cpu'])
    expect(new Set(step.attempts.map((a) => a.key)).size).toBe(3)
  })

  it('reads a window cut short before any row was stored, and rows from before attempts', () => {
    const cut = attemptRow(
      { attempt: 1, rows: 0, superseded: false, diagnostics: health(0.05, 1) },
      0,
    )
    expect(cut.rows).toBe('no request stored')
    expect(cut.cpuShare).toBe('5%')
    const old = attemptRow({ attempt: null, rows: 3, superseded: true, diagnostics: null }, 0)
    expect(old.label).toBe('Before attempts were recorded')
    expect(old.unknown).toBe(true)
  })

  it('shows nothing for a run measured in one attempt', () => {
    expect(resumedSteps([{ name: 'm@0', target: 'm' }])).toEqual([])
  })
})
