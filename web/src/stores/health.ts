// Server health from /healthz, shown in the top bar and on the Overview page.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { api } from '@/api/client'
import { type ApiError, NETWORK_STATUS, asApiError, toApiError } from '@/api/errors'
import type { paths } from '@/api/schema'

export type HealthReport = paths['/healthz']['get']['responses'][200]['content']['application/json']

/** offline: no answer at all; failing: the server answered with an error. */
export type ServerState = 'unknown' | 'healthy' | 'degraded' | 'failing' | 'offline'

function isHealthReport(value: unknown): value is HealthReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    'version' in value &&
    'database' in value &&
    'status' in value
  )
}

export const useHealthStore = defineStore('health', () => {
  const report = ref<HealthReport | null>(null)
  const error = ref<ApiError | null>(null)
  const loading = ref(false)
  const checkedAt = ref<Date | null>(null)

  const state = computed<ServerState>(() => {
    if (error.value) return error.value.status === NETWORK_STATUS ? 'offline' : 'failing'
    if (!report.value) return 'unknown'
    // `status` covers every dependency (the database, and Redis in scale-out mode).
    return report.value.status === 'ok' ? 'healthy' : 'degraded'
  })

  /** Ask the server how it is. A 503 that still carries a health report is a report. */
  async function refresh(): Promise<void> {
    loading.value = true
    try {
      const { data, error: body, response } = await api.GET('/healthz')
      if (data) {
        report.value = data
      } else if (isHealthReport(body)) {
        report.value = body
      } else {
        throw toApiError(body, response)
      }
      error.value = null
    } catch (caught) {
      error.value = asApiError(caught)
    } finally {
      loading.value = false
      checkedAt.value = new Date()
    }
  }

  return { report, error, loading, checkedAt, state, refresh }
})
