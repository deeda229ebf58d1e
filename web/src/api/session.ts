// The signed-in session as the API client sees it. The access token lives only in this
// module's memory (never in storage, so a script-injection bug cannot read it back later);
// the refresh token is an HttpOnly cookie that only /api/auth/* receives.
import { ApiError, networkError, toApiError } from './errors'
import type { components } from './schema'

export type SessionGrant = components['schemas']['TokenResponse']
export type SessionListener = (grant: SessionGrant | null) => void

const REFRESH_PATH = '/api/auth/refresh'
/** Calls that answer 401 for a wrong password or a dead cookie: refreshing cannot help them. */
const NO_REFRESH_PATHS = new Set([
  '/api/auth/login',
  '/api/auth/register',
  '/api/auth/refresh',
  '/api/auth/logout',
  '/api/auth/password-reset/request',
  '/api/auth/password-reset/confirm',
])
/** Another tab rotated the cookie a moment ago; the browser now holds the new one. */
const SUPERSEDED_CODE = 'refresh_superseded'
const SUPERSEDED_RETRY_MS = 250

/**
 * A hint (not a credential) that this browser signed in before, so a first-time visitor's page
 * load does not ask for a refresh that can only fail. Without storage, always ask.
 */
const SESSION_HINT_KEY = 'benchstudio.hasSession'

let accessToken: string | null = null
let refreshing: Promise<SessionGrant | null> | null = null
const listeners = new Set<SessionListener>()

export function currentAccessToken(): string | null {
  return accessToken
}

/** Subscribe to sign-in, refresh and sign-out; returns the unsubscribe function. */
export function onSessionChange(listener: SessionListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Use the tokens a login/register/refresh/password change returned (null: signed out). */
export function adoptSession(grant: SessionGrant | null): void {
  accessToken = grant?.access_token ?? null
  try {
    if (grant) window.localStorage.setItem(SESSION_HINT_KEY, '1')
    else window.localStorage.removeItem(SESSION_HINT_KEY)
  } catch {
    // Storage blocked: mayHaveSession() then always says yes.
  }
  for (const listener of listeners) listener(grant)
}

/** False only when this browser certainly has no session cookie worth trying. */
export function mayHaveSession(): boolean {
  try {
    return window.localStorage.getItem(SESSION_HINT_KEY) !== null
  } catch {
    return true
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function postRefresh(): Promise<Response> {
  try {
    return await globalThis.fetch(
      new Request(new URL(REFRESH_PATH, window.location.origin), {
        method: 'POST',
        credentials: 'same-origin',
      }),
    )
  } catch {
    throw networkError()
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

async function exchangeCookie(): Promise<SessionGrant | null> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const response = await postRefresh()
    const body = await readBody(response)
    if (response.ok) return body as SessionGrant
    const error = toApiError(body, response)
    if (error.status === 401 && error.code === SUPERSEDED_CODE && attempt === 0) {
      await sleep(SUPERSEDED_RETRY_MS)
      continue
    }
    if (error.status === 401 || error.status === 403) return null
    throw error
  }
  return null
}

/**
 * Trade the refresh cookie for a new access token. Concurrent callers share one request, so a
 * burst of 401s rotates the cookie once. Resolves null when there is no valid session; throws
 * an ApiError when the server cannot be asked.
 */
export function refreshSession(): Promise<SessionGrant | null> {
  refreshing ??= exchangeCookie()
    .then((grant) => {
      adoptSession(grant)
      return grant
    })
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

function withToken(request: Request, token: string | null): Request {
  if (token === null) return request
  const headers = new Headers(request.headers)
  headers.set('Authorization', `Bearer ${token}`)
  return new Request(request, { headers })
}

/**
 * fetch for the API client: adds the access token and, on a 401, refreshes the session once
 * and repeats the request. A request that loses its session still resolves with the 401.
 */
export async function sessionFetch(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname
  const canRefresh = !NO_REFRESH_PATHS.has(path)
  const spare = canRefresh ? request.clone() : null
  const sentWith = accessToken
  const response = await globalThis.fetch(canRefresh ? withToken(request, sentWith) : request)
  if (response.status !== 401 || spare === null) return response
  // A concurrent request may already have refreshed: then only the retry is needed.
  let token = accessToken !== sentWith ? accessToken : null
  if (token === null) {
    const grant = await refreshSession().catch((error: unknown) => {
      if (error instanceof ApiError) return null
      throw error
    })
    token = grant?.access_token ?? null
  }
  if (token === null) return response
  return globalThis.fetch(withToken(spare, token))
}
