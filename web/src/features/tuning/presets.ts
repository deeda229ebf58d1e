// Presets in the space editor: a vendor's recommended settings (a baseline point and a space
// around it) and the user's saved spaces (SpacePresetIn/Out), to and from the editor's drafts.
import type { NumberInput } from '@/features/benchmarks/benchmarkForm'

import { buildSpace, type DimensionDraft, draftsFrom, formatValue } from './space'
import type { DimensionIn, SearchSpaceIn, SpacePreset, VendorPreset } from './types'

export interface LoadedSpace {
  drafts: DimensionDraft[]
  repeats: number
}

/** A vendor preset's space, ready to edit (repeats stay as the user set them). */
export function vendorPresetSpace(preset: VendorPreset, repeats: number): LoadedSpace {
  return { drafts: draftsFrom(preset.dimensions), repeats }
}

/** A saved preset's space; a stored space the editor cannot read gives no dimensions. */
export function savedPresetSpace(preset: SpacePreset): LoadedSpace {
  const raw = preset.space
  const dimensions = Array.isArray(raw.dimensions) ? (raw.dimensions as DimensionIn[]) : []
  const repeats = typeof raw.repeats === 'number' && raw.repeats >= 1 ? raw.repeats : 1
  return { drafts: draftsFrom(dimensions), repeats }
}

export interface SpacePresetBody {
  name: string
  description: string
  space: SearchSpaceIn
}

/** What "Save as preset" sends (the space must have passed its checks). */
export function presetBody(
  name: string,
  description: string,
  drafts: readonly DimensionDraft[],
  repeats: NumberInput,
): SpacePresetBody {
  return { name: name.trim(), description: description.trim(), space: buildSpace(drafts, repeats) }
}

/** "temperature 0.6 · top_p 0.95": a preset's recommended point in a line. */
export function pointText(point: Record<string, unknown>): string {
  const parts = Object.entries(point).map(([name, value]) => `${name} ${formatValue(value)}`)
  return parts.length > 0 ? parts.join(' · ') : 'the provider defaults'
}

/** The preset the server says applies to the model (the first), or '' when none does. */
export function applyingPresetId(applying: readonly Pick<VendorPreset, 'id'>[]): string {
  return applying[0]?.id ?? ''
}

/** A name for "save as" that no saved preset has yet ("Space 2" after "Space"). */
export function freeName(base: string, taken: readonly string[]): string {
  const names = new Set(taken.map((n) => n.toLowerCase()))
  const clean = base.trim() || 'Search space'
  if (!names.has(clean.toLowerCase())) return clean
  for (let n = 2; ; n += 1) if (!names.has(`${clean} ${n}`.toLowerCase())) return `${clean} ${n}`
}
