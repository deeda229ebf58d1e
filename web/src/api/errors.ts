// The one place that turns whatever the server (or the network) said into a readable message.
// The backend answers every error with {"error": {"code", "message", "request_id"}}; other
// shapes (FastAPI's `detail`, a proxy's HTML page, a dropped connection) are handled too so a
// user never sees "[object Object]".

export interface ApiErrorInit {
  status: number
  code: string
  message: string
  requestId?: string | undefined
  /** Per-field messages ("password" → "Use at least 8 characters.") for showing next to form inputs. */
  fieldErrors?: Record<string, string> | undefined
  /** Seconds to wait before trying again (a 429's or 503's Retry-After header). */
  retryAfterS?: number | undefined
  /** The envelope's `details` as sent (e.g. the existing item a duplicate import names). */
  details?: Record<string, unknown>[] | undefined
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId: string | undefined
  readonly fieldErrors: Record<string, string>
  readonly retryAfterS: number | undefined
  readonly details: Record<string, unknown>[]

  constructor(init: ApiErrorInit) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.requestId = init.requestId
    this.fieldErrors = init.fieldErrors ?? {}
    this.retryAfterS = init.retryAfterS
    this.details = init.details ?? []
  }

  /** Whether trying the same request again can help (not for a missing page or a refusal). */
  get retryable(): boolean {
    return ![401, 403, 404, 410, 422].includes(this.status)
  }

  /** A short heading for a toast or an error panel, e.g. "Validation error". */
  get title(): string {
    return titleForCode(this.code)
  }
}

/** Status 0 marks "the request never got an answer". */
export const NETWORK_STATUS = 0

const REQUEST_ID_HEADER = 'x-request-id'

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'Please sign in again.',
  403: 'You do not have permission to do that.',
  404: 'That item was not found.',
  409: 'That conflicts with the current state; reload and try again.',
  413: 'The request is too large.',
  422: 'Some fields are not valid.',
  429: 'Too many requests.',
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

export function humanizeCode(code: string): string {
  const words = code.replace(/[_.-]+/g, ' ').trim()
  if (words === '') return 'Error'
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** Headings for the codes whose humanized form reads badly. */
const CODE_TITLES: Record<string, string> = {
  validation_error: 'Check the form',
  rate_limited: 'Too many requests',
  account_disabled: 'Account disabled',
  invalid_credentials: 'Sign-in failed',
  not_found: 'Not found',
  server_unreachable: 'Server unreachable',
}

export function titleForCode(code: string): string {
  return CODE_TITLES[code] ?? humanizeCode(code)
}

/** Retry-After as whole seconds (delta-seconds or an HTTP date); undefined when absent or bad. */
export function retryAfterSeconds(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

/** "Try again in 12 s." (or in about N min for long waits). */
export function retryHint(seconds: number): string {
  if (seconds <= 1) return 'Try again in a moment.'
  if (seconds < 120) return `Try again in ${seconds} s.`
  return `Try again in about ${Math.round(seconds / 60)} min.`
}

function fallbackMessage(status: number): string {
  const known = FALLBACK_MESSAGES[status]
  if (known) return known
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again in a moment.`
  return `The request failed (HTTP ${status}).`
}

function fallbackCode(status: number): string {
  if (status >= 500) return 'server_error'
  if (status === 429) return 'rate_limited'
  if (status === 404) return 'not_found'
  return 'request_failed'
}

/** Pydantic prefixes custom validator messages with "Value error, "; users need only the rest. */
function withoutPydanticPrefix(message: string | undefined): string | undefined {
  if (message === undefined) return undefined
  const clean = message.replace(/Value error, /g, '')
  return clean.charAt(0).toUpperCase() + clean.slice(1)
}

interface FieldProblem {
  field: string
  message: string
}

/**
 * Plain sentences for Pydantic's error types, the same words the server's envelope uses
 * (src/benchstudio/http/validation_messages.py), for a validation list that did not come
 * through it (FastAPI's bare `detail`). Framework text ("Field required") is never shown.
 */
const PLAIN_TYPES: Record<string, string> = {
  missing: 'This field is required.',
  extra_forbidden: 'This field is not accepted here.',
  json_invalid: 'The request body is not valid JSON.',
  string_type: 'Enter text.',
  string_pattern_mismatch: 'This value has the wrong format.',
  int_type: 'Enter a whole number.',
  int_parsing: 'Enter a whole number.',
  float_type: 'Enter a number.',
  float_parsing: 'Enter a number.',
  bool_parsing: 'Choose yes or no.',
  url_parsing: 'Enter a web address such as https://example.com.',
  url_scheme: 'Use an http:// or https:// address.',
}

function plainFromType(type: unknown, ctx: unknown): string | undefined {
  if (typeof type !== 'string') return undefined
  const known = PLAIN_TYPES[type]
  if (known) return known
  const context = isRecord(ctx) ? ctx : {}
  if (type === 'string_too_short') {
    const n = Number(context.min_length ?? 1)
    return n === 1 ? 'This field cannot be empty.' : `Use at least ${n} characters.`
  }
  if (type === 'string_too_long' && context.max_length !== undefined)
    return `Use at most ${String(context.max_length)} characters.`
  if (type === 'greater_than_equal' && context.ge !== undefined)
    return `Enter ${String(context.ge)} or more.`
  if (type === 'less_than_equal' && context.le !== undefined)
    return `Enter ${String(context.le)} or less.`
  if (type === 'greater_than' && context.gt !== undefined)
    return `Enter a number greater than ${String(context.gt)}.`
  if (type === 'less_than' && context.lt !== undefined)
    return `Enter a number less than ${String(context.lt)}.`
  return undefined
}

/**
 * Validation items: [{loc: ["body", "password"], msg, type}]. From the server's envelope `msg`
 * is already a plain sentence; from a bare FastAPI `detail` it is translated by `type`.
 */
function fieldProblems(items: unknown, translate: boolean): FieldProblem[] {
  if (!Array.isArray(items)) return []
  return items.filter(isRecord).map((item) => ({
    field: Array.isArray(item.loc)
      ? item.loc.filter((part) => part !== 'body' && part !== 'query' && part !== 'path').join('.')
      : '',
    message:
      (translate ? plainFromType(item.type, item.ctx) : undefined) ??
      withoutPydanticPrefix(nonEmptyString(item.msg)) ??
      'This value is not accepted.',
  }))
}

function describeProblems(problems: FieldProblem[]): string | undefined {
  const parts = problems.map(({ field, message }) => (field ? `${field}: ${message}` : message))
  return parts.length > 0 ? parts.join('; ') : undefined
}

function fieldErrorMap(problems: FieldProblem[]): Record<string, string> {
  const map: Record<string, string> = {}
  for (const { field, message } of problems) if (field && !(field in map)) map[field] = message
  return map
}

interface BodyFacts {
  code?: string
  message?: string
  requestId?: string
  problems?: FieldProblem[]
  details?: Record<string, unknown>[]
}

function messageFromBody(body: unknown): BodyFacts {
  if (typeof body === 'string') {
    // Plain-text bodies are shown only when short: an HTML error page is not a message.
    const text = body.trim()
    return text && text.length <= 200 && !text.startsWith('<') ? { message: text } : {}
  }
  if (!isRecord(body)) return {}
  if (isRecord(body.error)) {
    return {
      code: nonEmptyString(body.error.code),
      message: withoutPydanticPrefix(nonEmptyString(body.error.message)),
      requestId: nonEmptyString(body.error.request_id),
      problems: fieldProblems(body.error.details, false),
      details: Array.isArray(body.error.details) ? body.error.details.filter(isRecord) : [],
    }
  }
  if (typeof body.detail === 'string') return { message: nonEmptyString(body.detail) }
  if (Array.isArray(body.detail)) {
    const problems = fieldProblems(body.detail, true)
    return { code: 'validation_error', message: describeProblems(problems), problems }
  }
  return {}
}

/** Build an ApiError from a failed response and its parsed body (JSON or text). */
export function toApiError(
  body: unknown,
  response: Pick<Response, 'status' | 'headers'>,
): ApiError {
  const fromBody = messageFromBody(body)
  const waitable = response.status === 429 || response.status === 503
  const retryAfterS = waitable ? retryAfterSeconds(response.headers.get('retry-after')) : undefined
  let message = fromBody.message ?? fallbackMessage(response.status)
  // A 429 says when to come back: "Too many sign-in attempts. Try again in 12 s."
  if (retryAfterS !== undefined && !/try again in/i.test(message))
    message = `${message} ${retryHint(retryAfterS)}`
  return new ApiError({
    status: response.status,
    code: fromBody.code ?? fallbackCode(response.status),
    message,
    requestId: fromBody.requestId ?? response.headers.get(REQUEST_ID_HEADER) ?? undefined,
    fieldErrors: fieldErrorMap(fromBody.problems ?? []),
    retryAfterS,
    details: fromBody.details,
  })
}

/** The request never got an answer: server down, connection refused, offline. */
export function networkError(): ApiError {
  return new ApiError({
    status: NETWORK_STATUS,
    code: 'server_unreachable',
    message: 'Cannot reach the BenchStudio server. Check that `benchstudio serve` is running.',
  })
}

/** Anything thrown → an ApiError, so every error display has the same fields. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof TypeError) return networkError()
  const message = error instanceof Error ? nonEmptyString(error.message) : undefined
  return new ApiError({
    status: NETWORK_STATUS,
    code: 'unexpected_error',
    message: message ?? 'Something went wrong in the web app.',
  })
}
