// The tuner run page follows its job over the (fake) WebSocket: a started trial shows as a
// running row, its `tuner_trial` event turns it into the stored trial; the table sorts on a
// header click; cancel posts to the job; a finished run shows its stop reason and results.
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

class FakeSocket {
  static OPEN = 1
  static instances: FakeSocket[] = []
  readyState = 0
  onopen: (() => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.instances.push(this)
  }

  send(): void {}

  close(): void {
    this.readyState = 3
  }

  connect(): void {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
    this.receive({ type: 'hello', heartbeat_s: 20 })
    this.receive({ type: 'resumed', replayed: 0 })
  }

  receive(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent)
  }
}

let mounted: VueWrapper | undefined

beforeEach(() => {
  FakeSocket.instances = []
  vi.stubGlobal('WebSocket', FakeSocket)
  stubColorScheme(false)
})

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  vi.unstubAllGlobals()
})

const AT = '2026-12-07T10:00:01Z'

function job(status = 'running', eventSeq = 1) {
  return {
    id: 'job-1',
    type: 'tune',
    owner_id: 'user-1',
    status,
    params: {},
    progress_percent: 10,
    progress_detail: '1 of 4 trials',
    eta_s: null,
    result: null,
    error: null,
    attempt: 1,
    cancel_requested: false,
    event_seq: eventSeq,
    created_at: '2026-12-07T10:00:00Z',
    started_at: '2026-12-07T10:00:00Z',
    finished_at: null,
  }
}

function trial(number: number, score: number, point: Record<string, unknown> = {}) {
  return {
    id: `trial-${number}`,
    number,
    kind: number === 1 ? 'baseline_default' : 'search',
    state: 'complete',
    point,
    effective: point,
    eval_run_id: `eval-${number}`,
    score,
    score_ci95: { low: score - 0.1, high: score + 0.05 },
    repeat_scores: [score],
    values: [score],
    partial: null,
    cases: 8,
    calls: 8,
    latency_p50_ms: 100 * number,
    cost_usd: 0,
    error: null,
    pareto: false,
    started_at: AT,
    finished_at: AT,
  }
}

const RUN = {
  id: 'run-1',
  name: 'Tune the sim',
  status: 'running',
  job_id: 'job-1',
  suite_id: 'suite-1',
  suite_name: 'Weather',
  suite_version: 1,
  profile: 'lenient',
  target: { provider_id: 'prov-1', model_id: 'benchstudio-sim-tunable' },
  space: {},
  validated_space: {
    dimensions: [
      { kind: 'range', name: 'temperature', low: 0, high: 1, step: 0.5 },
      { kind: 'choice', name: 'mode', choices: ['a', 'b'] },
    ],
    repeats: 1,
    adjustments: [],
  },
  strategy: { kind: 'grid', seed: 0 },
  objective: { source: 'tool_eval', metric: 'pass_rate', minimize: [] },
  stopping: { prune: true },
  budget: { max_trials: 4 },
  vendor_preset_id: null,
  concurrency: 1,
  estimate: { planned_trials: 4 },
  trials_done: 1,
  calls_used: 8,
  cost_usd: 0,
  merged_points: 0,
  stop_reason: null,
  error: null,
  experiment_id: null,
  created_at: AT,
  started_at: AT,
  finished_at: null,
}

const EMPTY_RESULTS = {
  best_trial_id: 'trial-1',
  best_score: 0.5,
  best_score_ci95: { low: 0.4, high: 0.55 },
  best_point: {},
  best_effective: {},
  baselines: [],
  pareto_trial_ids: [],
  objectives: ['pass_rate'],
  importance: [],
  importance_note: 'Importance needs at least 4 complete trials.',
}

function event(seq: number, type: string, data: Record<string, unknown>) {
  return { type, job_id: 'job-1', seq, at: AT, data }
}

async function openSocket(): Promise<FakeSocket> {
  await settle()
  const socket = FakeSocket.instances.at(-1)
  if (!socket) throw new Error('the app opened no socket')
  socket.connect()
  await settle()
  return socket
}

function rowNumbers(wrapper: VueWrapper): string[] {
  return wrapper
    .findAll('[data-testid="trial-row"]')
    .map((row) => row.attributes('data-trial') ?? '')
}

// Mounting the whole app is slow on a busy machine.
describe('tuner run page', { timeout: 20_000 }, () => {
  it('adds trials live as they start and finish, sorts them, and cancels the job', async () => {
    const fetch = stubApi({
      '/api/realtime/ticket': { body: { url: '/ws?ticket=t1', ticket: 't1', expires_in_s: 30 } },
      '/api/jobs/job-1': { body: job() },
      '/api/jobs/job-1/cancel': { body: { ...job(), cancel_requested: true } },
      '/api/tuning/runs/run-1': {
        body: { run: RUN, trials: [trial(1, 0.5)], results: EMPTY_RESULTS },
      },
      '/api/jobs/job-1/events': { body: [event(1, 'job_started', { attempt: 1 })] },
    })
    const { wrapper } = await mountApp('/tuning/runs/run-1')
    mounted = wrapper
    const socket = await openSocket()
    expect(wrapper.find('h1').text()).toBe('Tune the sim')
    expect(rowNumbers(wrapper)).toEqual(['1'])
    expect(wrapper.get('[data-testid="trials-done"]').text()).toContain('1 of 4')

    socket.receive(
      event(2, 'tuner_trial_started', {
        run_id: 'run-1',
        number: 2,
        kind: 'search',
        point: { temperature: 0.5, mode: 'a' },
      }),
    )
    await settle()
    expect(rowNumbers(wrapper)).toEqual(['1', '2'])
    expect(wrapper.findAll('[data-testid="trial-row"]')[1]?.text()).toContain('Running')
    expect(wrapper.get('[data-testid="trials-done"]').text()).toContain('1 running')

    socket.receive(
      event(3, 'tuner_trial', {
        run_id: 'run-1',
        trial: trial(2, 0.875, { temperature: 0.5, mode: 'a' }),
      }),
    )
    await settle()
    const second = wrapper.findAll('[data-testid="trial-row"]')[1]
    expect(second?.text()).toContain('Complete')
    expect(second?.text()).toContain('87.5% ± 7.5')
    expect(second?.get('[data-testid="trial-link"]').attributes('href')).toBe(
      '/tool-eval/runs/eval-2',
    )
    expect(wrapper.get('[data-testid="best-so-far"]').text()).toContain('87.5%')
    expect(wrapper.get('[data-testid="trials-done"]').text()).toContain('2 of 4')

    // Score, best first; again, worst first.
    await wrapper.get('[data-testid="sort-score"]').trigger('click')
    expect(rowNumbers(wrapper)).toEqual(['2', '1'])
    expect(wrapper.get('th[aria-sort="descending"]').text()).toContain('Score')
    await wrapper.get('[data-testid="sort-score"]').trigger('click')
    expect(rowNumbers(wrapper)).toEqual(['1', '2'])

    await wrapper.get('[data-testid="cancel-tuning"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/jobs/job-1/cancel')).toHaveLength(1)
  })

  it('shows a finished run: why it stopped, the best point, best vs baseline, the heatmap', async () => {
    const trials = [
      trial(1, 0.5),
      trial(2, 0.75, { temperature: 0, mode: 'a' }),
      trial(3, 0.875, { temperature: 0.5, mode: 'a' }),
      trial(4, 0.625, { temperature: 0.5, mode: 'b' }),
    ]
    const results = {
      ...EMPTY_RESULTS,
      best_trial_id: 'trial-3',
      best_score: 0.875,
      best_score_ci95: { low: 0.8, high: 0.95 },
      best_point: { temperature: 0.5, mode: 'a' },
      best_effective: { temperature: 0.5, mode: 'a' },
      baselines: [
        {
          baseline_trial_id: 'trial-1',
          baseline_kind: 'baseline_default',
          baseline_score: 0.5,
          difference: 0.375,
          difference_ci95: { low: 0.1, high: 0.6 },
          p_value: 0.004,
          significant: true,
          summary: 'The best point scores 37.5 points above the provider defaults.',
        },
      ],
      importance: [{ param: 'temperature', importance: 0.6 }],
      importance_note: null,
    }
    stubApi({
      '/api/jobs/job-1': { body: { ...job('done', 9), finished_at: AT } },
      '/api/tuning/runs/run-1': {
        body: {
          run: {
            ...RUN,
            status: 'completed',
            stop_reason: 'max_trials',
            trials_done: 4,
            active_s: 125,
            budget: { max_trials: 4, max_wall_s: 600 },
          },
          trials,
          results,
        },
      },
    })
    const { wrapper } = await mountApp('/tuning/runs/run-1')
    mounted = wrapper
    expect(wrapper.get('[data-testid="stop-reason"]').text()).toContain(
      'It reached its budget of trials.',
    )
    expect(wrapper.get('[data-testid="best-score"]').text()).toBe('87.5%')
    expect(wrapper.get('[data-testid="active-time"]').text()).toBe('2 min 5 s of 10 min')
    expect(wrapper.get('[data-testid="best-params"]').text()).toContain('temperature')
    expect(wrapper.get('[data-testid="baseline-comparison"]').text()).toContain(
      '+37.5 pts (95% CI +10.0 to +60.0 pts), significant, p=0.004',
    )
    expect(wrapper.findAll('[data-testid="importance-row"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="cancel-tuning"]').exists()).toBe(false)

    // The heatmap: temperature across, mode down; the mean score of each pair.
    const cells = () => wrapper.findAll('[data-testid="heatmap-cell"]').map((c) => c.text())
    expect(cells()).toEqual(['75.0%n=1', '87.5%n=1', '—', '62.5%n=1'])
    await wrapper.get('[data-testid="heatmap-x"]').setValue('mode')
    await wrapper.get('[data-testid="heatmap-y"]').setValue('temperature')
    await settle()
    expect(cells()).toEqual(['75.0%n=1', '—', '87.5%n=1', '62.5%n=1'])
  })

  it('reads a cancelled run as cancelled and resumes its interrupted job', async () => {
    const fetch = stubApi({
      '/api/jobs/job-1': { body: { ...job('interrupted', 5), finished_at: AT } },
      '/api/jobs/job-1/resume': { body: job('queued', 6) },
      '/api/tuning/runs/run-1': {
        body: {
          run: { ...RUN, status: 'cancelled', stop_reason: 'cancelled' },
          trials: [trial(1, 0.5)],
          results: EMPTY_RESULTS,
        },
      },
    })
    const { wrapper } = await mountApp('/tuning/runs/run-1')
    mounted = wrapper
    expect(wrapper.get('[data-testid="tuning-status"]').text()).toBe('Cancelled')
    expect(wrapper.find('[data-testid="tuning-error"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="stop-reason"]').text()).toContain(
      'It was cancelled; the finished trials are kept. Resume to continue the study.',
    )
    expect(wrapper.get('[data-testid="importance-note"]').text()).toBe(
      'Importance needs at least 4 complete trials.',
    )
    await wrapper.get('[data-testid="resume-tuning"]').trigger('click')
    await settle()
    expect(requestsTo(fetch, '/api/jobs/job-1/resume')).toHaveLength(1)
  })

  it('says why a failed run failed', async () => {
    stubApi({
      '/api/jobs/job-1': { body: { ...job('failed', 5), error: 'boom' } },
      '/api/tuning/runs/run-1': {
        body: {
          run: { ...RUN, status: 'failed', error: 'The model is not served by this provider.' },
          trials: [],
          results: { ...EMPTY_RESULTS, best_trial_id: null, best_score: null },
        },
      },
    })
    const { wrapper } = await mountApp('/tuning/runs/run-1')
    mounted = wrapper
    expect(wrapper.get('[data-testid="tuning-error"]').text()).toContain(
      'The model is not served by this provider.',
    )
    expect(wrapper.get('[data-testid="empty-state"]').text()).toContain('No trials')
    expect(wrapper.find('[data-testid="resume-tuning"]').exists()).toBe(false)
  })
})
