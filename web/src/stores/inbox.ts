// The notification center's state: the unread count the header's bell shows (polled, since the
// server pushes no per-user notices), the bell panel's latest notices, and marking them read.
// ("notifications" is the toasts store's name, hence "inbox".)
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'

export type Notice = components['schemas']['NotificationOut']
export type NoticePage = components['schemas']['NotificationPage']

/** How many notices the bell's panel lists. */
export const LATEST = 6

export const useInboxStore = defineStore('inbox', () => {
  const unread = ref(0)
  const latest = ref<Notice[]>([])

  async function refreshCount(): Promise<void> {
    unread.value = (await unwrap(api.GET('/api/notifications/unread-count'))).unread
  }

  async function loadLatest(): Promise<void> {
    const page = await unwrap(
      api.GET('/api/notifications', { params: { query: { limit: LATEST } } }),
    )
    latest.value = page.items
    unread.value = page.unread
  }

  async function page(limit: number, offset: number, unreadOnly: boolean): Promise<NoticePage> {
    const query = { limit, offset, unread_only: unreadOnly }
    const found = await unwrap(api.GET('/api/notifications', { params: { query } }))
    unread.value = found.unread
    return found
  }

  function markedLocally(ids: string[] | null, at: string): void {
    latest.value = latest.value.map((n) =>
      n.read_at === null && (ids === null || ids.includes(n.id)) ? { ...n, read_at: at } : n,
    )
  }

  /** Mark the notices read; returns when they were marked (for the caller's own list). */
  async function markRead(ids: string[]): Promise<string> {
    const { marked } = await unwrap(api.POST('/api/notifications/read', { body: { ids } }))
    const at = new Date().toISOString()
    unread.value = Math.max(0, unread.value - marked)
    markedLocally(ids, at)
    return at
  }

  async function markAllRead(): Promise<string> {
    await unwrap(api.POST('/api/notifications/read-all'))
    const at = new Date().toISOString()
    unread.value = 0
    markedLocally(null, at)
    return at
  }

  watch(
    () => useAuthStore().user?.id,
    () => {
      unread.value = 0
      latest.value = []
    },
  )

  return { unread, latest, refreshCount, loadLatest, page, markRead, markAllRead }
})
