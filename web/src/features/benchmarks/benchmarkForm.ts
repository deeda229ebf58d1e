// The benchmark form's state and how it becomes the API's BenchmarkCreate body. Kept free of
// Vue so the rules (which fields each mode sends, how lists are parsed) are easy to test.
import type { components } from '@/api/schema'

export type BenchmarkCreate = components['schemas']['BenchmarkCreate']
export type BenchMode = NonNullable<BenchmarkCreate['mode']>

export interface TargetChoice {
  providerId: string
  modelId: string
  /** A parameter set laid under the form's own parameters (those win); null: none. */
  parameterSetId?: string | null
}

export interface BenchmarkForm {
  title: string
  targets: TargetChoice[]
  promptSource: 'text' | 'template'
  prompt: string
  templateId: string
  // Numeric inputs hold what `v-model.number` gives: a number, or '' once the field is cleared
  // (a cleared field means "not set", see `numberOrNull`).
  maxTokens: NumberInput
  temperature: NumberInput
  runs: NumberInput
  warmup: NumberInput
  /** Comma-separated context tiers in tokens, e.g. "0, 8000". */
  contextTiers: string
  mode: BenchMode
  concurrency: NumberInput
  requestRate: NumberInput
  numRequests: NumberInput
  /** Comma-separated load points for the sweep modes. */
  sweep: string
  /** Load modes: start each measured window without open connections (TTFT includes them). */
  cold: boolean
  /** Extra sampling parameters as a JSON object, e.g. {"top_p": 0.9}. */
  paramsJson: string
}

/** A number input's model: a number, '' or null when cleared ("not set"). */
export type NumberInput = number | string | null

/** A cleared or non-numeric input is "not set": null, never '' or NaN. */
export function numberOrNull(value: NumberInput | undefined): number | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  const text = value.trim()
  if (text === '') return null
  const parsed = Number(text)
  return Number.isFinite(parsed) ? parsed : null
}

function requiredNumber(value: NumberInput, field: string, label: string): number {
  const parsed = numberOrNull(value)
  if (parsed === null) throw new FormProblem(field, `Enter ${label}.`)
  return parsed
}

export const MODES: { id: BenchMode; label: string; hint: string }[] = [
  { id: 'profile', label: 'Profile', hint: 'One request at a time: clean latency figures.' },
  { id: 'concurrency', label: 'Concurrency', hint: 'A fixed number of requests in flight.' },
  { id: 'rate', label: 'Rate', hint: 'Requests arrive at a set rate per second.' },
  {
    id: 'sweep_concurrency',
    label: 'Concurrency sweep',
    hint: 'Throughput at each concurrency level.',
  },
  { id: 'sweep_rate', label: 'Rate sweep', hint: 'Latency as the arrival rate grows.' },
]

export const DEFAULT_PROMPT = 'Explain in three short paragraphs how a CPU cache works.'

export function defaultForm(): BenchmarkForm {
  return {
    title: '',
    targets: [],
    promptSource: 'text',
    prompt: DEFAULT_PROMPT,
    templateId: '',
    maxTokens: 256,
    temperature: null,
    runs: 5,
    warmup: 1,
    contextTiers: '0',
    mode: 'profile',
    concurrency: 4,
    requestRate: 2,
    numRequests: 20,
    sweep: '1, 2, 4',
    cold: false,
    paramsJson: '',
  }
}

export class FormProblem extends Error {
  readonly field: string
  constructor(field: string, message: string) {
    super(message)
    this.field = field
  }
}

/** "0, 8000 16k" → [0, 8000, 16000]; throws a FormProblem naming the field on a bad entry. */
export function parseNumberList(text: string, field: string): number[] {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== '')
  return parts.map((part) => {
    const match = /^(\d+(?:\.\d+)?)([kK])?$/.exec(part)
    if (!match) throw new FormProblem(field, `“${part}” is not a number.`)
    const value = Number(match[1]) * (match[2] ? 1000 : 1)
    return value
  })
}

/** A list where each value may appear once (context tiers, sweep points). */
export function parseUniqueList(text: string, field: string): number[] {
  const values = parseNumberList(text, field)
  const repeated = values.filter((value, index) => values.indexOf(value) !== index)
  if (repeated.length > 0) {
    const shown = [...new Set(repeated)].map((v) => v.toLocaleString('en')).join(', ')
    throw new FormProblem(field, `Each value may appear once: ${shown} is repeated.`)
  }
  return values
}

function parseParams(text: string): Record<string, unknown> {
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new FormProblem('params', 'Parameters must be a JSON object, e.g. {"top_p": 0.9}.')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FormProblem('params', 'Parameters must be a JSON object, e.g. {"top_p": 0.9}.')
  }
  return parsed as Record<string, unknown>
}

/** The request body for preview and submit: only the fields the chosen mode uses. */
export function toRequest(form: BenchmarkForm): BenchmarkCreate {
  if (form.targets.length === 0) throw new FormProblem('targets', 'Pick at least one model.')
  if (form.promptSource === 'text' && form.prompt.trim() === '') {
    throw new FormProblem(
      'prompt',
      'Write a prompt, or choose a template: an empty prompt is not sent.',
    )
  }
  const body: BenchmarkCreate = {
    title: form.title.trim(),
    targets: form.targets.map((t) => ({
      provider_id: t.providerId,
      model_id: t.modelId,
      ...(t.parameterSetId ? { parameter_set_id: t.parameterSetId } : {}),
    })),
    // Optional: a cleared field is "not set" (no cap, the model's own temperature).
    max_tokens: numberOrNull(form.maxTokens),
    temperature: numberOrNull(form.temperature),
    runs: requiredNumber(form.runs, 'runs', 'how many measured requests each tier gets'),
    warmup: numberOrNull(form.warmup) ?? 0,
    context_tokens: parseUniqueList(form.contextTiers, 'context_tokens').map(Math.round),
    mode: form.mode,
    params: parseParams(form.paramsJson),
    // The server's defaults, spelled out because the generated type requires them.
    arrival: 'poisson',
    burstiness: 1,
    cache_probe: false,
    cold: form.mode !== 'profile' && form.cold,
    corpus: 'prose',
    parallel_models: false,
    timeout_s: 300,
  }
  if (form.promptSource === 'template') {
    if (!form.templateId) throw new FormProblem('prompt_template_id', 'Pick a prompt template.')
    body.prompt_template_id = form.templateId
  } else {
    body.prompt = form.prompt
  }
  if (form.mode === 'concurrency') {
    body.concurrency = requiredNumber(
      form.concurrency,
      'concurrency',
      'how many requests stay in flight',
    )
    body.num_requests = numberOrNull(form.numRequests)
  }
  if (form.mode === 'rate') {
    body.request_rate = requiredNumber(form.requestRate, 'request_rate', 'the requests per second')
    body.num_requests = numberOrNull(form.numRequests)
  }
  if (form.mode === 'sweep_concurrency' || form.mode === 'sweep_rate') {
    const points = parseUniqueList(form.sweep, 'sweep')
    if (points.length === 0) throw new FormProblem('sweep', 'Give at least one load point.')
    body.sweep = points
    body.num_requests = numberOrNull(form.numRequests)
  }
  return body
}

export function targetKey(target: TargetChoice): string {
  return `${target.providerId}/${target.modelId}`
}
