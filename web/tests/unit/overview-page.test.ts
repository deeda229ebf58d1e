import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'

import { HEALTHY, META, requestedPaths, requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

function cardValue(wrapper: VueWrapper, testId: string): string {
  return wrapper.get(`[data-testid="${testId}"] [data-testid="status-value"]`).text()
}

describe('overview page', () => {
  it('shows the version and database status from /healthz', async () => {
    stubColorScheme(false)
    const fetch = stubApi({ '/healthz': { body: { ...HEALTHY, version: '9.8.7' } } })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    expect(requestsTo(fetch, '/healthz')[0]?.url).toBe('http://127.0.0.1:8501/healthz')
    expect(cardValue(wrapper, 'status-server')).toBe('Online')
    expect(cardValue(wrapper, 'status-version')).toBe('9.8.7')
    expect(cardValue(wrapper, 'status-database')).toBe('Connected')
    expect(wrapper.get('[data-testid="server-status"]').text()).toContain('Online')
  })

  it('shows a degraded server when the database is unreachable (HTTP 503)', async () => {
    stubColorScheme(false)
    stubApi({
      '/healthz': {
        status: 503,
        body: { status: 'degraded', version: '0.1.0', database: 'unreachable' },
      },
    })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    expect(cardValue(wrapper, 'status-server')).toBe('Degraded')
    expect(cardValue(wrapper, 'status-database')).toBe('Unreachable')
    expect(wrapper.text()).toContain('BENCHSTUDIO_DATABASE_URL')
    expect(wrapper.find('[data-testid="toast"]').exists()).toBe(false)
  })

  it('explains when the server cannot be reached', async () => {
    stubColorScheme(false)
    stubApi({ '/healthz': new TypeError('Failed to fetch') })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    expect(cardValue(wrapper, 'status-server')).toBe('Offline')
    expect(wrapper.get('[data-testid="health-error"]').text()).toContain(
      'Cannot reach the BenchStudio server',
    )
  })

  it('describes what exists, links into each area and starts a new user on the simulator', async () => {
    stubColorScheme(false)
    const features = [...META.features, 'benchmarks', 'history', 'tool-eval']
    stubApi({ '/api/meta': { body: { ...META, features } } })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    await new Promise((resolve) => setTimeout(resolve, 0))
    const text = wrapper.text()
    // No promises of features that "will appear", no simulator to start by hand.
    expect(text).not.toMatch(/will appear|appear in the sidebar|port 9100|benchstudio simulate/)
    const firstStep = wrapper.get('[data-testid="first-step"]')
    expect(firstStep.text()).toContain('built-in simulator')
    const links = firstStep.findAll('a').map((link) => link.attributes('href'))
    expect(links).toEqual(['/benchmarks', '/welcome'])
    const areaLinks = wrapper
      .findAll('[data-testid="overview-area"] a')
      .map((link) => link.attributes('href'))
    expect(areaLinks).toEqual(
      expect.arrayContaining(['/benchmarks', '/history', '/tool-eval', '/settings/providers']),
    )
    expect(wrapper.find('a[href="/api/docs"]').exists()).toBe(true)
  })

  it('lists only the areas this server offers', async () => {
    stubColorScheme(false)
    stubApi()
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(wrapper.find('[data-testid="first-step"]').exists()).toBe(false)
    const areaLinks = wrapper
      .findAll('[data-testid="overview-area"] a')
      .map((link) => link.attributes('href'))
    expect(areaLinks).toEqual(['/jobs', '/settings/providers'])
  })

  it('checks again on request', async () => {
    stubColorScheme(false)
    const fetch = stubApi({ '/healthz': [new TypeError('Failed to fetch'), { body: HEALTHY }] })
    const { wrapper } = await mountApp('/')
    mounted = wrapper
    expect(cardValue(wrapper, 'status-server')).toBe('Offline')
    const shellPaths = () =>
      requestedPaths(fetch).filter((path) => path === '/healthz' || path === '/api/meta')
    expect(shellPaths()).toEqual(['/healthz'])
    const checkAgain = wrapper.findAll('button').find((button) => button.text() === 'Check again')
    await checkAgain?.trigger('click')
    await new Promise((resolve) => setTimeout(resolve, 0))
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Once the server answers, the feature list is fetched too.
    expect(shellPaths()).toEqual(['/healthz', '/healthz', '/api/meta'])
    expect(cardValue(wrapper, 'status-server')).toBe('Online')
  })
})
