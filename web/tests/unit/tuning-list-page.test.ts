// The tuner runs list in the whole shell: the empty state explaining the tuner, a run's row
// (model, trials done of planned, best score, cost), the status filter sent to the API and
// kept in the address.
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'

import { mountApp, settle } from './mount-app'
import { requestsTo, stubApi } from './fakes'

const RUN = {
  id: 'r1',
  name: 'Warm search',
  status: 'completed',
  job_id: 'j1',
  suite_id: 's1',
  suite_name: 'Weather',
  suite_version: 2,
  profile: 'lenient',
  target: { provider_id: 'p1', model_id: 'benchstudio-sim-tunable' },
  space: {},
  validated_space: {},
  strategy: {},
  objective: {},
  stopping: {},
  budget: { max_trials: 20 },
  vendor_preset_id: null,
  concurrency: 2,
  estimate: { planned_trials: 12 },
  trials_done: 7,
  calls_used: 56,
  cost_usd: 0.1234,
  merged_points: 1,
  stop_reason: 'patience',
  error: null,
  experiment_id: null,
  best_score: 0.875,
  created_at: '2026-12-07T08:00:00Z',
  started_at: null,
  finished_at: null,
}

const page = (items: unknown[]) => ({ items, total: items.length, limit: 50, offset: 0 })

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  window.localStorage.clear()
})

async function open(path: string) {
  const app = await mountApp(path)
  mounted = app.wrapper
  return app
}

describe('the tuner runs list', () => {
  it('explains the tuner when there are no runs and links to a new one', async () => {
    stubApi({ '/api/tuning/runs': { body: page([]) } })
    const { wrapper } = await open('/tuning')
    const empty = wrapper.get('[data-testid="empty-state"]')
    expect(empty.text()).toContain('No tuning runs yet')
    expect(empty.text()).toContain('baselines')
    expect(empty.get('[data-testid="empty-new-tuning"]').attributes('href')).toBe('/tuning/new')
  })

  it('lists a run with its model, trials of planned, best score and cost', async () => {
    stubApi({ '/api/tuning/runs': { body: page([RUN]) } })
    const { wrapper } = await open('/tuning')
    await settle()
    const row = wrapper.get('[data-testid="tuning-row"]')
    expect(row.text()).toContain('Warm search')
    expect(row.text()).toContain('benchstudio-sim-tunable')
    expect(row.text()).toContain('1 duplicate point merged')
    expect(row.get('[data-testid="tuning-trials"]').text()).toBe('7 of 12')
    expect(row.get('[data-testid="tuning-best"]').text()).toBe('87.5%')
    expect(row.get('[data-testid="tuning-status"]').text()).toBe('Completed')
    expect(row.text()).toContain('$0.12')
    expect(row.get('a').attributes('href')).toBe('/tuning/runs/r1')
  })

  it('sends the status filter and keeps it in the address', async () => {
    const fake = stubApi({ '/api/tuning/runs': { body: page([]) } })
    const { wrapper, router } = await open('/tuning')
    await wrapper.get('[data-testid="tuning-status-filter"]').setValue('running')
    await settle()
    expect(router.currentRoute.value.query).toEqual({ status: 'running' })
    const last = requestsTo(fake, '/api/tuning/runs').at(-1)
    expect(new URL(last?.url ?? '').searchParams.getAll('status')).toEqual(['running'])
    expect(wrapper.get('[data-testid="empty-state"]').text()).toContain('No tuning runs match')
  })
})
