import type { VueWrapper } from '@vue/test-utils'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'

import { buildNavItems } from '@/navigation'
import { pageRoutes } from '@/router/routes'

import { META, requestedPaths, stubApi, stubColorScheme } from './fakes'
import { mountApp } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
  window.localStorage.clear()
})

// An area no real route uses, so these tests hold whatever pages exist.
const HISTORY_ROUTE = {
  path: '/leaderboards',
  component: {},
  meta: { nav: { label: 'Leaderboards', icon: 'pulse' as const, feature: 'leaderboards' } },
}

function labels(features: string[] | null, routes = [...pageRoutes, HISTORY_ROUTE]): string[] {
  return buildNavItems({ routes, features }).map((item) => item.label)
}

describe('navigation entries', () => {
  it('come from the route table plus the backend pages', () => {
    const names = buildNavItems().map((item) => item.label)
    expect(names[0]).toBe('Overview')
    expect(names).toEqual(expect.arrayContaining(['Jobs', 'Settings']))
    expect(names).not.toContain('Admin')
    expect(buildNavItems().at(-1)).toMatchObject({ kind: 'external', href: '/api/docs' })
    expect(buildNavItems({ isAdmin: true }).map((item) => item.label)).toContain('Admin')
  })

  it('include a new page once its route declares nav metadata and the server offers it', () => {
    const withHidden = [...pageRoutes, HISTORY_ROUTE, { path: '/hidden', component: {} }]
    expect(labels(['overview', 'leaderboards', 'api-docs'], withHidden)).toEqual([
      'Overview',
      'Leaderboards',
      'API docs',
    ])
  })

  it('leave out areas the server does not offer', () => {
    expect(labels(['overview', 'api-docs'])).toEqual(['Overview', 'API docs'])
    expect(labels(['overview'])).toEqual(['Overview'])
  })

  it('list the judges under their own feature, not tool eval', () => {
    expect(labels(['tool-eval'])).toEqual(['Tool eval'])
    expect(labels(['judge'])).toEqual(['Judges'])
  })

  it('show every built-in area while the feature list is unknown', () => {
    const names = labels(null)
    expect(names).toEqual(
      expect.arrayContaining(['Overview', 'Jobs', 'Settings', 'Leaderboards', 'API docs']),
    )
    expect(names).not.toContain('Admin')
  })
})

describe('app shell', () => {
  it('shows the product name, a skip link and the main navigation', async () => {
    stubColorScheme(false)
    stubApi()
    const { wrapper } = await mountApp('/')
    mounted = wrapper

    expect(wrapper.get('header').text()).toContain('BenchStudio')
    const skip = wrapper.get('a[href="#main-content"]')
    expect(skip.text()).toBe('Skip to content')
    expect(wrapper.find('#main-content').exists()).toBe(true)

    const links = wrapper.findAll('nav[aria-label="Main"] a')
    const names = links.map((link) => link.text())
    expect(names).toEqual(expect.arrayContaining(['Overview', 'Jobs', 'Settings', 'API docs']))
    expect(names).not.toContain('Admin')
    expect(links[0]?.attributes('aria-current')).toBe('page')
    expect(links.at(-1)?.attributes('href')).toBe('/api/docs')
  })

  it('shows the version and environment the server reports in the sidebar', async () => {
    stubColorScheme(false)
    const fetch = stubApi({ '/api/meta': { body: { ...META, version: '2.0.0' } } })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    expect(requestedPaths(fetch)).toEqual(expect.arrayContaining(['/healthz', '/api/meta']))
    expect(wrapper.get('[data-testid="sidebar-version"]').text()).toBe('v2.0.0')
    expect(wrapper.get('#app-sidebar').text()).toContain('dev')
  })

  it('hides navigation for areas the server does not offer', async () => {
    stubColorScheme(false)
    stubApi({ '/api/meta': { body: { ...META, features: ['overview'] } } })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    const links = wrapper.findAll('nav[aria-label="Main"] a')
    expect(links.map((link) => link.text())).toEqual(['Overview'])
  })

  it('moves focus to the main content from the skip link', async () => {
    stubColorScheme(false)
    stubApi()
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    await wrapper.get('a[href="#main-content"]').trigger('click')
    expect(document.activeElement?.id).toBe('main-content')
  })

  it('renders the not-found page for an unknown client route', async () => {
    stubColorScheme(false)
    stubApi()
    const { wrapper } = await mountApp('/no/such/page')
    mounted = wrapper
    expect(wrapper.get('h1').text()).toBe('Page not found')
    expect(wrapper.text()).toContain('/no/such/page')
    expect(document.title).toBe('Page not found · BenchStudio')
  })

  it('switches the theme from the top bar', async () => {
    stubColorScheme(false)
    stubApi()
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    const dark = wrapper.get('button[aria-label="Dark theme"]')
    await dark.trigger('click')
    expect(document.documentElement.classList.contains('dark')).toBe(true)
    expect(dark.attributes('aria-pressed')).toBe('true')
    await wrapper.get('button[aria-label="Light theme"]').trigger('click')
    expect(document.documentElement.classList.contains('dark')).toBe(false)
  })

  it('opens and closes the navigation drawer on small screens', async () => {
    stubColorScheme(false)
    stubApi()
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    const toggle = wrapper.get('button[aria-controls="app-sidebar"]')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('true')
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(toggle.attributes('aria-expanded')).toBe('false')
  })

  it('raises a toast with the API error message when the server fails', async () => {
    stubColorScheme(false)
    stubApi({
      '/healthz': {
        status: 500,
        body: {
          error: { code: 'internal_error', message: 'Unexpected error.', request_id: 'r-77' },
        },
      },
    })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    const toast = wrapper.get('[data-testid="toast"]')
    expect(toast.attributes('role')).toBe('alert')
    expect(toast.text()).toContain('Internal error')
    expect(toast.text()).toContain('Unexpected error.')
    expect(toast.text()).toContain('Request ID: r-77')
    expect(wrapper.get('[data-testid="server-status"]').text()).toContain('Server error')
    await toast.get('button[aria-label="Dismiss notification"]').trigger('click')
    expect(wrapper.find('[data-testid="toast"]').exists()).toBe(false)
  })
})
