import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/errors'

import { duplicateImportOf, existingRoute } from '@/features/imports/duplicateImport'

function conflict(code: string, details: Record<string, unknown>[], status = 409): ApiError {
  return new ApiError({ status, code, message: 'm', details })
}

describe('duplicateImportOf', () => {
  it('reads the suite a duplicate import names', () => {
    const error = conflict('duplicate_import', [{ kind: 'suite', id: 's1', name: 'Weather' }])
    const found = duplicateImportOf(error)
    expect(found).toEqual({ kind: 'suite', id: 's1', name: 'Weather' })
    expect(existingRoute(found!)).toEqual({ name: 'tooleval-suite', params: { suiteId: 's1' } })
  })

  it('routes a benchmark duplicate to its run page', () => {
    const found = duplicateImportOf(
      conflict('duplicate_import', [{ kind: 'benchmark', id: 'r1', name: 7 }]),
    )
    expect(found).toEqual({ kind: 'benchmark', id: 'r1', name: '' })
    expect(existingRoute(found!)).toEqual({ name: 'benchmark-run', params: { runId: 'r1' } })
  })

  it('ignores other errors and malformed details', () => {
    expect(duplicateImportOf(null)).toBeNull()
    expect(duplicateImportOf(conflict('conflict', [{ kind: 'suite', id: 's1' }]))).toBeNull()
    expect(duplicateImportOf(conflict('duplicate_import', []))).toBeNull()
    expect(duplicateImportOf(conflict('duplicate_import', [{ kind: 'job', id: 'x' }]))).toBeNull()
    expect(
      duplicateImportOf(conflict('duplicate_import', [{ kind: 'suite', id: 's' }], 422)),
    ).toBeNull()
  })
})
