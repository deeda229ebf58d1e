import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { requestsTo, stubApi, stubColorScheme } from './fakes'
import { mountApp, settle } from './mount-app'

let mounted: VueWrapper | undefined

afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

const PROVIDER = {
  id: 'prov-1',
  name: 'Simulator (demo)',
  protocol: 'openai',
  base_url: 'http://127.0.0.1:9/v1',
  has_key: false,
  key_last4: null,
  is_demo: true,
  archived: false,
  extra_header_names: [],
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
}
const MODEL = {
  id: 'model-ref-1',
  provider_id: 'prov-1',
  model_id: 'benchstudio-sim',
  display_name: 'Simulator model',
  notes: '',
  archived_at: null,
  replaced_by_id: null,
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
}
const PREVIEW = {
  targets: [
    {
      target: 'Simulator model',
      provider_id: 'prov-1',
      provider_name: 'Simulator (demo)',
      model_id: 'benchstudio-sim',
      model_display: 'Simulator model',
      protocol: 'openai',
      effective_params: { max_tokens: 256 },
      adjustments: [{ param: 'logit_bias', action: 'drop', reason: 'not supported by openai' }],
      requests: 6,
      input_tokens: 60,
      output_tokens: 1536,
      cost_usd: null,
      skipped_tiers: {},
    },
  ],
  requests: 6,
  input_tokens: 60,
  output_tokens: 1536,
  cost_usd: null,
  month_spent_usd: 0,
  monthly_spend_cap_usd: null,
  max_runs_per_benchmark: 1000,
}
const RUN = {
  id: 'run-1',
  job_id: 'job-1',
  run_key: 'k',
  source: 'server',
  title: 'nightly',
  mode: 'profile',
  status: 'completed',
  stop_reason: null,
  error: null,
  request_count: 5,
  error_count: 0,
  cost_usd: null,
  wall_s: 3,
  created_at: '2026-11-01T10:00:00Z',
  started_at: '2026-11-01T10:00:00Z',
  finished_at: '2026-11-01T10:00:03Z',
  targets: [
    {
      target_key: 'Simulator model',
      provider_id: 'prov-1',
      provider_name: 'Simulator (demo)',
      model_id: 'benchstudio-sim',
      model_display: 'Simulator model',
      protocol: 'openai',
    },
  ],
  headline: { ttft_ms_p50: 51.25, output_tokens_per_s_p50: 99.5 },
}

const waitForPreview = () => new Promise((resolve) => setTimeout(resolve, 450))

describe('new benchmark page', () => {
  it('preselects the simulator model and shows the registry adjustments as badges', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/providers': { body: [PROVIDER] },
      '/api/models': { body: [MODEL] },
      '/api/prompts': { body: [] },
      '/api/defaults': { body: { model_ref_id: null, preferences: {} } },
      '/api/benchmarks/preview': { body: PREVIEW },
    })
    const { wrapper } = await mountApp('/benchmarks')
    mounted = wrapper
    await wrapper.get('[data-testid="runs"]').setValue('6')
    await waitForPreview()
    await settle()
    const sent = (await requestsTo(fetch, '/api/benchmarks/preview').at(-1)?.json()) as Record<
      string,
      unknown
    >
    expect(sent.targets).toEqual([{ provider_id: 'prov-1', model_id: 'benchstudio-sim' }])
    expect(sent.runs).toBe(6)
    expect(wrapper.get('[data-testid="preview-requests"]').text()).toBe('6')
    expect(wrapper.get('[data-testid="adjustment"]').text()).toContain('drop logit_bias')
  })

  it('points at the field when the parameters are not a JSON object, without asking the server', async () => {
    stubColorScheme(false)
    const fetch = stubApi({
      '/api/providers': { body: [PROVIDER] },
      '/api/models': { body: [MODEL] },
      '/api/prompts': { body: [] },
      '/api/defaults': { body: {} },
      '/api/benchmarks/preview': { body: PREVIEW },
    })
    const { wrapper } = await mountApp('/benchmarks')
    mounted = wrapper
    await wrapper.get('[data-testid="params-json"]').setValue('[1]')
    await waitForPreview()
    await settle()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain('JSON object')
    expect(requestsTo(fetch, '/api/benchmarks/preview')).toHaveLength(0)
  })

  it('names an unusable template at its field, once, without asking the server', async () => {
    stubColorScheme(false)
    const problem = 'This template has no user prompt: edit it under Settings → Prompt templates.'
    const template = { id: 'tpl-1', name: 'old one', system_prompt: 'x', user_prompt: '', problem }
    const fetch = stubApi({
      '/api/providers': { body: [PROVIDER] },
      '/api/models': { body: [MODEL] },
      '/api/prompts': { body: [template] },
      '/api/defaults': { body: {} },
      '/api/benchmarks/preview': { body: PREVIEW },
    })
    const { wrapper } = await mountApp('/benchmarks')
    mounted = wrapper
    await wrapper.get('input[type="radio"][value="template"]').setValue(true)
    await settle()
    const picker = wrapper.findAll('select').find((s) => s.find('option[value="tpl-1"]').exists())
    await picker?.setValue('tpl-1')
    await waitForPreview()
    await settle()
    expect(wrapper.get('[data-testid="field-error"]').text()).toContain('no user prompt')
    expect(wrapper.text().split('no user prompt')).toHaveLength(2)
    expect(wrapper.find('[data-testid="preview-blocked"]').exists()).toBe(true)
    expect(requestsTo(fetch, '/api/benchmarks/preview')).toHaveLength(0)
    await wrapper.get('form').trigger('submit')
    await settle()
    expect(wrapper.text().split('no user prompt')).toHaveLength(2)
    expect(requestsTo(fetch, '/api/benchmarks')).toHaveLength(0)
  })
})

describe('history page', () => {
  it('searches on the server and enables compare once two runs are ticked', async () => {
    stubColorScheme(false)
    const page = {
      items: [RUN, { ...RUN, id: 'run-2', title: 'second' }],
      total: 2,
      limit: 20,
      offset: 0,
    }
    const fetch = stubApi({ '/api/benchmarks': { body: page } })
    const { wrapper, router } = await mountApp('/history')
    mounted = wrapper
    expect(wrapper.findAll('[data-testid="history-row"]')).toHaveLength(2)
    expect(wrapper.text()).toContain('51.3 ms')
    expect(wrapper.get('[data-testid="history-row"] [data-testid="job-status"]').text()).toBe(
      'Done',
    )

    await wrapper.get('[data-testid="history-search"]').setValue('sim')
    await wrapper.get('form[role="search"]').trigger('submit')
    await settle()
    const url = new URL(requestsTo(fetch, '/api/benchmarks').at(-1)?.url ?? '')
    expect(url.searchParams.get('q')).toBe('sim')

    const compare = wrapper.get('[data-testid="compare-selected"]')
    expect(compare.attributes('disabled')).toBeDefined()
    for (const box of wrapper.findAll('[data-testid="compare-toggle"]')) await box.setValue(true)
    expect(compare.attributes('disabled')).toBeUndefined()
    await compare.trigger('click')
    // The compare page is a lazy chunk: the navigation ends once it has loaded.
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('history-compare'))
    expect(router.currentRoute.value.query.runs).toBe('run-1,run-2')
  })

  it('says what to do when there are no runs yet', async () => {
    stubColorScheme(false)
    stubApi({ '/api/benchmarks': { body: { items: [], total: 0, limit: 20, offset: 0 } } })
    const { wrapper } = await mountApp('/history')
    mounted = wrapper
    expect(wrapper.get('[data-testid="empty-state"]').text()).toContain('No benchmarks yet')
  })
})
