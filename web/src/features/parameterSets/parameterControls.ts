// Which control edits a parameter-set value, from the provider parameter registry's spec
// (served by /api/parameter-specs): numbers with their range, a select for fixed choices or
// yes/no, plain text otherwise. And which sets a target may use.
export interface SpecLike {
  name: string
  type: string
  min?: number | null | undefined
  max?: number | null | undefined
  choices?: unknown[] | null | undefined
  /** A field of the request itself (tool_choice): a run setting and a tuner dimension. */
  request_field?: boolean | undefined
}

/** The specs a parameter set may hold: not the request's own fields (tool_choice is set on
 * the run, or searched by the tuner; the server refuses it in a set). */
export function parameterSetSpecs<T extends SpecLike>(specs: readonly T[]): T[] {
  return specs.filter((spec) => !spec.request_field)
}

export type ParamControl =
  | { kind: 'number'; min: number | undefined; max: number | undefined; step: string }
  | { kind: 'select'; options: string[] }
  | { kind: 'text' }

export function controlFor(spec: SpecLike | undefined): ParamControl {
  if (!spec) return { kind: 'text' }
  if (spec.choices && spec.choices.length > 0) {
    return { kind: 'select', options: spec.choices.map((c) => String(c)) }
  }
  if (spec.type === 'bool') return { kind: 'select', options: ['true', 'false'] }
  if (spec.type === 'float' || spec.type === 'int') {
    return {
      kind: 'number',
      min: spec.min ?? undefined,
      max: spec.max ?? undefined,
      step: spec.type === 'int' ? '1' : 'any',
    }
  }
  return { kind: 'text' }
}

/** "0 to 2", "at least 1", "" — the allowed range in words, for the hint under a control. */
export function rangeHint(spec: SpecLike | undefined): string {
  if (!spec || (spec.type !== 'float' && spec.type !== 'int')) return ''
  const kind = spec.type === 'int' ? 'Whole number' : 'Number'
  const min = spec.min ?? null
  const max = spec.max ?? null
  if (min !== null && max !== null) return `${kind} from ${min} to ${max}`
  if (min !== null) return `${kind}, at least ${min}`
  if (max !== null) return `${kind}, at most ${max}`
  return kind
}

export interface SetLike {
  id: string
  name: string
  model_ref_id?: string | null | undefined
}

/** The sets a target may use: those made for its catalog model, and those for any model. An
 * ad hoc model (no catalog row) gets only the latter. */
export function setsForModel<T extends SetLike>(sets: T[], modelRefId: string | null): T[] {
  return sets.filter(
    (s) => !s.model_ref_id || (modelRefId !== null && s.model_ref_id === modelRefId),
  )
}
