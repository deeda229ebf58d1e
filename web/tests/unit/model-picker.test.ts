import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import ModelPicker from '@/components/settings/ModelPicker.vue'
import { paramsToRows, parseParamValue, rowsToParams } from '@/features/parameterSets/paramRows'

import { requestsTo, stubApi } from './fakes'

beforeEach(() => setActivePinia(createPinia()))

const NOW = '2026-11-01T10:00:00Z'

describe('model picker', () => {
  it('lists what the provider offers, keeps added ones checked, and imports the picked ones', async () => {
    const fetch = stubApi({
      '/api/providers/p1/available-models': {
        body: [
          { model_id: 'gpt-a', display_name: null, context_window: 128000, already_added: true },
          { model_id: 'gpt-b', display_name: 'GPT B', context_window: null, already_added: false },
          { model_id: 'gpt-c', display_name: null, context_window: null, already_added: false },
        ],
      },
      '/api/providers/p1/import-models': {
        status: 201,
        body: [
          {
            id: 'm2',
            provider_id: 'p1',
            model_id: 'gpt-c',
            display_name: 'gpt-c',
            archived_at: null,
            replaced_by_id: null,
            created_at: NOW,
            updated_at: NOW,
            skipped_params: [],
            notes: '',
          },
        ],
      },
    })
    const wrapper = mount(ModelPicker, { props: { providerId: 'p1' } })
    await flushPromises()
    const boxes = wrapper.findAll<HTMLInputElement>('input[type="checkbox"]')
    expect(boxes.map((box) => box.element.checked)).toEqual([true, false, false])
    expect(boxes[0]?.element.disabled).toBe(true)
    expect(wrapper.text()).toContain('128,000 ctx')

    await wrapper.get('input[type="search"]').setValue('gpt-c')
    expect(wrapper.findAll('li')).toHaveLength(1)
    await wrapper.get('li input[type="checkbox"]').setValue(true)
    await wrapper.get('[data-testid="import-models"]').trigger('click')
    await flushPromises()
    const body = await requestsTo(fetch, '/api/providers/p1/import-models')[0]?.clone().json()
    expect(body).toEqual({ model_ids: ['gpt-c'] })
    expect(wrapper.emitted('imported')?.[0]?.[0]).toMatchObject([{ model_id: 'gpt-c' }])
  })

  it('says what went wrong when the provider cannot be reached', async () => {
    stubApi({
      '/api/providers/p1/available-models': {
        status: 502,
        body: {
          error: { code: 'provider_unreachable', message: 'Could not connect to api.example.com.' },
        },
      },
    })
    const wrapper = mount(ModelPicker, { props: { providerId: 'p1' } })
    await flushPromises()
    expect(wrapper.get('[data-testid="error-notice"]').text()).toContain(
      'Could not connect to api.example.com.',
    )
  })
})

describe('profile parameters', () => {
  it('read values as JSON when they can be, else as text, and round-trip', () => {
    expect(parseParamValue('0.7')).toBe(0.7)
    expect(parseParamValue('true')).toBe(true)
    expect(parseParamValue('["stop", "end"]')).toEqual(['stop', 'end'])
    expect(parseParamValue('high')).toBe('high')
    expect(parseParamValue('{"a": 1}')).toBe('{"a": 1}')
    const params = rowsToParams([
      { name: ' temperature ', value: '0.2' },
      { name: '', value: 'x' },
      { name: 'effort', value: 'low' },
    ])
    expect(params).toEqual({ temperature: 0.2, effort: 'low' })
    expect(rowsToParams(paramsToRows(params))).toEqual(params)
  })
})
