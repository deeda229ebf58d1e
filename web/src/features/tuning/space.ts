// The space editor's state (one draft per dimension), its checks (the server's shape rules,
// src/benchstudio/tuning/domain/space.py, plus the model's bounds) and the SearchSpaceIn it
// sends. Problems are keyed like the API's fields: `space.dimensions.<i>.<field>`.
import { type NumberInput, numberOrNull } from '@/features/benchmarks/benchmarkForm'
import type { SpecLike } from '@/features/parameterSets/parameterControls'

import { boundsFor, NOT_DIMENSIONS, rangeStart } from './paramBounds'
import type { ChoiceValue, DimensionIn, DimensionOut, SearchSpaceIn } from './types'

export const MAX_DIMENSIONS = 24
export const MAX_CHOICES = 64
export const MAX_REPEATS = 50

export interface ConditionDraft {
  /** The choice dimension this one follows ('' = none). */
  param: string
  values: ChoiceValue[]
  /** Kept from a preset as it was; the editor does not change it. */
  modelPattern: string | null
}

interface DraftBase {
  /** A stable key for the list (not sent). */
  key: number
  name: string
  condition: ConditionDraft | null
}

export interface RangeDraft extends DraftBase {
  kind: 'range'
  low: NumberInput
  high: NumberInput
  step: NumberInput
  log: boolean
  integer: boolean
}

export interface ChoiceDraft extends DraftBase {
  kind: 'choice'
  values: ChoiceValue[]
}

export type DimensionDraft = RangeDraft | ChoiceDraft
export type Problems = Record<string, string>

let nextKey = 1
function key(): number {
  nextKey += 1
  return nextKey
}

/** A stable text key for any value (objects compare by content), as the server's value_key. */
export function valueKey(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort())
      : v,
  )
}

export function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A new dimension for `name`: a range over the spec's bounds for numbers, else its values. */
export function newDimension(name: string, spec: SpecLike | undefined): DimensionDraft {
  const bounds = boundsFor(spec)
  if (bounds.range && spec) {
    const start = rangeStart(bounds, name)
    return {
      kind: 'range',
      key: key(),
      name,
      condition: null,
      ...start,
      log: false,
      integer: bounds.integer,
    }
  }
  return { kind: 'choice', key: key(), name, condition: null, values: [...(bounds.options ?? [])] }
}

/** The same parameter as the other kind (a range ↔ a list of values). */
export function switchKind(draft: DimensionDraft, spec: SpecLike | undefined): DimensionDraft {
  const fresh = newDimension(draft.name, spec)
  if (draft.kind === 'range') {
    const low = numberOrNull(draft.low)
    const high = numberOrNull(draft.high)
    const values = [low, high].filter((v): v is number => v !== null)
    return { kind: 'choice', key: draft.key, name: draft.name, condition: draft.condition, values }
  }
  const base = fresh.kind === 'range' ? fresh : newDimension(draft.name, undefined)
  const numbers = draft.values.filter((v): v is number => typeof v === 'number')
  const range: RangeDraft = {
    kind: 'range',
    key: draft.key,
    name: draft.name,
    condition: draft.condition,
    low: base.kind === 'range' ? base.low : 0,
    high: base.kind === 'range' ? base.high : 1,
    step: base.kind === 'range' ? base.step : '',
    log: false,
    integer: base.kind === 'range' ? base.integer : false,
  }
  if (numbers.length >= 2) {
    range.low = Math.min(...numbers)
    range.high = Math.max(...numbers)
  }
  return range
}

/** A typed value for a free list: numbers for numeric parameters, yes/no, JSON, or text. */
export function parseChoice(
  text: string,
  spec: SpecLike | undefined,
): { ok: true; value: ChoiceValue } | { ok: false; problem: string } {
  const raw = text.trim()
  if (raw === '') return { ok: false, problem: 'Type a value first.' }
  const type = spec?.type
  if (type === 'int' || type === 'float') {
    const number = Number(raw)
    if (!Number.isFinite(number)) return { ok: false, problem: `${raw} is not a number.` }
    if (type === 'int' && !Number.isInteger(number))
      return { ok: false, problem: `${spec?.name} takes whole numbers.` }
    return { ok: true, value: number }
  }
  if (type === 'str' || type === 'string' || type === 'enum') return { ok: true, value: raw }
  if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' }
  if (raw !== '' && Number.isFinite(Number(raw))) return { ok: true, value: Number(raw) }
  if (raw.startsWith('{') || raw.startsWith('[')) {
    try {
      return { ok: true, value: JSON.parse(raw) as ChoiceValue }
    } catch {
      return { ok: false, problem: 'Not valid JSON.' }
    }
  }
  return { ok: true, value: raw }
}

/** The values a choice dimension offers as conditions for others. */
export function controllers(
  drafts: readonly DimensionDraft[],
  except: string,
): { name: string; values: ChoiceValue[] }[] {
  return drafts
    .filter((d): d is ChoiceDraft => d.kind === 'choice' && d.name !== except && d.name !== '')
    .map((d) => ({ name: d.name, values: d.values }))
}

function outOfBounds(value: number, spec: SpecLike | undefined): string | null {
  const bounds = boundsFor(spec)
  if (bounds.min !== null && value < bounds.min)
    return `The model allows ${bounds.hint.toLowerCase()}.`
  if (bounds.max !== null && value > bounds.max)
    return `The model allows ${bounds.hint.toLowerCase()}.`
  return null
}

function checkRange(draft: RangeDraft, at: string, spec: SpecLike | undefined, out: Problems) {
  const low = numberOrNull(draft.low)
  const high = numberOrNull(draft.high)
  const step = numberOrNull(draft.step)
  if (low === null) out[`${at}.low`] = 'Enter the lowest value.'
  if (high === null) out[`${at}.high`] = 'Enter the highest value.'
  if (typeof draft.step === 'string' && draft.step.trim() !== '' && step === null)
    out[`${at}.step`] = 'The step must be a number.'
  if (low === null || high === null) return
  const lowBound = outOfBounds(low, spec)
  const highBound = outOfBounds(high, spec)
  if (lowBound) out[`${at}.low`] = lowBound
  if (highBound) out[`${at}.high`] = highBound
  if (low >= high) out[`${at}.high`] = 'The highest value must be above the lowest.'
  else if (draft.log && low <= 0) out[`${at}.low`] = 'A log scale needs a lowest value above 0.'
  if (draft.integer && !(Number.isInteger(low) && Number.isInteger(high)))
    out[`${at}.low`] = `${draft.name} takes whole numbers: use whole-number bounds.`
  if (step === null) return
  if (step <= 0) out[`${at}.step`] = 'The step must be above 0.'
  else if (draft.log && step <= 1)
    out[`${at}.step`] = 'On a log scale the step is a ratio: use a number above 1 (2 doubles).'
  else if (draft.integer && !draft.log && !Number.isInteger(step))
    out[`${at}.step`] = 'Use a whole-number step.'
}

function checkChoices(draft: ChoiceDraft, at: string, spec: SpecLike | undefined, out: Problems) {
  if (draft.values.length === 0) {
    out[`${at}.choices`] = 'Pick or add at least one value.'
    return
  }
  if (draft.values.length > MAX_CHOICES) out[`${at}.choices`] = `At most ${MAX_CHOICES} values.`
  const keys = draft.values.map(valueKey)
  if (new Set(keys).size !== keys.length) out[`${at}.choices`] = 'A value is listed twice.'
  for (const value of draft.values)
    if (typeof value === 'number' && outOfBounds(value, spec))
      out[`${at}.choices`] = `${value} is outside what the model allows (${boundsFor(spec).hint}).`
}

function checkCondition(
  draft: DimensionDraft,
  at: string,
  drafts: readonly DimensionDraft[],
  out: Problems,
) {
  const condition = draft.condition
  if (!condition || condition.param === '') return
  const parent = drafts.find((d) => d.name === condition.param)
  if (!parent) out[`${at}.condition`] = `${condition.param} is not in the space.`
  else if (parent.kind !== 'choice')
    out[`${at}.condition`] = 'A condition can follow a list of values only.'
  else if (condition.values.length === 0)
    out[`${at}.condition`] = `Tick the values of ${parent.name} that switch it on.`
  else if (condition.values.some((v) => !parent.values.some((p) => valueKey(p) === valueKey(v))))
    out[`${at}.condition`] = `${parent.name} no longer offers a ticked value.`
}

/** Conditions that loop (a follows b follows a): the names caught in the loop. */
function cycle(drafts: readonly DimensionDraft[]): string[] {
  const placed = new Set<string>()
  let pending = drafts.filter((d) => d.name !== '')
  for (;;) {
    const ready = pending.filter(
      (d) =>
        !d.condition?.param ||
        placed.has(d.condition.param) ||
        !pending.some((p) => p.name === d.condition?.param),
    )
    if (ready.length === 0) return pending.map((d) => d.name)
    ready.forEach((d) => placed.add(d.name))
    pending = pending.filter((d) => !placed.has(d.name))
    if (pending.length === 0) return []
  }
}

/** Every problem of the space, keyed by its field; empty when it can be sent. */
export function spaceProblems(
  drafts: readonly DimensionDraft[],
  repeats: NumberInput,
  specs: readonly SpecLike[],
): Problems {
  const out: Problems = {}
  if (drafts.length === 0) out.space = 'Add at least one parameter to search over.'
  if (drafts.length > MAX_DIMENSIONS)
    out.space = `At most ${MAX_DIMENSIONS} parameters can be searched at once.`
  const r = numberOrNull(repeats)
  if (r === null || !Number.isInteger(r) || r < 1 || r > MAX_REPEATS)
    out['space.repeats'] = `Repeats: a whole number from 1 to ${MAX_REPEATS}.`
  const seen = new Set<string>()
  drafts.forEach((draft, index) => {
    const at = `space.dimensions.${index}`
    const name = draft.name.trim()
    if (name === '') out[`${at}.name`] = 'Pick a parameter.'
    else if (seen.has(name)) out[`${at}.name`] = `${name} is already in the space.`
    else if (NOT_DIMENSIONS.includes(name))
      out[`${at}.name`] = 'Seeds are not searched: set repeats instead.'
    seen.add(name)
    const spec = specs.find((s) => s.name === name)
    if (draft.kind === 'range') checkRange(draft, at, spec, out)
    else checkChoices(draft, at, spec, out)
    checkCondition(draft, at, drafts, out)
  })
  const looped = cycle(drafts)
  if (looped.length > 0) out.space = `The conditions of ${looped.join(', ')} form a loop.`
  return out
}

function conditionIn(condition: ConditionDraft | null): DimensionIn['condition'] {
  if (!condition) return null
  const param = condition.param || null
  if (param === null && condition.modelPattern === null) return null
  return {
    param,
    values: param === null ? [] : condition.values,
    model_pattern: condition.modelPattern,
  }
}

/** The space as sent (call after `spaceProblems` found nothing). */
export function buildSpace(drafts: readonly DimensionDraft[], repeats: NumberInput): SearchSpaceIn {
  const dimensions: DimensionIn[] = drafts.map((draft) => {
    const condition = conditionIn(draft.condition)
    if (draft.kind === 'choice')
      return { kind: 'choice', name: draft.name.trim(), choices: draft.values, condition }
    return {
      kind: 'range',
      name: draft.name.trim(),
      low: numberOrNull(draft.low) ?? 0,
      high: numberOrNull(draft.high) ?? 0,
      step: numberOrNull(draft.step),
      scale: draft.log ? 'log' : 'linear',
      integer: draft.integer,
      condition,
    }
  })
  return { dimensions, repeats: numberOrNull(repeats) ?? 1 }
}

/** Drafts from dimensions as the server lists them (a preset, a stored space). */
export function draftsFrom(dimensions: readonly (DimensionOut | DimensionIn)[]): DimensionDraft[] {
  return dimensions.map((d) => {
    const raw = d.condition
    const condition: ConditionDraft | null = raw
      ? {
          param: raw.param ?? '',
          values: (raw.values ?? []) as ChoiceValue[],
          modelPattern: raw.model_pattern ?? null,
        }
      : null
    if (d.kind === 'choice')
      return {
        kind: 'choice',
        key: key(),
        name: d.name,
        condition,
        values: [...((d.choices ?? []) as ChoiceValue[])],
      }
    return {
      kind: 'range',
      key: key(),
      name: d.name,
      condition,
      low: d.low ?? '',
      high: d.high ?? '',
      step: d.step ?? '',
      log: d.scale === 'log',
      integer: Boolean(d.integer),
    }
  })
}
