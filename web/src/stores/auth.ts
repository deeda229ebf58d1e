// Who is signed in. The session survives reloads through the refresh cookie: `ensureReady`
// trades it for an access token once at start, before the router decides what to show.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import {
  type SessionGrant,
  adoptSession,
  mayHaveSession,
  onSessionChange,
  refreshSession,
} from '@/api/session'

export type CurrentUser = components['schemas']['UserOut']
export type SessionStatus = 'unknown' | 'signed-out' | 'signed-in'

export interface Registration {
  email: string
  password: string
  inviteCode?: string | undefined
}

export const useAuthStore = defineStore('auth', () => {
  const user = ref<CurrentUser | null>(null)
  const status = ref<SessionStatus>('unknown')
  /** Set when a session ended on its own (expired, revoked elsewhere), not by signing out. */
  const sessionLost = ref(false)
  let ready: Promise<void> | null = null

  onSessionChange((grant: SessionGrant | null) => {
    if (grant === null && status.value === 'signed-in') sessionLost.value = true
    user.value = grant?.user ?? null
    status.value = grant ? 'signed-in' : 'signed-out'
  })

  const signedIn = computed(() => status.value === 'signed-in')
  const isAdmin = computed(() => user.value?.role === 'admin')

  /** Resolve once the first silent refresh has answered (at most one request per page load). */
  function ensureReady(): Promise<void> {
    if (!ready && !mayHaveSession()) {
      adoptSession(null)
      ready = Promise.resolve()
    }
    ready ??= refreshSession()
      .then(() => undefined)
      .catch(() => {
        // Server unreachable: treat as signed out; the status pill says why.
        status.value = 'signed-out'
      })
    return ready
  }

  function begin(grant: SessionGrant): CurrentUser {
    sessionLost.value = false
    adoptSession(grant)
    return grant.user
  }

  async function signIn(email: string, password: string): Promise<CurrentUser> {
    return begin(await unwrap(api.POST('/api/auth/login', { body: { email, password } })))
  }

  /**
   * Open sign-up signs in at once. An invite sign-up answers "check your e-mail" whether or not
   * the address already had an account (so nobody learns who has one): signing in with the new
   * password then works when the account is new; null when it does not (the mail says why).
   */
  async function register(data: Registration): Promise<CurrentUser | null> {
    const body = {
      email: data.email,
      password: data.password,
      invite_code: data.inviteCode?.trim() ? data.inviteCode.trim() : null,
    }
    const answer = await unwrap(api.POST('/api/auth/register', { body }))
    if ('access_token' in answer) return begin(answer)
    try {
      return await signIn(data.email, data.password)
    } catch {
      return null
    }
  }

  /** End this browser's session. Signing out locally never waits on the server's answer. */
  async function signOut(): Promise<void> {
    try {
      await api.POST('/api/auth/logout')
    } finally {
      sessionLost.value = false
      adoptSession(null)
    }
  }

  async function signOutEverywhere(): Promise<void> {
    await unwrap(api.POST('/api/auth/logout-all'))
    sessionLost.value = false
    adoptSession(null)
  }

  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const body = { current_password: currentPassword, new_password: newPassword }
    begin(await unwrap(api.POST('/api/auth/password', { body })))
  }

  async function requestPasswordReset(email: string): Promise<void> {
    await unwrap(api.POST('/api/auth/password-reset/request', { body: { email } }))
  }

  async function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
    const body = { token, new_password: newPassword }
    await unwrap(api.POST('/api/auth/password-reset/confirm', { body }))
  }

  return {
    user,
    status,
    sessionLost,
    signedIn,
    isAdmin,
    ensureReady,
    signIn,
    register,
    signOut,
    signOutEverywhere,
    changePassword,
    requestPasswordReset,
    confirmPasswordReset,
  }
})
