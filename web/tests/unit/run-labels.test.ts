import { describe, expect, it } from 'vitest'

import { benchmarkCaption, distinctLabels } from '@/features/history/runLabels'

describe('run labels', () => {
  it('names models, mode and date', () => {
    const caption = benchmarkCaption({
      id: 'r1',
      title: 'Same',
      mode: 'rate',
      created_at: '2026-12-06T21:55:00Z',
      targets: [{ model_display: 'A' }, { model_display: 'B' }],
    })
    expect(caption.startsWith('A vs B · request rate · ')).toBe(true)
    expect(caption).toMatch(/2026/)
  })

  it('adds the end of the id only where two labels would read the same', () => {
    const labels = distinctLabels(
      [
        { id: 'aaaaaa111111', name: 'Same' },
        { id: 'bbbbbb222222', name: 'Same' },
        { id: 'cccccc333333', name: 'Other' },
      ],
      (r) => r.name,
    )
    expect([...labels.values()]).toEqual(['Same · …111111', 'Same · …222222', 'Other'])
  })
})
