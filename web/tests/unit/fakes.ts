// Test doubles shared by the unit tests: a scriptable fetch and a controllable matchMedia.
import { vi } from 'vitest'

import type { SessionGrant } from '@/api/session'

export interface FakeReply {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

type Script = FakeReply | Error | (FakeReply | Error)[]

export const HEALTHY = { status: 'ok', version: '0.1.0', database: 'ok' }
export const META = {
  name: 'BenchStudio',
  version: '0.1.0',
  environment: 'dev',
  features: ['overview', 'api-docs', 'jobs', 'settings', 'admin'],
}

export const MEMBER: SessionGrant['user'] = {
  id: 'user-1',
  email: 'ada@example.test',
  role: 'user',
  is_active: true,
  created_at: '2026-11-01T10:00:00Z',
}

/** What /api/auth/login, /register and /refresh answer. */
export function sessionGrant(
  user: SessionGrant['user'] = MEMBER,
  token = 'access-1',
): SessionGrant {
  return { access_token: token, token_type: 'bearer', expires_in: 900, user }
}

export const EMPTY_JOB_PAGE = { items: [], total: 0, limit: 100, offset: 0 }

function toResponse(reply: FakeReply): Response {
  const isText = typeof reply.body === 'string'
  return new Response(isText ? (reply.body as string) : JSON.stringify(reply.body ?? {}), {
    status: reply.status ?? 200,
    headers: { 'content-type': isText ? 'text/plain' : 'application/json', ...reply.headers },
  })
}

/**
 * Replace fetch with a fake server. `routes` maps a path to its reply, or to a list of replies
 * given in turn (the last repeats). /healthz and /api/meta answer healthily unless overridden.
 */
export function stubApi(routes: Record<string, Script> = {}): ReturnType<typeof vi.fn> {
  const scripts: Record<string, Script> = {
    '/healthz': { body: HEALTHY },
    '/api/meta': { body: META },
    '/api/auth/refresh': { body: sessionGrant() },
    '/api/jobs': { body: EMPTY_JOB_PAGE },
    '/api/providers': { body: [] },
    '/api/models': { body: [] },
    '/api/notifications/unread-count': { body: { unread: 0 } },
    // No live socket in unit tests unless a test wires one up.
    '/api/realtime/ticket': {
      status: 503,
      body: { error: { code: 'unavailable', message: 'No sockets here.' } },
    },
    ...routes,
  }
  const calls = new Map<string, number>()
  const fake = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname
    const script = scripts[path] ?? { status: 404, body: { detail: 'Not Found' } }
    const replies = Array.isArray(script) ? script : [script]
    const count = calls.get(path) ?? 0
    calls.set(path, count + 1)
    const reply = replies[Math.min(count, replies.length - 1)]
    if (reply instanceof Error) throw reply
    return toResponse(reply ?? {})
  })
  vi.stubGlobal('fetch', fake)
  return fake
}

/** The paths the fake server was asked for, in order. */
export function requestedPaths(fake: ReturnType<typeof vi.fn>): string[] {
  return fake.mock.calls.map((call) => new URL((call[0] as Request).url).pathname)
}

/** The requests the fake server received for one path, in order. */
export function requestsTo(fake: ReturnType<typeof vi.fn>, path: string): Request[] {
  return fake.mock.calls
    .map((call) => call[0] as Request)
    .filter((request) => new URL(request.url).pathname === path)
}

export interface FakeMediaQuery {
  setMatches(matches: boolean): void
}

/** Make prefers-color-scheme: dark answer `matches`, and let a test flip it later. */
export function stubColorScheme(prefersDark: boolean): FakeMediaQuery {
  const listeners: ((event: MediaQueryListEvent) => void)[] = []
  const query = {
    matches: prefersDark,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_type: string, listener: (event: MediaQueryListEvent) => void) => {
      listeners.push(listener)
    },
    removeEventListener: () => undefined,
  }
  vi.spyOn(window, 'matchMedia').mockImplementation(() => query as unknown as MediaQueryList)
  return {
    setMatches(matches: boolean) {
      query.matches = matches
      for (const listener of listeners) listener({ matches } as MediaQueryListEvent)
    },
  }
}
