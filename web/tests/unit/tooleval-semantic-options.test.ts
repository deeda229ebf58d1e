import { describe, expect, it } from 'vitest'

import {
  argumentSemantic,
  buildSemantic,
  defaultSemanticState,
  semanticArguments,
  semanticNote,
  similarityLabel,
  similarityModels,
} from '@/features/tooleval/semanticOptions'
import type { CatalogModel } from '@/stores/catalog'

const semantic = { acceptable: ['cheap hotel'], match: 'semantic' as const }

describe('semantic options', () => {
  it('finds semantic arguments, nested ones included, per case', () => {
    const cases = [
      {
        id: 'a',
        expected_calls: [
          {
            name: 'find',
            arguments: {
              query: semantic,
              area: { acceptable: ['x'] },
              stay: { objects: [{ note: semantic }] },
            },
          },
        ],
      },
      { id: 'b', expected_calls: [{ name: 'find', arguments: { area: { acceptable: ['y'] } } }] },
    ]
    expect(semanticArguments(cases)).toEqual([
      { caseId: 'a', path: 'find.query' },
      { caseId: 'a', path: 'find.stay.note' },
    ])
  })

  it('offers embeddings models for embeddings and chat models for the judge', () => {
    const model = (id: string, capability: 'chat' | 'embeddings', archived = false) =>
      ({ id, capability, archived_at: archived ? '2026-01-01' : null }) as CatalogModel
    const models = [model('e', 'embeddings'), model('c', 'chat'), model('old', 'embeddings', true)]
    expect(similarityModels(models, 'embeddings').map((m) => m.id)).toEqual(['e'])
    expect(similarityModels(models, 'judge').map((m) => m.id)).toEqual(['c'])
  })

  it('builds the payload only when the suite needs it, and checks the choice', () => {
    const state = defaultSemanticState()
    expect(buildSemantic(state, false)).toEqual({ ok: true, value: null })
    expect(buildSemantic(state, true)).toEqual({
      ok: false,
      problem: 'Pick the model that scores semantic arguments.',
    })
    state.modelRefId = 'e'
    state.threshold = 1.5
    expect(buildSemantic(state, true).ok).toBe(false)
    state.threshold = 0.8
    expect(buildSemantic(state, true)).toEqual({
      ok: true,
      value: { source: 'embeddings', model_ref_id: 'e', threshold: 0.8 },
    })
  })
})

describe('semantic note', () => {
  it('names the model and threshold a run used, or nothing', () => {
    expect(semanticNote({})).toBe('')
    expect(
      semanticNote({ semantic: { source: 'embeddings', model_name: 'Embed', threshold: 0.7 } }),
    ).toBe('semantic: Embed embeddings, threshold 0.7')
    expect(semanticNote({ semantic: { source: 'judge', model_name: 'Judge' } })).toBe(
      'semantic: Judge judges equivalence',
    )
  })
})

describe('argument similarities in the drill-down', () => {
  it('splits the argument’s own value from nested ones and labels each', () => {
    const arg = {
      name: 'stay',
      similarity: null,
      semantic: [
        { path: 'stay.area', similarity: 0.8, threshold: 0.6, passed: true },
        { path: 'stay.rooms[1].kind', similarity: 0.1, threshold: 0.6, passed: false },
        { path: 'stay.note', similarity: null, threshold: 0.6, passed: false },
      ],
    }
    const { own, nested } = argumentSemantic(arg)
    expect(own).toBeNull()
    expect(nested.map((v) => v.path)).toEqual(['stay.area', 'stay.rooms[1].kind', 'stay.note'])
    expect(nested.map(similarityLabel)).toEqual([
      '0.80 ≥ 0.6',
      '0.10 < 0.6',
      'unknown (threshold 0.6)',
    ])
    const city = {
      name: 'city',
      similarity: 0.7,
      semantic: [{ path: 'city', similarity: 0.7, threshold: 0.5, passed: true }],
    }
    expect(argumentSemantic(city)).toEqual({ own: city.semantic[0], nested: [] })
  })
})
