// One async action's state for a form or a button: busy flag, the readable error, and the
// per-field messages of the API's validation envelope (`details`) for showing next to inputs.
import { computed, ref, type ComputedRef, type Ref } from 'vue'

import { type ApiError, asApiError } from '@/api/errors'

export interface Submission {
  busy: Ref<boolean>
  error: Ref<ApiError | null>
  fieldErrors: ComputedRef<Record<string, string>>
  /** Run the action; on failure keep its error and resolve undefined (never throws). */
  run<T>(action: () => Promise<T>): Promise<T | undefined>
  reset(): void
}

export function useSubmit(): Submission {
  const busy = ref(false)
  const error = ref<ApiError | null>(null)
  const fieldErrors = computed(() => error.value?.fieldErrors ?? {})

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      return await action()
    } catch (caught) {
      error.value = asApiError(caught)
      return undefined
    } finally {
      busy.value = false
    }
  }

  function reset(): void {
    error.value = null
  }

  return { busy, error, fieldErrors, run, reset }
}
