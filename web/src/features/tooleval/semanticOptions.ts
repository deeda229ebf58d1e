// Semantic argument matching in the eval run form: which arguments of a suite compare
// semantically (as the server counts them), which catalog models can score them, and the
// `semantic` part of the EvalCreate payload.
import type { components } from '@/api/schema'
import type { CatalogModel } from '@/stores/catalog'

/** The part of an argument expectation that says how it matches (nested ones included). */
interface Expectation {
  acceptable?: unknown[]
  match?: string | null
  objects?: Record<string, Expectation>[]
  item_lists?: Expectation[][]
}
interface Case {
  id: string
  expected_calls?: { name: string; arguments?: Record<string, Expectation> }[]
}
export type SemanticSource = 'embeddings' | 'judge'
export type SemanticPayload = components['schemas']['EvalSemanticOptions']

/** The server's default threshold (`DEFAULT_SEMANTIC_THRESHOLD`). */
export const DEFAULT_THRESHOLD = 0.5

export interface SemanticArgument {
  caseId: string
  path: string
}

export interface SemanticState {
  source: SemanticSource
  modelRefId: string
  threshold: number | ''
}

export function defaultSemanticState(): SemanticState {
  return { source: 'embeddings', modelRefId: '', threshold: DEFAULT_THRESHOLD }
}

function semanticPaths(args: Record<string, Expectation> | undefined, prefix: string): string[] {
  const paths: string[] = []
  for (const [name, expectation] of Object.entries(args ?? {})) {
    const path = `${prefix}.${name}`
    if (expectation.match === 'semantic') paths.push(path)
    for (const shape of expectation.objects ?? []) paths.push(...semanticPaths(shape, path))
    for (const items of expectation.item_lists ?? [])
      paths.push(...semanticPaths(Object.fromEntries(items.map((e, i) => [String(i), e])), path))
  }
  return [...new Set(paths)]
}

/** Every argument the cases compare semantically, as `tool.argument` per case. */
export function semanticArguments(cases: readonly Case[]): SemanticArgument[] {
  return cases.flatMap((c) =>
    (c.expected_calls ?? []).flatMap((call) =>
      semanticPaths(call.arguments, call.name).map((path) => ({ caseId: c.id, path })),
    ),
  )
}

/** Active catalog models that can serve the source: embeddings models, or chat models. */
export function similarityModels(
  models: readonly CatalogModel[],
  source: SemanticSource,
): CatalogModel[] {
  const wanted = source === 'embeddings' ? 'embeddings' : 'chat'
  return models.filter((m) => m.archived_at === null && (m.capability ?? 'chat') === wanted)
}

export type SemanticResult =
  { ok: true; value: SemanticPayload | null } | { ok: false; problem: string }

/** The payload's `semantic`: null when the suite needs none, else the checked choice. */
export function buildSemantic(state: SemanticState, needed: boolean): SemanticResult {
  if (!needed) return { ok: true, value: null }
  if (!state.modelRefId)
    return { ok: false, problem: 'Pick the model that scores semantic arguments.' }
  const threshold = state.threshold
  if (threshold === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1)
    return { ok: false, problem: 'The threshold is a number from 0 to 1.' }
  return {
    ok: true,
    value: { source: state.source, model_ref_id: state.modelRefId, threshold },
  }
}

/** How a finished run scored semantic arguments, from its stored settings ('' when not). */
export function semanticNote(settings: Record<string, unknown> | undefined): string {
  const semantic = settings?.semantic as
    { source?: string; model_name?: string; threshold?: number } | undefined
  if (!semantic?.model_name) return ''
  if (semantic.source === 'judge') return `semantic: ${semantic.model_name} judges equivalence`
  return `semantic: ${semantic.model_name} embeddings, threshold ${semantic.threshold ?? DEFAULT_THRESHOLD}`
}

export type SemanticValue = components['schemas']['SemanticValueOut']
interface CheckedArgument {
  name: string
  similarity?: number | null
  semantic?: SemanticValue[]
}

/** An argument's own semantic value (its chip) and the nested ones (listed by path). */
export function argumentSemantic(arg: CheckedArgument): {
  own: SemanticValue | null
  nested: SemanticValue[]
} {
  const values = arg.semantic ?? []
  const own = values.find((v) => v.path === arg.name) ?? null
  return { own, nested: values.filter((v) => v.path !== arg.name) }
}

/** "0.82 ≥ 0.5", "0.31 < 0.5", or "unknown" when the source failed. */
export function similarityLabel(value: SemanticValue): string {
  if (value.similarity === null) return `unknown (threshold ${value.threshold})`
  return `${value.similarity.toFixed(2)} ${value.passed ? '≥' : '<'} ${value.threshold}`
}
