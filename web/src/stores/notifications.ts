// Toasts: short messages in one screen corner. API errors arrive here through reportError,
// which uses the same formatting as every other error display.
import { defineStore } from 'pinia'
import { ref } from 'vue'

import { asApiError } from '@/api/errors'

export type ToastKind = 'error' | 'success' | 'info'

export interface Toast {
  id: number
  kind: ToastKind
  title: string
  message: string
  requestId?: string | undefined
  /** A link to what the toast is about (a finished run's results). */
  link?: { to: string; label: string } | undefined
}

export type ToastInput = Omit<Toast, 'id'>

const AUTO_DISMISS_MS: Record<ToastKind, number> = { error: 10_000, success: 4_000, info: 5_000 }
const MAX_VISIBLE = 4

export const useNotificationsStore = defineStore('notifications', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1
  const timers = new Map<number, ReturnType<typeof setTimeout>>()

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id)
    const timer = timers.get(id)
    if (timer !== undefined) clearTimeout(timer)
    timers.delete(id)
  }

  /** Show a toast; an identical one already on screen is not repeated. Returns its id. */
  function push(input: ToastInput): number {
    const same = toasts.value.find(
      (toast) =>
        toast.kind === input.kind && toast.title === input.title && toast.message === input.message,
    )
    if (same) return same.id
    const toast: Toast = { ...input, id: nextId++ }
    toasts.value = [...toasts.value, toast].slice(-MAX_VISIBLE)
    timers.set(
      toast.id,
      setTimeout(() => dismiss(toast.id), AUTO_DISMISS_MS[toast.kind]),
    )
    return toast.id
  }

  function reportError(error: unknown): number {
    const apiError = asApiError(error)
    return push({
      kind: 'error',
      title: apiError.title,
      message: apiError.message,
      requestId: apiError.requestId,
    })
  }

  return { toasts, push, dismiss, reportError }
})
