import { describe, expect, it } from 'vitest'

import {
  type DiffLine,
  filterQuery,
  isKind,
  kindLabel,
  parseTags,
  segments,
  sideBySide,
  usageKindLabel,
  usageLink,
} from '@/features/prompts/promptLibrary'

const eq = (text: string, o: number, n: number): DiffLine => ({
  op: 'equal',
  text,
  old_line: o,
  new_line: n,
})
const del = (text: string, o: number): DiffLine => ({
  op: 'delete',
  text,
  old_line: o,
  new_line: null,
})
const ins = (text: string, n: number): DiffLine => ({
  op: 'insert',
  text,
  old_line: null,
  new_line: n,
})

describe('segments', () => {
  it('splits placeholders out and keeps the text whole', () => {
    const text = 'Grade {transcript} against {expected_calls}.'
    const parts = segments(text)
    expect(parts).toEqual([
      { text: 'Grade ', placeholder: false },
      { text: '{transcript}', placeholder: true },
      { text: ' against ', placeholder: false },
      { text: '{expected_calls}', placeholder: true },
      { text: '.', placeholder: false },
    ])
    expect(parts.map((p) => p.text).join('')).toBe(text)
  })

  it('leaves JSON-looking braces and empty text alone', () => {
    expect(segments('{"a": 1} {not one}')).toEqual([
      { text: '{"a": 1} {not one}', placeholder: false },
    ])
    expect(segments('')).toEqual([])
    expect(segments('{x}')).toEqual([{ text: '{x}', placeholder: true }])
  })
})

describe('sideBySide', () => {
  it('pairs a changed line with its replacement and pads uneven runs', () => {
    const rows = sideBySide([eq('a', 1, 1), del('b', 2), ins('B', 2), ins('B2', 3), eq('c', 3, 4)])
    expect(rows.map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['a', 'a'],
      ['b', 'B'],
      [null, 'B2'],
      ['c', 'c'],
    ])
  })

  it('shows a pure deletion on the left only', () => {
    expect(sideBySide([del('gone', 1)])).toEqual([{ left: del('gone', 1), right: null }])
    expect(sideBySide([])).toEqual([])
  })
})

describe('filters and labels', () => {
  it('leaves empty filters out of the query', () => {
    expect(filterQuery({ kind: '', tag: ' ', q: '' })).toEqual({})
    expect(filterQuery({ kind: 'judge', tag: ' Verdict ', q: ' strict ' })).toEqual({
      kind: 'judge',
      tag: 'verdict',
      q: 'strict',
    })
  })

  it('reads tags and kinds', () => {
    expect(parseTags(' a, b ,, c ')).toEqual(['a', 'b', 'c'])
    expect(isKind('benchmark')).toBe(true)
    expect(isKind('poem')).toBe(false)
    expect(kindLabel('meta')).toBe('Meta')
  })

  it('links the uses that have a page', () => {
    const base = { entry_id: 'e', version: 1, label: 'x', created_at: '2026-12-07T00:00:00Z' }
    expect(usageLink({ ...base, used_by_kind: 'benchmark_run', used_by_id: 'r1' })).toBe(
      '/benchmarks/r1',
    )
    expect(usageLink({ ...base, used_by_kind: 'judge_report', used_by_id: 'j' })).toBe(
      '/judge/reports/j',
    )
    expect(usageLink({ ...base, used_by_kind: 'something_else', used_by_id: 'x' })).toBeNull()
    expect(usageKindLabel('judge_report')).toBe('Judge report')
    expect(usageKindLabel('some_new_thing')).toBe('some new thing')
  })
})
