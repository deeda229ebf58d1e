// The one place that turns whatever the server (or the network) said into a readable message.
// The backend answers every error with {"error": {"code", "message", "request_id"}}; other
// shapes (FastAPI's `detail`, a proxy's HTML page, a dropped connection) are handled too so a
// user never sees "[object Object]".

export interface ApiErrorInit {
  status: number
  code: string
  message: string
  requestId?: string | undefined
  /** Per-field messages ("name" → "Field required") for showing next to form inputs. */
  fieldErrors?: Record<string, string> | undefined
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId: string | undefined
  readonly fieldErrors: Record<string, string>

  constructor(init: ApiErrorInit) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.requestId = init.requestId
    this.fieldErrors = init.fieldErrors ?? {}
  }

  /** A short heading for a toast or an error panel, e.g. "Validation error". */
  get title(): string {
    return humanizeCode(this.code)
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
  429: 'Too many requests; wait a moment and try again.',
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

/** Validation items as FastAPI makes them: [{loc: ["body", "name"], msg: "Field required"}]. */
function fieldProblems(items: unknown): FieldProblem[] {
  if (!Array.isArray(items)) return []
  return items.filter(isRecord).map((item) => ({
    field: Array.isArray(item.loc)
      ? item.loc.filter((part) => part !== 'body' && part !== 'query' && part !== 'path').join('.')
      : '',
    message: withoutPydanticPrefix(nonEmptyString(item.msg)) ?? 'is not valid',
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
      problems: fieldProblems(body.error.details),
    }
  }
  if (typeof body.detail === 'string') return { message: nonEmptyString(body.detail) }
  if (Array.isArray(body.detail)) {
    const problems = fieldProblems(body.detail)
    return { code: 'validation_error', message: describeProblems(problems), problems }
  }
  return {}
}

/** Build an ApiError from a failed response and its parsed body (JSON or text). */
export function toApiError(body: unknown, response: Pick<Response, 'status' | 'headers'>): ApiError {
  const fromBody = messageFromBody(body)
  return new ApiError({
    status: response.status,
    code: fromBody.code ?? fallbackCode(response.status),
    message: fromBody.message ?? fallbackMessage(response.status),
    requestId: fromBody.requestId ?? response.headers.get(REQUEST_ID_HEADER) ?? undefined,
    fieldErrors: fieldErrorMap(fromBody.problems ?? []),
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
