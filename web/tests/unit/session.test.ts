import { afterEach, describe, expect, it, vi } from 'vitest'

import { createApiClient, unwrap } from '@/api/client'
import { adoptSession, currentAccessToken, onSessionChange, refreshSession } from '@/api/session'

import { MEMBER, requestsTo, sessionGrant, stubApi } from './fakes'

const BASE = 'http://127.0.0.1:8501'

afterEach(() => {
  adoptSession(null)
  window.localStorage.clear()
})

function bearer(request: Request | undefined): string | null {
  return request?.headers.get('Authorization') ?? null
}

describe('session-aware fetch', () => {
  it('sends the access token held in memory, never in storage', async () => {
    const fetch = stubApi({ '/api/users/me': { body: MEMBER } })
    adoptSession(sessionGrant(MEMBER, 'tok-1'))
    await unwrap(createApiClient(BASE).GET('/api/users/me'))
    expect(bearer(requestsTo(fetch, '/api/users/me')[0])).toBe('Bearer tok-1')
    expect(JSON.stringify({ ...window.localStorage })).not.toContain('tok-1')
  })

  it('refreshes once for concurrent 401s and repeats each request with the new token', async () => {
    const unauthorized = {
      status: 401,
      body: { error: { code: 'unauthorized', message: 'Expired.' } },
    }
    const fetch = stubApi({
      '/api/providers': [unauthorized, { body: [] }],
      '/api/models': [unauthorized, { body: [] }],
      '/api/auth/refresh': { body: sessionGrant(MEMBER, 'tok-2') },
    })
    adoptSession(sessionGrant(MEMBER, 'tok-1'))
    const client = createApiClient(BASE)
    const [providers, models] = await Promise.all([
      unwrap(client.GET('/api/providers')),
      unwrap(client.GET('/api/models')),
    ])
    expect(providers).toEqual([])
    expect(models).toEqual([])
    expect(requestsTo(fetch, '/api/auth/refresh')).toHaveLength(1)
    expect(requestsTo(fetch, '/api/providers').map(bearer)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ])
    expect(requestsTo(fetch, '/api/models').map(bearer)).toEqual(['Bearer tok-1', 'Bearer tok-2'])
    expect(currentAccessToken()).toBe('tok-2')
  })

  it('ends the session when the refresh cookie is refused, and reports the 401', async () => {
    const fetch = stubApi({
      '/api/providers': {
        status: 401,
        body: { error: { code: 'unauthorized', message: 'Expired.' } },
      },
      '/api/auth/refresh': {
        status: 401,
        body: {
          error: { code: 'invalid_refresh_token', message: 'Session expired; sign in again.' },
        },
      },
    })
    adoptSession(sessionGrant(MEMBER, 'tok-1'))
    const seen: (string | null)[] = []
    const stop = onSessionChange((grant) => seen.push(grant?.access_token ?? null))
    await expect(unwrap(createApiClient(BASE).GET('/api/providers'))).rejects.toMatchObject({
      status: 401,
    })
    stop()
    expect(seen).toEqual([null])
    expect(currentAccessToken()).toBeNull()
    expect(requestsTo(fetch, '/api/providers')).toHaveLength(1)
  })

  it('retries once when another tab rotated the cookie a moment ago', async () => {
    vi.useFakeTimers()
    try {
      const fetch = stubApi({
        '/api/auth/refresh': [
          {
            status: 401,
            body: { error: { code: 'refresh_superseded', message: 'Refreshed elsewhere.' } },
          },
          { body: sessionGrant(MEMBER, 'tok-9') },
        ],
      })
      const pending = refreshSession()
      await vi.runAllTimersAsync()
      expect((await pending)?.access_token).toBe('tok-9')
      expect(requestsTo(fetch, '/api/auth/refresh')).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('does not try to refresh after a wrong password', async () => {
    const fetch = stubApi({
      '/api/auth/login': {
        status: 401,
        body: { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } },
      },
    })
    const login = createApiClient(BASE).POST('/api/auth/login', {
      body: { email: 'a@b.co', password: 'nope-nope' },
    })
    await expect(unwrap(login)).rejects.toMatchObject({ message: 'Wrong email or password.' })
    expect(requestsTo(fetch, '/api/auth/refresh')).toHaveLength(0)
  })
})
