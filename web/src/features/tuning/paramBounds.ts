// What the space editor offers for a parameter, from the provider registry's spec for the
// chosen model (GET /api/parameter-specs?model_ref_id=…): whether it can be a range, its
// bounds, the fixed values a choice list picks from, and a new dimension's starting values.
import type { SpecLike } from '@/features/parameterSets/parameterControls'

import type { ChoiceValue } from './types'

/** Never a dimension: a seed only makes repeats reproducible (the server refuses it). */
export const NOT_DIMENSIONS: readonly string[] = ['seed', 'random_seed']

/** Types a search can vary: numbers, yes/no and text (objects and lists are left out). */
const TUNABLE_TYPES = ['float', 'int', 'bool', 'str', 'string', 'enum']

/** The sampling parameters people tune most, listed first in the picker. */
const COMMON = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'max_tokens',
  'reasoning_effort',
  'reasoning_budget',
  'tool_choice',
]

export interface ParamBounds {
  /** Whether a range (numbers) fits; otherwise only a list of values. */
  range: boolean
  integer: boolean
  min: number | null
  max: number | null
  /** The only values the parameter takes (booleans, an enum), or null for a free list. */
  options: ChoiceValue[] | null
  /** The bounds in words, for the hint under the inputs. */
  hint: string
}

/** Whether the space editor offers `spec` as a dimension. */
export function isTunable(spec: SpecLike): boolean {
  if (NOT_DIMENSIONS.includes(spec.name)) return false
  if (spec.choices && spec.choices.length > 0) return true
  return TUNABLE_TYPES.includes(spec.type)
}

/** The tunable specs, the common sampling parameters first, then by name. */
export function tunableSpecs<T extends SpecLike>(specs: readonly T[]): T[] {
  const rank = (name: string): number => {
    const at = COMMON.indexOf(name)
    return at === -1 ? COMMON.length : at
  }
  return specs
    .filter(isTunable)
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name))
}

function numberHint(integer: boolean, min: number | null, max: number | null): string {
  const kind = integer ? 'Whole numbers' : 'Numbers'
  if (min !== null && max !== null) return `${kind} from ${min} to ${max}`
  if (min !== null) return `${kind}, at least ${min}`
  if (max !== null) return `${kind}, at most ${max}`
  return kind
}

/** The inputs' bounds for a parameter; a parameter without a spec gets a free list or range. */
export function boundsFor(spec: SpecLike | undefined): ParamBounds {
  if (!spec)
    return {
      range: true,
      integer: false,
      min: null,
      max: null,
      options: null,
      hint: "This model's provider does not list this parameter: the server will drop it.",
    }
  if (spec.choices && spec.choices.length > 0) {
    const options = spec.choices as ChoiceValue[]
    const hint = spec.request_field
      ? "Pick values: sent as the request's own field, in the provider's format"
      : 'Pick values'
    return { range: false, integer: false, min: null, max: null, options, hint }
  }
  if (spec.type === 'bool')
    return {
      range: false,
      integer: false,
      min: null,
      max: null,
      options: [true, false],
      hint: 'Yes or no',
    }
  if (spec.type === 'float' || spec.type === 'int') {
    const integer = spec.type === 'int'
    const min = spec.min ?? null
    const max = spec.max ?? null
    return { range: true, integer, min, max, options: null, hint: numberHint(integer, min, max) }
  }
  return { range: false, integer: false, min: null, max: null, options: null, hint: 'Text values' }
}

/** A tidy step: about ten points across [low, high] (1, 2 or 5 times a power of ten). */
export function niceStep(low: number, high: number, integer: boolean): number {
  const raw = (high - low) / 10
  if (!(raw > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw - 1e-12) ?? raw
  return integer ? Math.max(1, Math.round(step)) : Number(step.toPrecision(6))
}

export interface RangeStart {
  low: number
  high: number
  step: number
}

/** Open-ended parameters whose useful window is wider than the default (thinking tokens). */
const OPEN_SPANS: Readonly<Record<string, number>> = { reasoning_budget: 8192 }

/** A new range's first values: the spec's bounds, or a small window when one is open (a
 * thinking budget gets 8192 tokens above its minimum). */
export function rangeStart(bounds: ParamBounds, name = ''): RangeStart {
  let low = bounds.min ?? 0
  const span = OPEN_SPANS[name] ?? (bounds.integer ? 10 : 1)
  let high = bounds.max ?? low + span
  if (bounds.integer) {
    low = Math.ceil(low)
    high = Math.floor(high)
  }
  if (high <= low) high = low + 1
  return { low, high, step: niceStep(low, high, bounds.integer) }
}
