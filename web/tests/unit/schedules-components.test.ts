import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import ScheduleAlerts from '@/components/schedules/ScheduleAlerts.vue'
import ScheduleTrend from '@/components/schedules/ScheduleTrend.vue'
import type { Alerts, Trend } from '@/features/schedules/status'

const metrics = (ttft: number) => ({
  ttft_p50: ttft,
  ttft_p95: ttft * 1.5,
  output_tps: 80,
  error_rate: 0,
  cost: 0,
  score: null,
})

const trend: Trend = {
  schedule_id: 's1',
  kind: 'benchmark',
  baseline_kind: 'rolling',
  baseline_window: 5,
  baseline_run_id: null,
  baseline: metrics(51.234),
  open: ['ttft_p50'],
  points: [1, 2, 3].map((n) => ({
    run_id: `r${n}`,
    kind: 'benchmark' as const,
    occurrence_at: `2026-12-07T10:0${n}:00Z`,
    run_number: n,
    status: 'done',
    metrics: metrics(n === 3 ? 420.06 : 50 + n),
    checked: true,
    in_episode: n === 3 ? ['ttft_p50' as const] : [],
  })),
}

describe('schedule trend and alerts', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('shows the API baseline and marks the runs in an alert episode', () => {
    const wrapper = mount(ScheduleTrend, { props: { trend } })
    expect(wrapper.get('[data-testid=trend-baseline]').text()).toBe('51.2 ms')
    expect(wrapper.text()).toContain('in an alert episode: run 3')
    expect(wrapper.text()).toContain('median of the last 5 runs')
    const options = wrapper.findAll('[data-testid=trend-metric] option').map((o) => o.text())
    expect(options).toEqual([
      'TTFT p50',
      'TTFT p95',
      'Output tokens/s',
      'Error rate',
      'Cost per request',
    ])
    const cells = wrapper.findAll('table td').map((td) => td.text())
    expect(cells).toEqual(['51.0 ms', '52.0 ms', '420.1 ms'])
  })

  it('lists episodes with their figures and offers mute per ruled metric', () => {
    const alerts: Alerts = {
      open: [],
      mutes: [{ metric: 'ttft_p50', until: null }],
      episodes: {
        items: [
          {
            id: 'e1',
            metric: 'ttft_p50',
            baseline: 51.234,
            value: 420.06,
            p_value: 0.0000123,
            opened_run_id: 'r3',
            opened_at: '2026-12-07T10:03:00Z',
            muted: true,
            runs: 2,
            closed_run_id: null,
            closed_value: null,
            closed_at: null,
          },
        ],
        total: 1,
        limit: 50,
        offset: 0,
      },
    }
    const wrapper = mount(ScheduleAlerts, {
      props: { scheduleId: 's1', alerts, ruleMetrics: ['ttft_p50', 'error_rate'] },
    })
    expect(wrapper.get('[data-testid=alert-value]').text()).toBe('420.1 ms')
    expect(wrapper.get('[data-testid=alert-baseline]').text()).toBe('51.2 ms')
    expect(wrapper.get('[data-testid=alert-state]').text()).toBe('Open · muted')
    expect(wrapper.text()).toContain('p = 1.23e-5')
    expect(wrapper.get('[data-testid=mute-ttft_p50]').text()).toBe('Unmute TTFT p50')
    expect(wrapper.get('[data-testid=mute-error_rate]').text()).toBe('Mute Error rate')
  })
})
