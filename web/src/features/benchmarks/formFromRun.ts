// "Edit first": a past run's request (the BenchmarkCreate body it was started with) back into
// the benchmark form, so a re-run can be changed before it starts.
import { defaultForm, MODES, type BenchmarkForm } from './benchmarkForm'

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function list(value: unknown): string | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'number') ? value.join(', ') : null
}

/** The title an edited copy starts with: the original's, marked, so history tells them apart. */
export function editedTitle(title: string): string {
  const base = title.replace(/ \((?:re-run \d+|edited)\)$/, '').trim()
  return base ? `${base} (edited)` : ''
}

/** The form as it was filled for `request`; fields the request leaves out keep the defaults. */
export function formFromRequest(request: unknown, title: string): BenchmarkForm {
  const r = record(request)
  const form = defaultForm()
  form.title = editedTitle(title)
  form.targets = (Array.isArray(r.targets) ? r.targets : []).flatMap((t) => {
    const target = record(t)
    return typeof target.provider_id === 'string' && typeof target.model_id === 'string'
      ? [
          {
            providerId: target.provider_id,
            modelId: target.model_id,
            // The re-run resolves the set again, as the server's re-run does.
            parameterSetId:
              typeof target.parameter_set_id === 'string' ? target.parameter_set_id : null,
          },
        ]
      : []
  })
  if (typeof r.prompt_template_id === 'string' && r.prompt_template_id) {
    form.promptSource = 'template'
    form.templateId = r.prompt_template_id
  } else if (typeof r.prompt === 'string') {
    form.prompt = r.prompt
  }
  form.maxTokens = num(r.max_tokens)
  form.temperature = num(r.temperature)
  form.runs = num(r.runs) ?? form.runs
  form.warmup = num(r.warmup) ?? form.warmup
  form.contextTiers = list(r.context_tokens) ?? form.contextTiers
  const mode = MODES.find((m) => m.id === r.mode)
  if (mode) form.mode = mode.id
  form.concurrency = num(r.concurrency) ?? form.concurrency
  form.requestRate = num(r.request_rate) ?? form.requestRate
  form.numRequests = num(r.num_requests) ?? form.numRequests
  form.sweep = list(r.sweep) || form.sweep
  form.cold = r.cold === true
  const params = record(r.params)
  form.paramsJson = Object.keys(params).length > 0 ? JSON.stringify(params) : ''
  return form
}
