import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { LiveConnection, type LiveEvent } from '@/realtime/connection'
import { parseFrame, resetFrameWarnings } from '@/realtime/frames'

const AT = '2026-12-06T18:37:59.123456+00:00'

function event(
  type: string,
  data: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({ type, job_id: 'job-a', seq: 3, at: AT, data, ...extra })
}

let warn: ReturnType<typeof vi.spyOn>

beforeEach(() => {
  resetFrameWarnings()
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})

afterEach(() => {
  warn.mockRestore()
})

describe('WebSocket frame validation', () => {
  it('passes the frames the server sends', () => {
    const valid = [
      JSON.stringify({ type: 'hello', heartbeat_s: 20, resume_wait_s: 2 }),
      JSON.stringify({ type: 'resumed', replayed: 4 }),
      JSON.stringify({ type: 'ping', t: 1733500000.5 }),
      JSON.stringify({ type: 'pong' }),
      JSON.stringify({ type: 'error', code: 'frame_too_large', message: 'Too large.' }),
      JSON.stringify({ type: 'cancel_result', job_id: 'job-a', ok: true, status: 'running' }),
      event('job_created', { job_type: 'benchmark', status: 'queued' }),
      event('job_started', { attempt: 1, worker: 'w1' }),
      event('job_progress', { percent: 42.5, detail: '4 of 10', eta_s: null }),
      event('job_cancel_requested', {}),
      event('job_completed', { status: 'done', error: null, result: { runs: 3 } }),
      event('job_failed', { status: 'failed', error: 'bad configuration' }),
      event('benchmark_result', {
        run_id: 'r',
        target: 'm@0',
        step: 'c=1',
        request_id: 'q1',
        warmup: false,
        ttft_ms: 12.5,
        tpot_ms: null,
        e2e_ms: 40,
        output_tokens: 8,
        output_tokens_per_s: 200,
        error: null,
      }),
      event('benchmark_aggregate', {
        run_id: 'r',
        target: 'm@0',
        requests: 5,
        errors: 0,
        ttft_ms_p50: 12.1,
      }),
      event('benchmark_step', { run_id: 'r', name: 'c=1', target: 'm@0', skipped_reason: null }),
      event('benchmark_superseded', { run_id: 'r', request_ids: ['q1', 'q2'] }),
      event('eval_case_result', {
        result_id: 'x',
        target: 't',
        case_id: 'c',
        category: 'simple',
        pass: true,
        error_category: null,
        latency_ms: 12,
        finished: 1,
        passed: 1,
        total: 9,
      }),
      // A job event type this app does not know yet passes on its envelope.
      event('unit_result', { index: 1, value: 1 }),
    ]
    for (const raw of valid) expect(parseFrame(raw), raw).not.toBeNull()
    expect(warn).not.toHaveBeenCalled()
  })

  it('drops malformed frames', () => {
    const malformed = [
      'not json',
      '[1, 2]',
      JSON.stringify({ heartbeat_s: 20 }),
      JSON.stringify({ type: 'hello', heartbeat_s: 'soon' }),
      JSON.stringify({ type: 'resumed', replayed: -1 }),
      JSON.stringify({ type: 'surprise' }),
      event('job_progress', { percent: 50 }, { seq: '5' }),
      event('job_progress', { percent: 50 }, { job_id: '' }),
      event('job_progress', { percent: 50 }, { at: 'yesterday' }),
      event('job_progress', { percent: 'half' }),
      event('job_progress', { percent: 150 }),
      event('benchmark_aggregate', { target: 'm@0', requests: 'five', errors: 0 }),
      event('benchmark_superseded', { request_ids: 'q1' }),
      event('eval_case_result', { result_id: 'x', pass: 'yes', finished: 1, passed: 1, total: 2 }),
      JSON.stringify({ type: 'job_progress', job_id: 'job-a', seq: 3, at: AT, data: [] }),
    ]
    for (const raw of malformed) expect(parseFrame(raw), raw).toBeNull()
  })

  it('logs a drop once per frame type and reason, not once per frame', () => {
    for (let i = 0; i < 5; i += 1) parseFrame(event('job_progress', { percent: 'half' }))
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toContain('job_progress')
    parseFrame(event('job_progress', { eta_s: 'soon' }))
    parseFrame(event('benchmark_step', { name: 7 }))
    parseFrame(event('benchmark_step', { name: 8 }))
    expect(warn).toHaveBeenCalledTimes(3)
  })

  it('never hands a malformed event to the stores, and a valid one passes', async () => {
    vi.useFakeTimers()
    const received: LiveEvent[] = []
    const controls: unknown[] = []
    let socket: { onmessage: ((message: MessageEvent) => void) | null } | undefined
    const live = new LiveConnection({
      requestTicket: async () => ({ url: '/ws?ticket=t' }),
      lastSeqs: () => ({}),
      onEvent: (e) => received.push(e),
      onControl: (frame) => controls.push(frame),
      createSocket: () => {
        socket = { onmessage: null }
        return Object.assign(socket, {
          send: () => undefined,
          close: () => undefined,
        }) as unknown as WebSocket
      },
    })
    live.start()
    await vi.advanceTimersByTimeAsync(0)
    const send = (raw: string): void => socket?.onmessage?.({ data: raw } as MessageEvent)
    send(event('job_progress', { percent: 'half' }, { seq: 2 }))
    send(JSON.stringify({ type: 'error', code: 42 }))
    send(event('job_progress', { percent: 50 }, { seq: 3 }))
    send(JSON.stringify({ type: 'error', code: 'too_many_jobs', message: 'At most 200 jobs.' }))
    expect(received.map((e) => [e.type, e.seq, e.data.percent])).toEqual([['job_progress', 3, 50]])
    expect(controls).toEqual([
      { type: 'error', code: 'too_many_jobs', message: 'At most 200 jobs.' },
    ])
    live.stop()
    vi.useRealTimers()
  })
})
