import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import SuiteVersionsPanel from '@/components/tooleval/SuiteVersionsPanel.vue'
import { attachmentFilename, slug, suiteFileFallback } from '@/features/tooleval/exportFiles'
import {
  describeChanges,
  noteLabel,
  type SuiteSnapshot,
  versionChanges,
} from '@/features/tooleval/suiteVersions'
import { useEvalsStore } from '@/stores/evals'

import { requestsTo, stubApi } from './fakes'

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}
const CLOCK = {
  type: 'function' as const,
  function: {
    name: 'get_time',
    description: 'Time.',
    parameters: { type: 'object', properties: {} },
  },
}

function snapshot(overrides: Partial<SuiteSnapshot> = {}): SuiteSnapshot {
  return {
    name: 'Weather',
    description: '',
    format_version: 1,
    version: 1,
    system_prompt: null,
    tools: [WEATHER],
    cases: [
      {
        id: 'paris',
        category: 'simple',
        prompt: 'Weather in Paris?',
        expected_calls: [{ name: 'get_weather' }],
      },
      { id: 'none', category: 'irrelevance', prompt: 'Hello', expected_calls: [] },
    ] as SuiteSnapshot['cases'],
    ...overrides,
  }
}

describe('what changed between suite versions', () => {
  it('lists added, removed and changed cases and tools', () => {
    const old = snapshot()
    const current = snapshot({
      tools: [
        { ...WEATHER, function: { ...WEATHER.function, description: 'Current weather.' } },
        CLOCK,
      ],
      cases: [
        {
          id: 'paris',
          category: 'simple',
          prompt: 'Weather in Paris now?',
          expected_calls: [{ name: 'get_weather' }],
        },
        {
          id: 'time',
          category: 'simple',
          prompt: 'What time is it?',
          expected_calls: [{ name: 'get_time' }],
        },
      ] as SuiteSnapshot['cases'],
    })
    const changes = versionChanges(old, current)
    expect(changes).toEqual({
      addedCases: ['time'],
      removedCases: ['none'],
      changedCases: ['paris'],
      addedTools: ['get_time'],
      removedTools: [],
      changedTools: ['get_weather'],
      detailsChanged: false,
    })
    expect(describeChanges(changes)).toBe(
      '1 case added, 1 case removed, 1 case changed, tools added: get_time, tools changed: get_weather',
    )
  })

  it('ignores key order and missing optional fields, but not a renamed suite', () => {
    const old = snapshot()
    const reordered = snapshot({
      tools: [
        {
          function: {
            parameters: WEATHER.function.parameters,
            name: 'get_weather',
            description: 'Weather.',
          },
          type: 'function',
        },
      ],
      description: undefined as unknown as string,
    })
    expect(describeChanges(versionChanges(old, reordered))).toBe(
      'Same content as the current version',
    )
    const renamed = versionChanges(old, snapshot({ name: 'Forecasts' }))
    expect(renamed.detailsChanged).toBe(true)
    expect(describeChanges(renamed)).toBe('name, description or system prompt changed')
    expect(describeChanges(versionChanges(snapshot({ cases: [] }), old))).toBe('2 cases added')
  })

  it('shows change notes as sentences', () => {
    expect(noteLabel('edited tools')).toBe('Edited tools')
    expect(noteLabel('  ')).toBe('—')
  })
})

describe('export file names', () => {
  it('reads the name the server suggests', () => {
    expect(attachmentFilename('attachment; filename="eval-abc.csv"', 'x')).toBe('eval-abc.csv')
    expect(attachmentFilename('attachment; filename=plain.json', 'x')).toBe('plain.json')
    expect(
      attachmentFilename(
        `attachment; filename="a.json"; filename*=UTF-8''caf%C3%A9.v2.suite.json`,
        'x',
      ),
    ).toBe('café.v2.suite.json')
  })

  it('falls back when there is no usable name', () => {
    expect(attachmentFilename(null, 'eval-1.json')).toBe('eval-1.json')
    expect(attachmentFilename('attachment', 'eval-1.json')).toBe('eval-1.json')
    expect(attachmentFilename('attachment; filename="../../etc/passwd"', 'safe.json')).toBe(
      'safe.json',
    )
    expect(attachmentFilename('attachment; filename=""', 'safe.json')).toBe('safe.json')
  })

  it('makes suite file names like the server does', () => {
    expect(slug('  My Suite: v2! ')).toBe('my-suite-v2')
    expect(slug('***')).toBe('suite')
    expect(suiteFileFallback('Trip planner', 3)).toBe('trip-planner.v3.suite.json')
  })
})

describe('evals store: exports and versions', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('downloads a suite version under the server-given name', async () => {
    const fetch = stubApi({
      '/api/suites/s1/export': {
        body: '{"name": "Weather"}',
        headers: { 'Content-Disposition': 'attachment; filename="weather.v2.suite.json"' },
      },
    })
    const file = await useEvalsStore().exportSuite('s1', 2)
    expect(file.filename).toBe('weather.v2.suite.json')
    expect(await file.blob.text()).toBe('{"name": "Weather"}')
    const [request] = requestsTo(fetch, '/api/suites/s1/export')
    expect(new URL(request!.url).searchParams.get('version')).toBe('2')
  })

  it('exports a run as CSV, named after the run when the server gives no name', async () => {
    const fetch = stubApi({ '/api/evals/r1/export': { body: 'run_id,target,case_id\n' } })
    const file = await useEvalsStore().exportRun('r1', 'csv')
    expect(file.filename).toBe('eval-r1.csv')
    expect(await file.blob.text()).toBe('run_id,target,case_id\n')
    expect(
      new URL(requestsTo(fetch, '/api/evals/r1/export')[0]!.url).searchParams.get('format'),
    ).toBe('csv')
  })

  it('turns an API error into a readable one', async () => {
    stubApi({
      '/api/evals/r1/export': {
        status: 404,
        body: { error: { code: 'not_found', message: 'No such eval run.' } },
      },
    })
    await expect(useEvalsStore().exportRun('r1', 'json')).rejects.toThrow('No such eval run.')
  })

  it('restores a version through the restore route: the server saves it as the newest', async () => {
    const old = snapshot({ version: 1 })
    const fetch = stubApi({
      '/api/suites/s1/versions/1/restore': {
        body: {
          id: 's1',
          name: 'Weather',
          description: '',
          source: 'own',
          version: 4,
          case_count: 2,
          tool_count: 1,
          created_at: '2026-11-01T10:00:00Z',
          updated_at: '2026-11-02T10:00:00Z',
          suite: { ...old, version: 4 },
        },
      },
    })
    const evals = useEvalsStore()
    const saved = await evals.restoreVersion('s1', 1)
    expect(saved.version).toBe(4)
    expect(evals.suite?.version).toBe(4)
    const [restore] = requestsTo(fetch, '/api/suites/s1/versions/1/restore')
    expect(restore!.method).toBe('POST')
  })
})

describe('the versions panel', () => {
  beforeEach(() => setActivePinia(createPinia()))

  const VERSIONS = [
    { version: 2, case_count: 1, note: 'removed case none', created_at: '2026-11-02T10:00:00Z' },
    { version: 1, case_count: 2, note: 'created (own)', created_at: '2026-11-01T10:00:00Z' },
  ]
  const current = snapshot({ version: 2, cases: snapshot().cases!.slice(0, 1) })

  it('lists the versions, shows an old one read-only with its changes, and restores it after confirming', async () => {
    const fetch = stubApi({
      '/api/suites/s1/versions': { body: VERSIONS },
      '/api/suites/s1/versions/1': { body: snapshot() },
      '/api/suites/s1/versions/1/restore': {
        body: {
          id: 's1',
          name: 'Weather',
          description: '',
          source: 'own',
          version: 3,
          case_count: 2,
          tool_count: 1,
          created_at: '2026-11-01T10:00:00Z',
          updated_at: '2026-11-03T10:00:00Z',
          suite: snapshot({ version: 3 }),
        },
      },
    })
    const wrapper = mount(SuiteVersionsPanel, {
      props: { suiteId: 's1', currentVersion: 2, current },
      attachTo: document.body,
    })
    await flushPromises()
    const items = wrapper.findAll('[data-testid="version-item"]')
    expect(items).toHaveLength(2)
    expect(items[0]!.text()).toMatch(/^Version 2current.* 1 case.*Removed case none$/)
    expect(items[1]!.text()).toMatch(/^Version 1.* 2 cases.*Created \(own\)$/)
    expect(wrapper.find('[data-testid="version-view"]').exists()).toBe(false)

    await items[1]!.trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="version-case"]')).toHaveLength(2)
    expect(wrapper.findAll('[data-testid="version-tool"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="version-changes"]').text()).toContain('1 case removed')
    expect(document.activeElement?.getAttribute('data-testid')).toBe('version-title')

    await wrapper.find('[data-testid="restore-version"]').trigger('click')
    await flushPromises()
    expect(requestsTo(fetch, '/api/suites/s1/versions/1/restore')).toHaveLength(0) // nothing saved before confirming
    await wrapper.find('[data-testid="confirm-restore"]').trigger('click')
    await flushPromises()
    const [restore] = requestsTo(fetch, '/api/suites/s1/versions/1/restore')
    expect(restore!.method).toBe('POST')
    expect(wrapper.emitted('restored')).toEqual([[1]])
    expect(wrapper.find('[data-testid="version-notice"]').text()).toBe(
      'Version 1 restored: it is now version 3.',
    )
    wrapper.unmount()
  })

  it('warns before a restore replaces tool edits not saved yet', async () => {
    stubApi({
      '/api/suites/s1/versions': { body: VERSIONS },
      '/api/suites/s1/versions/1': { body: snapshot() },
    })
    const wrapper = mount(SuiteVersionsPanel, {
      props: { suiteId: 's1', currentVersion: 2, current, unsavedTools: false },
      attachTo: document.body,
    })
    await flushPromises()
    await wrapper.findAll('[data-testid="version-item"]')[1]!.trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="restore-version"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="restore-unsaved-warning"]').exists()).toBe(false)
    await wrapper.setProps({ unsavedTools: true })
    expect(wrapper.find('[data-testid="restore-unsaved-warning"]').text()).toBe(
      'Your unsaved changes to the tools on the Suite tab are discarded.',
    )
    wrapper.unmount()
  })

  it('keeps the current version free of a restore button', async () => {
    stubApi({
      '/api/suites/s1/versions': { body: VERSIONS },
      '/api/suites/s1/versions/2': { body: current },
    })
    const wrapper = mount(SuiteVersionsPanel, {
      props: { suiteId: 's1', currentVersion: 2, current },
      attachTo: document.body,
    })
    await flushPromises()
    await wrapper.findAll('[data-testid="version-item"]')[0]!.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="version-view"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="restore-version"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="version-changes"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
