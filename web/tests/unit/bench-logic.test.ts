import { describe, expect, it } from 'vitest'

import { histogram } from '@/components/charts/histogram'
import {
  defaultForm,
  FormProblem,
  parseNumberList,
  toRequest,
} from '@/features/benchmarks/benchmarkForm'
import { histogramByTarget, stepSeries, ttftValues } from '@/features/benchmarks/distributions'
import { applyEvents, emptyLive, seriesByTarget } from '@/features/benchmarks/liveResults'
import { targetRows, winners } from '@/features/benchmarks/runSummary'
import type { StepOut } from '@/stores/benchmarks'

const target = { providerId: 'p1', modelId: 'sim' }

describe('benchmark form', () => {
  it('parses context tiers with k suffixes and rejects words', () => {
    expect(parseNumberList('0, 8k 16000', 'context_tokens')).toEqual([0, 8000, 16000])
    expect(() => parseNumberList('0, lots', 'context_tokens')).toThrow(FormProblem)
  })

  it('sends only the fields the chosen mode uses', () => {
    const form = { ...defaultForm(), targets: [target] }
    const profile = toRequest(form)
    expect(profile.prompt).toBe(form.prompt)
    expect(profile.concurrency).toBeUndefined()
    expect(profile.sweep).toBeUndefined()

    const sweep = toRequest({ ...form, mode: 'sweep_concurrency', sweep: '1, 2, 8' })
    expect(sweep.sweep).toEqual([1, 2, 8])
    expect(sweep.num_requests).toBe(form.numRequests)

    // Cold connections are a load-mode choice: a profile run never sends them.
    expect(toRequest({ ...form, cold: true }).cold).toBe(false)
    expect(toRequest({ ...form, mode: 'concurrency', cold: true }).cold).toBe(true)
    expect(toRequest({ ...form, mode: 'concurrency' }).cold).toBe(false)

    const templated = toRequest({ ...form, promptSource: 'template', templateId: 't1' })
    expect(templated.prompt).toBeUndefined()
    expect(templated.prompt_template_id).toBe('t1')
  })

  it('names the field at fault: no targets, bad parameters JSON', () => {
    expect(() => toRequest(defaultForm())).toThrow(expect.objectContaining({ field: 'targets' }))
    const bad = { ...defaultForm(), targets: [target], paramsJson: '[1, 2]' }
    expect(() => toRequest(bad)).toThrow(expect.objectContaining({ field: 'params' }))
    expect(toRequest({ ...bad, paramsJson: '{"top_p": 0.9}' }).params).toEqual({ top_p: 0.9 })
  })
})

describe('live results', () => {
  const result = (seq: number, data: Record<string, unknown>) => ({
    type: 'benchmark_result',
    seq,
    data: { target: 'A', step: 'A@0', ...data },
  })

  it('applies results, aggregates and steps once, ignoring replays', () => {
    let live = applyEvents(emptyLive(), [
      result(2, { ttft_ms: 50, output_tokens_per_s: 90 }),
      result(1, { ttft_ms: 80, warmup: true }),
      {
        type: 'benchmark_aggregate',
        seq: 3,
        data: { target: 'A', requests: 1, errors: 0, ttft_ms_p50: 50 },
      },
      { type: 'job_progress', seq: 4, data: { percent: 10 } },
    ])
    expect(live.results.map((r) => r.seq)).toEqual([1, 2])
    expect(live.aggregates.A?.ttftP50).toBe(50)
    expect(live.afterSeq).toBe(4)
    live = applyEvents(live, [
      result(2, { ttft_ms: 50 }),
      { type: 'benchmark_step', seq: 5, data: { name: 'A@0', skipped_reason: 'too long' } },
    ])
    expect(live.results).toHaveLength(2)
    expect(live.skipped).toEqual({ 'A@0': 'too long' })
  })

  it('charts only measured, successful values', () => {
    const live = applyEvents(emptyLive(), [
      result(1, { ttft_ms: 80, warmup: true }),
      result(2, { ttft_ms: 50 }),
      result(3, { ttft_ms: 999, error: 'timeout' }),
      result(4, { ttft_ms: 60, target: 'B' }),
    ])
    expect(seriesByTarget(live.results, (r) => r.ttftMs)).toEqual({ A: [50], B: [60] })
  })

  it('keeps results a resume superseded, marked, out of the charts', () => {
    const live = applyEvents(emptyLive(), [
      result(1, { ttft_ms: 50, request_id: 'a' }),
      result(2, { ttft_ms: 70, request_id: 'b' }),
      { type: 'benchmark_superseded', seq: 3, data: { request_ids: ['b'] } },
      result(4, { ttft_ms: 60, request_id: 'c' }),
    ])
    expect(live.results.map((r) => [r.requestId, r.superseded])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
    ])
    expect(seriesByTarget(live.results, (r) => r.ttftMs)).toEqual({ A: [50, 60] })
  })
})

describe('summaries and charts', () => {
  const block = (p50: number, ci: [number, number], speed: number) => ({
    requests: 10,
    errors: 0,
    ttft_ms: { count: 10, p50, median_ci95: ci, confidence: 'high' },
    output_tokens_per_s: { count: 10, p50: speed, median_ci95: [speed - 1, speed + 1] },
  })

  it('names the winner per metric and whether the lead is clear', () => {
    const rows = targetRows({ fast: block(40, [38, 42], 80), slow: block(90, [85, 95], 81) })
    const [ttft, speed] = winners(rows)
    expect(ttft).toMatchObject({ target: 'fast', verdict: 'clear', confidence: 'high' })
    expect(speed).toMatchObject({ target: 'slow', verdict: 'close' })
    expect(winners(targetRows({ only: block(40, [38, 42], 80) }))[0]?.verdict).toBe('alone')
  })

  it('bins values, keeping the maximum in the last bin', () => {
    const h = histogram([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(h.counts).toHaveLength(3)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(9)
    expect(histogram([5, 5]).counts).toEqual([2])
    expect(histogram([]).counts).toEqual([])
  })

  it('shares histogram bins between targets and skips warm-ups, errors and superseded rows', () => {
    const rows = [
      { target: 'A', ttft_ms: 10 },
      { target: 'A', ttft_ms: 20, warmup: true },
      { target: 'A', ttft_ms: 25, superseded: true },
      { target: 'B', ttft_ms: 30 },
      { target: 'B', ttft_ms: 40, error: { category: 'timeout' } },
    ]
    const chart = histogramByTarget(rows, ttftValues)
    expect(chart.series.map((s) => s.label)).toEqual(['A', 'B'])
    expect(chart.series.map((s) => (s.data as number[]).reduce((a, b) => a + b, 0))).toEqual([1, 1])
  })

  it('plots per-step figures against load, sorted, leaving skipped steps out', () => {
    const step = (
      concurrency: number,
      throughput: number,
      skipped: string | null = null,
    ): StepOut => ({
      name: `A@c${concurrency}`,
      target: 'A',
      model: 'm',
      mode: 'sweep_concurrency',
      context_tokens: 0,
      concurrency,
      skipped_reason: skipped,
      summary: { output_token_throughput: throughput },
    })
    const series = stepSeries(
      [step(4, 300), step(1, 100), step(8, 0, 'over limit')],
      (s) => s.concurrency,
      (s) => (s.summary?.output_token_throughput as number) ?? null,
    )
    expect(series).toEqual([
      {
        label: 'A',
        data: [
          { x: 1, y: 100 },
          { x: 4, y: 300 },
        ],
      },
    ])
  })
})
