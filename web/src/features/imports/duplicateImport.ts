// A 409 `duplicate_import` names what the same file became the first time; the UI offers to
// open that or to import again as a copy (`?duplicate=allow`).
import type { ApiError } from '@/api/errors'

export interface DuplicateImport {
  kind: 'suite' | 'benchmark'
  id: string
  name: string
}

/** The earlier import an error names, or null when the error is not a duplicate import. */
export function duplicateImportOf(error: ApiError | null | undefined): DuplicateImport | null {
  if (!error || error.status !== 409 || error.code !== 'duplicate_import') return null
  const first = error.details[0]
  if (!first) return null
  const { kind, id, name } = first
  if ((kind !== 'suite' && kind !== 'benchmark') || typeof id !== 'string' || id === '') return null
  return { kind, id, name: typeof name === 'string' ? name : '' }
}

/** The route that opens the earlier import. */
export function existingRoute(found: DuplicateImport): {
  name: string
  params: Record<string, string>
} {
  return found.kind === 'suite'
    ? { name: 'tooleval-suite', params: { suiteId: found.id } }
    : { name: 'benchmark-run', params: { runId: found.id } }
}
