// The trial table's columns and sorting: by number, kind, state, any parameter, score,
// latency, cost or calls. Missing values (a running trial's score, a parameter left at the
// provider default) sort last in either direction, so the interesting rows stay on top.
import type { Trial } from './resultsTypes'

export type FixedSortKey = 'number' | 'kind' | 'state' | 'score' | 'latency' | 'cost' | 'calls'
/** A fixed column, or `param:<name>` for a parameter's column. */
export type SortKey = FixedSortKey | `param:${string}`
export type SortDirection = 'asc' | 'desc'

export interface SortState {
  key: SortKey
  direction: SortDirection
}

export const DEFAULT_SORT: SortState = { key: 'number', direction: 'asc' }

const KIND_ORDER = { baseline_default: 0, baseline_preset: 1, search: 2 } as const
const STATE_ORDER = { running: 0, complete: 1, pruned: 2, failed: 3 } as const

type Sortable = number | string | null

export function paramKey(name: string): SortKey {
  return `param:${name}`
}

function sortValue(trial: Trial, key: SortKey): Sortable {
  switch (key) {
    case 'number':
      return trial.number
    case 'kind':
      return KIND_ORDER[trial.kind]
    case 'state':
      return STATE_ORDER[trial.state]
    case 'score':
      return trial.score ?? trial.partial
    case 'latency':
      return trial.latency_p50_ms
    case 'cost':
      return trial.cost_usd
    case 'calls':
      return trial.calls
    default: {
      const value = trial.point[key.slice('param:'.length)]
      if (value === undefined || value === null) return null
      if (typeof value === 'number') return value
      if (typeof value === 'boolean') return value ? 1 : 0
      return typeof value === 'string' ? value : JSON.stringify(value)
    }
  }
}

function compare(a: Sortable, b: Sortable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  // Numbers before text when a column mixes them.
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return String(a).localeCompare(String(b), undefined, { numeric: true })
}

/** A sorted copy; ties keep trial-number order. */
export function sortTrials(trials: readonly Trial[], sort: SortState): Trial[] {
  const sign = sort.direction === 'asc' ? 1 : -1
  return [...trials].sort((x, y) => {
    const a = sortValue(x, sort.key)
    const b = sortValue(y, sort.key)
    if (a === null && b === null) return x.number - y.number
    if (a === null) return 1
    if (b === null) return -1
    return sign * compare(a, b) || x.number - y.number
  })
}

/** A header click: the same column flips its direction; a new one starts with the useful
 * direction (best scores, fewest calls... first for figures; ascending otherwise). */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) {
    return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
  }
  return { key, direction: key === 'score' ? 'desc' : 'asc' }
}

/** aria-sort for a header. */
export function ariaSort(current: SortState, key: SortKey): 'ascending' | 'descending' | 'none' {
  if (current.key !== key) return 'none'
  return current.direction === 'asc' ? 'ascending' : 'descending'
}
