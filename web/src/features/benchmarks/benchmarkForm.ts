// The benchmark form's state and how it becomes the API's BenchmarkCreate body. Kept free of
// Vue so the rules (which fields each mode sends, how lists are parsed) are easy to test.
import type { components } from '@/api/schema'

export type BenchmarkCreate = components['schemas']['BenchmarkCreate']
export type BenchMode = NonNullable<BenchmarkCreate['mode']>

export interface TargetChoice {
  providerId: string
  modelId: string
}

export interface BenchmarkForm {
  title: string
  targets: TargetChoice[]
  promptSource: 'text' | 'template'
  prompt: string
  templateId: string
  maxTokens: number | null
  temperature: number | null
  runs: number
  warmup: number
  /** Comma-separated context tiers in tokens, e.g. "0, 8000". */
  contextTiers: string
  mode: BenchMode
  concurrency: number | null
  requestRate: number | null
  numRequests: number | null
  /** Comma-separated load points for the sweep modes. */
  sweep: string
  /** Load modes: start each measured window without open connections (TTFT includes them). */
  cold: boolean
  /** Extra sampling parameters as a JSON object, e.g. {"top_p": 0.9}. */
  paramsJson: string
}

export const MODES: { id: BenchMode; label: string; hint: string }[] = [
  { id: 'profile', label: 'Profile', hint: 'One request at a time: clean latency figures.' },
  { id: 'concurrency', label: 'Concurrency', hint: 'A fixed number of requests in flight.' },
  { id: 'rate', label: 'Rate', hint: 'Requests arrive at a set rate per second.' },
  { id: 'sweep_concurrency', label: 'Concurrency sweep', hint: 'Throughput at each concurrency level.' },
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
  const body: BenchmarkCreate = {
    title: form.title.trim(),
    targets: form.targets.map((t) => ({ provider_id: t.providerId, model_id: t.modelId })),
    max_tokens: form.maxTokens ?? null,
    temperature: form.temperature ?? null,
    runs: form.runs,
    warmup: form.warmup,
    context_tokens: parseNumberList(form.contextTiers, 'context_tokens').map(Math.round),
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
    body.concurrency = form.concurrency
    body.num_requests = form.numRequests
  }
  if (form.mode === 'rate') {
    body.request_rate = form.requestRate
    body.num_requests = form.numRequests
  }
  if (form.mode === 'sweep_concurrency' || form.mode === 'sweep_rate') {
    const points = parseNumberList(form.sweep, 'sweep')
    if (points.length === 0) throw new FormProblem('sweep', 'Give at least one load point.')
    body.sweep = points
    body.num_requests = form.numRequests
  }
  return body
}

export function targetKey(target: TargetChoice): string {
  return `${target.providerId}/${target.modelId}`
}
