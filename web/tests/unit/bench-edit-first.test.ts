import { describe, expect, it } from 'vitest'

import { toRequest } from '@/features/benchmarks/benchmarkForm'
import { editedTitle, formFromRequest } from '@/features/benchmarks/formFromRun'

describe('edit first', () => {
  it('fills the form so that it sends the same request again, under a marked title', () => {
    const request = {
      title: 'Nightly',
      targets: [{ provider_id: 'p1', model_id: 'sim' }],
      prompt: 'Say hi',
      max_tokens: 64,
      temperature: 0.2,
      runs: 3,
      warmup: 0,
      context_tokens: [0, 8000],
      mode: 'sweep_concurrency',
      sweep: [1, 4, 8],
      num_requests: 30,
      cold: true,
      params: { top_p: 0.9 },
    }
    const form = formFromRequest(request, 'Nightly (re-run 2)')
    expect(form.title).toBe('Nightly (edited)')
    const again = toRequest(form)
    expect(again).toMatchObject({ ...request, title: 'Nightly (edited)' })
  })

  it('keeps a template and leaves an untitled run untitled', () => {
    const form = formFromRequest(
      { targets: [{ provider_id: 'p', model_id: 'm' }], prompt_template_id: 't1', mode: 'x' },
      '',
    )
    expect(form.promptSource).toBe('template')
    expect(form.templateId).toBe('t1')
    expect(form.mode).toBe('profile')
    expect(form.title).toBe('')
    expect(editedTitle('A (edited)')).toBe('A (edited)')
  })
})
