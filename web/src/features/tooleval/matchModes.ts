// What each argument match mode means, in the scorer's own terms (toolcall/matching.py), so the
// case editor can say it next to the control and show only the settings a mode uses.
import type { components } from '@/api/schema'

export type MatchMode = components['schemas']['MatchMode']
export type CallOrder = components['schemas']['CallOrder']

export interface MatchModeInfo {
  /** '' stands for "not set": the scoring profile's default mode decides. */
  value: MatchMode | ''
  label: string
  hint: string
  /** Whether accepted values are compared at all (ignore/present never look at them). */
  comparesValues: boolean
  /** Whether the fuzzy threshold and numeric tolerance take effect. */
  usesTolerances: boolean
}

export const MATCH_MODES: readonly MatchModeInfo[] = [
  {
    value: '',
    label: 'Profile default',
    hint: 'The scoring profile decides (strict: exact, lenient: fuzzy, bfcl: BFCL rules).',
    comparesValues: true,
    usesTolerances: true,
  },
  {
    value: 'exact',
    label: 'Exact',
    hint: 'Equal as JSON (1 equals 1.0, true does not equal 1).',
    comparesValues: true,
    usesTolerances: false,
  },
  {
    value: 'fuzzy',
    label: 'Fuzzy',
    hint: 'Text compared after normalising, similar enough by the threshold; numbers within the tolerance.',
    comparesValues: true,
    usesTolerances: true,
  },
  {
    value: 'contains',
    label: 'Contains',
    hint: 'The accepted value is a substring, sub-list or sub-object of what is sent.',
    comparesValues: true,
    usesTolerances: false,
  },
  {
    value: 'bfcl',
    label: 'BFCL rules',
    hint: "The Berkeley leaderboard's checker for this argument (type-aware).",
    comparesValues: true,
    usesTolerances: false,
  },
  {
    value: 'semantic',
    label: 'Semantic',
    hint: 'A judge model or embeddings decide whether the meaning matches.',
    comparesValues: true,
    usesTolerances: false,
  },
  {
    value: 'present',
    label: 'Present (any value)',
    hint: 'Must be sent; any value passes.',
    comparesValues: false,
    usesTolerances: false,
  },
  {
    value: 'ignore',
    label: 'Ignore',
    hint: 'Never checked, and may be left out.',
    comparesValues: false,
    usesTolerances: false,
  },
]

export function matchModeInfo(mode: MatchMode | '' | null | undefined): MatchModeInfo {
  return (
    MATCH_MODES.find((info) => info.value === (mode ?? '')) ?? (MATCH_MODES[0] as MatchModeInfo)
  )
}

export const CALL_ORDERS: readonly { value: CallOrder; label: string; hint: string }[] = [
  { value: 'unordered', label: 'Any order', hint: 'The same calls, in any order.' },
  { value: 'ordered', label: 'In this order', hint: 'The same calls, in the order listed.' },
  {
    value: 'subset',
    label: 'Some of these',
    hint: 'Every call made must be listed; some listed calls may be missing.',
  },
  {
    value: 'superset',
    label: 'At least these',
    hint: 'Every listed call must be made; extra calls are allowed.',
  },
]

/** The scorer's defaults, shown as placeholders (toolcall/matching.py). */
export const DEFAULT_FUZZY_THRESHOLD = 0.85
export const DEFAULT_NUMERIC_TOLERANCE = 1e-6
