import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { safeRedirect } from '@/router'

import { MEMBER, requestsTo, sessionGrant, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  window.localStorage.clear()
})

async function fill(wrapper: VueWrapper, label: string, value: string): Promise<void> {
  const field = wrapper.findAll('label').find((candidate) => candidate.text().startsWith(label))
  const id = field?.attributes('for')
  await wrapper.get(`#${CSS.escape(id ?? 'missing')}`).setValue(value)
}

describe('route guard', () => {
  it('sends a visitor without a session to sign in, remembering where they were going', async () => {
    stubColorScheme(false)
    const fetch = stubApi()
    const { wrapper, router } = await mountApp('/settings/tokens', { signedIn: false })
    mounted = wrapper
    expect(router.currentRoute.value.fullPath).toBe('/sign-in?redirect=/settings/tokens')
    expect(wrapper.get('h1').text()).toBe('Sign in')
    expect(wrapper.find('nav[aria-label="Main"]').exists()).toBe(false)
    // A browser that never signed in does not ask for a refresh that can only fail.
    expect(requestsTo(fetch, '/api/auth/refresh')).toHaveLength(0)
  })

  it('signs in and goes back to the page that asked', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/auth/login': { body: sessionGrant() },
      '/api/auth/tokens': { body: [] },
    })
    const { wrapper, router } = await mountApp('/settings/tokens', { signedIn: false })
    mounted = wrapper
    await fill(wrapper, 'Email', MEMBER.email)
    await fill(wrapper, 'Password', 'correct horse battery')
    await wrapper.get('form').trigger('submit')
    // The tokens page is a lazy chunk: wait for it rather than for a fixed number of ticks.
    await vi.waitFor(() => expect(wrapper.text()).toContain('Personal API tokens'))
    const login = requestsTo(fetch, '/api/auth/login')[0]
    expect(await login?.clone().json()).toEqual({
      email: MEMBER.email,
      password: 'correct horse battery',
    })
    expect(router.currentRoute.value.fullPath).toBe('/settings/tokens')
  })

  it('shows a wrong password as a readable message', async () => {
    stubColorScheme(false)
    stubApi({
      '/api/auth/login': {
        status: 401,
        body: { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } },
      },
    })
    const { wrapper } = await mountApp('/sign-in', { signedIn: false })
    mounted = wrapper
    await fill(wrapper, 'Email', MEMBER.email)
    await fill(wrapper, 'Password', 'nope-nope-nope')
    await wrapper.get('form').trigger('submit')
    await settle()
    expect(wrapper.get('[data-testid="error-notice"]').text()).toContain('Wrong email or password.')
  })

  it('hides the admin area from members and shows it to admins', async () => {
    stubColorScheme(false)
    stubApi()
    const member = await mountApp('/admin/users')
    mounted = member.wrapper
    expect(member.wrapper.get('h1').text()).toBe('Page not found')
    expect(member.wrapper.findAll('nav[aria-label="Main"] a').map((a) => a.text())).not.toContain(
      'Admin',
    )
    member.wrapper.unmount()

    stubApi({
      '/api/auth/refresh': { body: sessionGrant({ ...MEMBER, role: 'admin' }) },
      '/api/admin/users': { body: { items: [], total: 0, limit: 25, offset: 0 } },
      '/api/admin/invites': { body: [] },
    })
    const admin = await mountApp('/admin/users')
    mounted = admin.wrapper
    expect(admin.wrapper.get('h1').text()).toBe('Admin')
    expect(admin.wrapper.findAll('nav[aria-label="Main"] a').map((a) => a.text())).toContain(
      'Admin',
    )
  })

  it('only follows redirects inside the app', () => {
    expect(safeRedirect('/settings/keys?x=1')).toBe('/settings/keys?x=1')
    expect(safeRedirect('//evil.example/')).toBe('/')
    expect(safeRedirect('https://evil.example/')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
  })
})

describe('sign-up', () => {
  it('shows the envelope’s field messages next to the fields', async () => {
    stubColorScheme(false)
    stubApi({
      '/api/auth/register': {
        status: 422,
        body: {
          error: {
            code: 'validation_error',
            message: 'Invalid email: Value error, not a valid email address',
            request_id: 'r-1',
            details: [
              {
                loc: ['body', 'email'],
                msg: 'Value error, not a valid email address',
                type: 'value_error',
              },
            ],
          },
        },
      },
    })
    const { wrapper } = await mountApp('/sign-up', { signedIn: false })
    mounted = wrapper
    await fill(wrapper, 'Email', 'nope')
    await fill(wrapper, 'Password', 'long enough password')
    await wrapper.get('form').trigger('submit')
    await settle()
    const error = wrapper.get('[data-testid="field-error"]')
    expect(error.text()).toBe('Not a valid email address')
    const input = wrapper.get('input[type="email"]')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe(error.attributes('id'))
  })

  it('signs in after an invite sign-up that answers "check your e-mail"', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/auth/register': {
        status: 202,
        body: { status: 'check_email', message: 'Check your e-mail.' },
      },
      '/api/auth/login': { body: sessionGrant() },
    })
    const { wrapper, router } = await mountApp('/sign-up?invite=inv_code', { signedIn: false })
    mounted = wrapper
    await fill(wrapper, 'Email', MEMBER.email)
    await fill(wrapper, 'Password', 'long enough password')
    await wrapper.get('form').trigger('submit')
    // The welcome page is a lazy chunk: wait for the navigation rather than a number of ticks.
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('welcome'))
    expect(requestsTo(fetch, '/api/auth/login')).toHaveLength(1)
  })

  it('says to check the e-mail when the invited address already had an account', async () => {
    stubColorScheme(false)
    stubApi({
      '/api/auth/register': {
        status: 202,
        body: { status: 'check_email', message: 'Check your e-mail.' },
      },
      '/api/auth/login': {
        status: 401,
        body: { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } },
      },
    })
    const { wrapper, router } = await mountApp('/sign-up?invite=inv_code', { signedIn: false })
    mounted = wrapper
    await fill(wrapper, 'Email', MEMBER.email)
    await fill(wrapper, 'Password', 'long enough password')
    await wrapper.get('form').trigger('submit')
    await settle()
    expect(wrapper.get('[data-testid="signup-check-email"]').text()).toContain('Check your e-mail')
    expect(router.currentRoute.value.name).not.toBe('welcome')
  })

  it('offers the invite code field when the server needs one', async () => {
    stubColorScheme(false)
    stubApi({
      '/api/auth/register': {
        status: 403,
        body: {
          error: {
            code: 'signup_not_allowed',
            message: 'Sign-up needs an invite code from an admin.',
          },
        },
      },
    })
    const { wrapper } = await mountApp('/sign-up', { signedIn: false })
    mounted = wrapper
    expect(wrapper.text()).not.toContain('Invite code')
    await fill(wrapper, 'Email', MEMBER.email)
    await fill(wrapper, 'Password', 'long enough password')
    await wrapper.get('form').trigger('submit')
    await settle()
    expect(wrapper.text()).toContain('Sign-up needs an invite code')
    expect(wrapper.findAll('label').some((label) => label.text().startsWith('Invite code'))).toBe(
      true,
    )
  })
})
