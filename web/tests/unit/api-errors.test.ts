import { describe, expect, it } from 'vitest'

import { createApiClient, unwrap } from '@/api/client'
import { ApiError, NETWORK_STATUS, asApiError, humanizeCode, toApiError } from '@/api/errors'

import { stubApi } from './fakes'

function response(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers })
}

describe('toApiError', () => {
  it('reads code, message and request id from the error envelope', () => {
    const error = toApiError(
      { error: { code: 'provider_not_found', message: 'No such provider.', request_id: 'req-1' } },
      response(404),
    )
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(404)
    expect(error.code).toBe('provider_not_found')
    expect(error.message).toBe('No such provider.')
    expect(error.requestId).toBe('req-1')
    expect(error.title).toBe('Provider not found')
  })

  it('falls back to the request id header when the body has none', () => {
    const error = toApiError({ detail: 'Not Found' }, response(404, { 'x-request-id': 'hdr-9' }))
    expect(error.message).toBe('Not Found')
    expect(error.requestId).toBe('hdr-9')
  })

  it('lists FastAPI validation errors field by field, in plain words', () => {
    const body = {
      detail: [
        { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
        {
          loc: ['body', 'password'],
          msg: 'String should have at least 8 characters',
          type: 'string_too_short',
          ctx: { min_length: 8 },
        },
        {
          loc: ['query', 'limit'],
          msg: 'Input should be less than 100',
          type: 'less_than',
          ctx: { lt: 100 },
        },
      ],
    }
    const error = toApiError(body, response(422))
    expect(error.code).toBe('validation_error')
    expect(error.message).not.toMatch(/should|Field required/)
    expect(error.fieldErrors).toEqual({
      name: 'This field is required.',
      password: 'Use at least 8 characters.',
      limit: 'Enter a number less than 100.',
    })
  })

  it('says when to retry after a 429', () => {
    const body = { error: { code: 'rate_limited', message: 'Too many sign-in attempts.' } }
    const error = toApiError(body, response(429, { 'retry-after': '12' }))
    expect(error.message).toBe('Too many sign-in attempts. Try again in 12 s.')
    expect(error.retryAfterS).toBe(12)
    expect(error.retryable).toBe(true)
    expect(toApiError(undefined, response(404)).retryable).toBe(false)
  })

  it('keeps the envelope message and exposes its details per field', () => {
    const body = {
      error: {
        code: 'validation_error',
        message: 'Base url: use an http:// or https:// address.',
        request_id: 'req-2',
        details: [
          {
            loc: ['body', 'base_url'],
            msg: 'Use an http:// or https:// address.',
            type: 'url_scheme',
          },
        ],
      },
    }
    const error = toApiError(body, response(422))
    expect(error.message).toBe('Base url: use an http:// or https:// address.')
    expect(error.fieldErrors).toEqual({ base_url: 'Use an http:// or https:// address.' })
  })

  it('never shows an HTML error page as the message', () => {
    const error = toApiError('<html><body>Bad Gateway</body></html>', response(502))
    expect(error.message).toBe('The server had a problem (HTTP 502). Try again in a moment.')
    expect(error.code).toBe('server_error')
  })

  it('uses a short plain-text body as the message', () => {
    expect(toApiError('Service paused for upgrade', response(503)).message).toBe(
      'Service paused for upgrade',
    )
  })

  it('gives a readable message when the body is empty or odd', () => {
    expect(toApiError(undefined, response(429)).message).toMatch(/Too many requests/)
    expect(toApiError({ unexpected: true }, response(418)).message).toBe(
      'The request failed (HTTP 418).',
    )
    expect(toApiError(null, response(401)).message).toBe('Please sign in again.')
  })
})

describe('asApiError', () => {
  it('turns a fetch TypeError into a server-unreachable error', () => {
    const error = asApiError(new TypeError('Failed to fetch'))
    expect(error.status).toBe(NETWORK_STATUS)
    expect(error.code).toBe('server_unreachable')
    expect(error.message).toMatch(/Cannot reach the BenchStudio server/)
  })

  it('keeps an ApiError as it is and wraps anything else', () => {
    const original = new ApiError({ status: 409, code: 'conflict', message: 'Busy.' })
    expect(asApiError(original)).toBe(original)
    expect(asApiError('a string').message).toBe('Something went wrong in the web app.')
    expect(asApiError(new Error('boom')).message).toBe('boom')
  })
})

describe('humanizeCode', () => {
  it('turns machine codes into headings', () => {
    expect(humanizeCode('rate_limited')).toBe('Rate limited')
    expect(humanizeCode('auth.token-expired')).toBe('Auth token expired')
    expect(humanizeCode('')).toBe('Error')
  })
})

describe('unwrap', () => {
  it('returns the data of a successful call', async () => {
    stubApi({ '/healthz': { body: { status: 'ok', version: '1.2.3', database: 'ok' } } })
    const data = await unwrap(createApiClient('http://127.0.0.1:8501').GET('/healthz'))
    expect(data.version).toBe('1.2.3')
  })

  it('throws an ApiError carrying the envelope of a failed call', async () => {
    stubApi({
      '/healthz': {
        status: 500,
        body: {
          error: { code: 'internal_error', message: 'Unexpected error.', request_id: 'r-5' },
        },
      },
    })
    const failure = unwrap(createApiClient('http://127.0.0.1:8501').GET('/healthz'))
    await expect(failure).rejects.toMatchObject({
      status: 500,
      code: 'internal_error',
      message: 'Unexpected error.',
      requestId: 'r-5',
    })
  })

  it('throws a server-unreachable ApiError when the connection fails', async () => {
    stubApi({ '/healthz': new TypeError('Failed to fetch') })
    const failure = unwrap(createApiClient('http://127.0.0.1:8501').GET('/healthz'))
    await expect(failure).rejects.toMatchObject({ code: 'server_unreachable' })
  })
})
