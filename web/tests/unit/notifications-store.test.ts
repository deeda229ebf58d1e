import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '@/api/errors'
import { useNotificationsStore } from '@/stores/notifications'

describe('notifications store', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows an API error with its title, message and request id', () => {
    const notifications = useNotificationsStore()
    notifications.reportError(
      new ApiError({ status: 429, code: 'rate_limited', message: 'Slow down.', requestId: 'r-1' }),
    )
    expect(notifications.toasts).toEqual([
      { id: 1, kind: 'error', title: 'Too many requests', message: 'Slow down.', requestId: 'r-1' },
    ])
  })

  it('does not stack identical toasts', () => {
    const notifications = useNotificationsStore()
    const first = notifications.push({ kind: 'info', title: 'Saved', message: 'Done.' })
    const second = notifications.push({ kind: 'info', title: 'Saved', message: 'Done.' })
    expect(second).toBe(first)
    expect(notifications.toasts).toHaveLength(1)
  })

  it('dismisses by id and automatically after a while', () => {
    const notifications = useNotificationsStore()
    const kept = notifications.push({ kind: 'error', title: 'A', message: 'a' })
    const removed = notifications.push({ kind: 'success', title: 'B', message: 'b' })
    notifications.dismiss(removed)
    expect(notifications.toasts.map((toast) => toast.id)).toEqual([kept])
    vi.advanceTimersByTime(10_000)
    expect(notifications.toasts).toHaveLength(0)
  })

  it('keeps only the most recent few', () => {
    const notifications = useNotificationsStore()
    for (let index = 0; index < 6; index += 1) {
      notifications.push({ kind: 'info', title: `T${index}`, message: 'm' })
    }
    expect(notifications.toasts.map((toast) => toast.title)).toEqual(['T2', 'T3', 'T4', 'T5'])
  })
})
