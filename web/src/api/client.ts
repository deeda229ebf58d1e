// The typed API client: every request and response shape comes from `schema.d.ts`, which
// `npm run gen:api` generates from the backend's OpenAPI document.
import createClient, { type Client } from 'openapi-fetch'

import { ApiError, networkError, toApiError } from './errors'
import type { paths } from './schema'
import { sessionFetch } from './session'

export type ApiClient = Client<paths>

export function createApiClient(baseUrl: string = window.location.origin): ApiClient {
  return createClient<paths>({
    baseUrl,
    // Adds the access token and refreshes an expired session (see session.ts). It resolves
    // globalThis.fetch per call, so tests and polyfills can replace fetch.
    fetch: (request: Request) => sessionFetch(request),
    credentials: 'same-origin',
  })
}

export const api: ApiClient = createApiClient()

interface Outcome<Data> {
  data?: Data
  error?: unknown
  response: Response
}

/**
 * Await an openapi-fetch call and return its data, or throw an ApiError with a readable
 * message. Use it for every call whose failure should surface to the user.
 */
export async function unwrap<Data>(pending: Promise<Outcome<Data>>): Promise<Data> {
  let outcome: Outcome<Data>
  try {
    outcome = await pending
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw networkError()
  }
  if (outcome.error !== undefined || !outcome.response.ok) {
    throw toApiError(outcome.error, outcome.response)
  }
  return outcome.data as Data
}
