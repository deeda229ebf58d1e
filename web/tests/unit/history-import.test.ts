// Importing a results file from the History page: the file goes to the API as it is, the
// imported run opens, and the API's refusal is shown readably.
import type { DOMWrapper, VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

let mounted: VueWrapper | undefined

beforeEach(() => stubColorScheme(false))

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

const EMPTY_PAGE = { items: [], total: 0, limit: 20, offset: 0 }
const IMPORTED = {
  id: 'run-9',
  job_id: null,
  run_key: 'k9',
  source: 'import',
  title: 'Imported k9',
  mode: 'profile',
  status: 'completed',
  stop_reason: null,
  error: null,
  request_count: 3,
  error_count: 0,
  cost_usd: null,
  wall_s: 1,
  created_at: '2026-11-01T10:00:00Z',
  started_at: null,
  finished_at: null,
  targets: [],
}
const FILE_TEXT = JSON.stringify({
  schema: 'benchstudio.bench/1',
  run_id: 'k9',
  config: {},
  requests: [{}, {}, {}],
})

function choose(input: Omit<DOMWrapper<Element>, 'exists'>, file: File): Promise<void> {
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  return input.trigger('change')
}

describe('history import', () => {
  it('uploads the chosen file as it is and opens the imported run', async () => {
    const fetch = stubApi({
      '/api/benchmarks': { body: EMPTY_PAGE },
      '/api/benchmarks/import': { status: 201, body: { run: IMPORTED, requests: 4 } },
      '/api/benchmarks/run-9': {
        status: 404,
        body: { error: { code: 'not_found', message: 'gone' } },
      },
    })
    const { wrapper, router } = await mountApp('/history')
    mounted = wrapper
    expect(wrapper.find('[data-testid="import-panel"]').exists()).toBe(false)
    await wrapper.get('[data-testid="import-results"]').trigger('click')
    expect(wrapper.get('[data-testid="import-panel"]').text()).toContain(
      'benchstudio bench --output',
    )

    await choose(
      wrapper.get('[data-testid="import-file"]'),
      new File([FILE_TEXT], 'results.json', { type: 'application/json' }),
    )
    await settle()
    const [sent] = requestsTo(fetch, '/api/benchmarks/import')
    expect(sent?.method).toBe('POST')
    expect(sent?.headers.get('content-type')).toBe('application/json')
    expect(await sent?.text()).toBe(FILE_TEXT)
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/benchmarks/run-9'), {
      timeout: 5000,
    })
    expect(document.body.textContent).toContain(
      'results.json: 3 measured requests added to your history.',
    )
  })

  it('takes a dropped file and shows why the server refused it', async () => {
    const fetch = stubApi({
      '/api/benchmarks': { body: EMPTY_PAGE },
      '/api/benchmarks/import': {
        status: 400,
        body: {
          error: {
            code: 'bad_results_file',
            message: 'Not a benchstudio.bench/1 results file.',
            request_id: 'req-7',
          },
        },
      },
    })
    const { wrapper, router } = await mountApp('/history')
    mounted = wrapper
    // The empty history offers the import too.
    await wrapper
      .get('[data-testid="empty-state"]')
      .findAll('button')
      .find((b) => b.text() === 'Import results')
      ?.trigger('click')
    const file = new File(['{"schema": "something else"}'], 'other.json', {
      type: 'application/json',
    })
    await wrapper
      .get('[data-testid="import-dropzone"]')
      .trigger('drop', { dataTransfer: { files: [file] } })
    await settle()
    expect(requestsTo(fetch, '/api/benchmarks/import')).toHaveLength(1)
    const notice = wrapper.get('[data-testid="import-panel"] [data-testid="error-notice"]')
    expect(notice.text()).toContain('Bad results file')
    expect(notice.text()).toContain('Not a benchstudio.bench/1 results file.')
    expect(notice.text()).toContain('req-7')
    expect(router.currentRoute.value.fullPath).toBe('/history')
  })

  it('does not upload an empty file', async () => {
    const fetch = stubApi({ '/api/benchmarks': { body: EMPTY_PAGE } })
    const { wrapper } = await mountApp('/history')
    mounted = wrapper
    await wrapper.get('[data-testid="import-results"]').trigger('click')
    await choose(wrapper.get('[data-testid="import-file"]'), new File([], 'empty.json'))
    await settle()
    expect(requestsTo(fetch, '/api/benchmarks/import')).toHaveLength(0)
    expect(wrapper.get('[data-testid="import-panel"]').text()).toContain('“empty.json” is empty.')
  })
})
