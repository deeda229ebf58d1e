// Run-time validation of what the server sends over the WebSocket (shapes: the server's
// realtime/endpoints.py for control frames, jobs/domain.py `JobEventMessage.wire` for job
// events, and each job type's event data). A frame that fails is dropped before it reaches a
// store, and logged once per frame type and reason, not once per frame. A dropped job event
// leaves a gap in its job's sequence numbers, which the job feed fills from the stored events.
import { z } from 'zod'

// Our CSP forbids eval: zod's compiled fast path would only report a violation, so it stays off.
z.config({ jitless: true })

export interface LiveEvent {
  type: string
  job_id: string
  seq: number
  at: string
  data: Record<string, unknown>
}

const count = z.number().int().nonnegative()
const text = z.string().nullish()
const figure = z.number().nullish()

/** Control frames: not job events, no sequence number. */
const controlSchemas = {
  hello: z.looseObject({
    type: z.literal('hello'),
    heartbeat_s: z.number().positive(),
    resume_wait_s: z.number().nonnegative().optional(),
  }),
  resumed: z.looseObject({ type: z.literal('resumed'), replayed: count }),
  ping: z.looseObject({ type: z.literal('ping'), t: z.number().optional() }),
  pong: z.looseObject({ type: z.literal('pong') }),
  error: z.looseObject({ type: z.literal('error'), code: z.string(), message: z.string() }),
  cancel_result: z.looseObject({
    type: z.literal('cancel_result'),
    ok: z.boolean(),
    job_id: z.string().optional(),
    status: z.string().optional(),
    error: z.string().optional(),
  }),
}

export type ControlFrame = { type: string } & Record<string, unknown>

const ending = z.looseObject({ status: text, error: text })

/** The data of each job event type the server sends (fields the stores read, typed). */
const eventDataSchemas: Record<string, z.ZodType<Record<string, unknown>>> = {
  job_created: z.looseObject({ job_type: text, status: text, resumed: z.boolean().nullish() }),
  job_started: z.looseObject({ attempt: count.nullish(), worker: text }),
  job_progress: z.looseObject({
    percent: z.number().min(0).max(100).nullish(),
    detail: text,
    eta_s: figure,
  }),
  job_cancel_requested: z.looseObject({}),
  job_completed: ending,
  job_failed: ending,
  job_cancelled: ending,
  job_interrupted: ending,
  benchmark_result: z.looseObject({
    run_id: text,
    target: text,
    step: text,
    request_id: text,
    warmup: z.boolean().nullish(),
    ttft_ms: figure,
    tpot_ms: figure,
    e2e_ms: figure,
    output_tokens: figure,
    output_tokens_per_s: figure,
    error: text,
  }),
  benchmark_aggregate: z.looseObject({
    run_id: text,
    target: z.string(),
    requests: count,
    errors: count,
    ttft_ms_p50: figure,
    tpot_ms_p50: figure,
    e2e_ms_p50: figure,
    output_tokens_per_s_p50: figure,
  }),
  benchmark_step: z.looseObject({
    run_id: text,
    name: z.string(),
    target: text,
    skipped_reason: text,
  }),
  benchmark_superseded: z.looseObject({ run_id: text, request_ids: z.array(z.string()) }),
  eval_case_result: z.looseObject({
    result_id: z.string(),
    target: text,
    case_id: text,
    category: text,
    pass: z.boolean(),
    error_category: text,
    latency_ms: figure,
    finished: count,
    passed: count,
    total: count,
  }),
}

/** Every job event, known type or not: a job, its next sequence number, a time, data. */
const eventEnvelope = z.object({
  type: z.string().min(1),
  job_id: z.string().min(1),
  seq: z.number().int().positive(),
  at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a date and time'),
  data: z.record(z.string(), z.unknown()),
})

export type Frame = { kind: 'control'; frame: ControlFrame } | { kind: 'event'; event: LiveEvent }

const warned = new Set<string>()

function drop(type: string, reason: string): null {
  const key = `${type}\u0000${reason}`
  if (!warned.has(key)) {
    warned.add(key)
    console.warn(
      `Live updates: dropped a "${type}" frame (${reason}); further ones like it are dropped silently.`,
    )
  }
  return null
}

function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.map(String).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

function isControlType(type: string): type is keyof typeof controlSchemas {
  return Object.hasOwn(controlSchemas, type)
}

/** A validated frame from the socket's raw text, or null (dropped, logged once). */
export function parseFrame(raw: string): Frame | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return drop('(unreadable)', 'not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return drop('(unreadable)', 'not an object')
  }
  const type = (parsed as Record<string, unknown>).type
  if (typeof type !== 'string' || type === '') return drop('(untyped)', 'no type')
  if (isControlType(type)) {
    const control = controlSchemas[type].safeParse(parsed)
    return control.success
      ? { kind: 'control', frame: control.data }
      : drop(type, reasonOf(control.error))
  }
  if (!('job_id' in parsed)) return drop(type, 'unknown frame type')
  const envelope = eventEnvelope.safeParse(parsed)
  if (!envelope.success) return drop(type, reasonOf(envelope.error))
  // A job event of a type this app does not know (a newer server) passes on its envelope:
  // stores ignore types they do not know, and the job's sequence stays whole.
  const schema = eventDataSchemas[type]
  if (schema) {
    const data = schema.safeParse(envelope.data.data)
    if (!data.success) return drop(type, `data.${reasonOf(data.error)}`)
  }
  return { kind: 'event', event: envelope.data }
}

/** Forget which drops were logged (tests). */
export function resetFrameWarnings(): void {
  warned.clear()
}
