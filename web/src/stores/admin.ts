// Admin views: users (role, disable, delete, limits), invites, the audit log, the system view
// and everyone's active jobs. The server refuses all of it to non-admins.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'
import type { Job } from '@/stores/jobs'

export type AdminUser = components['schemas']['AdminUserOut']
export type UserLimits = components['schemas']['LimitsOut']
export type LimitsInput = components['schemas']['LimitsIn-Input']
export type AuditEvent = components['schemas']['AuditEventOut']
export type SystemView = components['schemas']['SystemOut']
export type JobsOverview = components['schemas']['JobsOverview']
export type Invite = components['schemas']['InviteOut']
export type InviteCreated = components['schemas']['InviteCreated']

export interface AuditFilters {
  action: string
  /** The acting user: part of their e-mail, or their id. */
  actor: string
  target: string
  /** Local date-time strings from <input type="datetime-local">; sent as UTC. */
  since: string
  until: string
}

export const USERS_PAGE_SIZE = 25
export const AUDIT_PAGE_SIZE = 50

function emptyFilters(): AuditFilters {
  return { action: '', actor: '', target: '', since: '', until: '' }
}

/** Ids are 26 hex characters; anything else is matched against the actors' e-mails. */
export function actorQuery(text: string): { actor_id?: string; actor_email?: string } {
  const value = text.trim()
  if (!value) return {}
  return /^[0-9a-f]{26}$/i.test(value) ? { actor_id: value.toLowerCase() } : { actor_email: value }
}

function toUtc(local: string): string | undefined {
  if (!local) return undefined
  const date = new Date(local)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

export const useAdminStore = defineStore('admin', () => {
  const users = ref<AdminUser[]>([])
  const usersTotal = ref(0)
  const usersOffset = ref(0)
  const userQuery = ref('')
  const audit = ref<AuditEvent[]>([])
  const auditFilters = ref<AuditFilters>(emptyFilters())
  /** Cursors of the pages before the current one, for "Newer"; the last is the current page's. */
  const auditCursors = ref<(string | null)[]>([null])
  const auditNextCursor = ref<string | null>(null)
  const system = ref<SystemView | null>(null)
  const overview = ref<JobsOverview | null>(null)
  const activeJobs = ref<Job[]>([])
  const invites = ref<Invite[]>([])

  async function loadUsers(offset = usersOffset.value): Promise<void> {
    const query = { q: userQuery.value.trim() || undefined, limit: USERS_PAGE_SIZE, offset }
    const page = await unwrap(api.GET('/api/admin/users', { params: { query } }))
    users.value = page.items
    usersTotal.value = page.total
    usersOffset.value = offset
  }

  async function updateUser(
    id: string,
    change: { role?: 'admin' | 'user'; is_active?: boolean },
  ): Promise<void> {
    const updated = await unwrap(
      api.PATCH('/api/admin/users/{user_id}', { params: { path: { user_id: id } }, body: change }),
    )
    users.value = users.value.map((user) => (user.id === id ? { ...user, ...updated } : user))
  }

  async function deleteUser(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/admin/users/{user_id}', { params: { path: { user_id: id } } }))
    await loadUsers()
  }

  async function getLimits(id: string): Promise<UserLimits> {
    return unwrap(
      api.GET('/api/admin/users/{user_id}/limits', { params: { path: { user_id: id } } }),
    )
  }

  async function setLimits(id: string, body: LimitsInput): Promise<UserLimits> {
    return unwrap(
      api.PUT('/api/admin/users/{user_id}/limits', { params: { path: { user_id: id } }, body }),
    )
  }

  async function fetchAuditPage(cursor: string | null): Promise<void> {
    const filters = auditFilters.value
    const query = {
      action: filters.action.trim() || undefined,
      ...actorQuery(filters.actor),
      target: filters.target.trim() || undefined,
      since: toUtc(filters.since),
      until: toUtc(filters.until),
      limit: AUDIT_PAGE_SIZE,
      cursor: cursor ?? undefined,
    }
    const page = await unwrap(api.GET('/api/admin/audit', { params: { query } }))
    audit.value = page.items
    auditNextCursor.value = page.next_cursor ?? null
  }

  /** First page for the current filters. */
  async function loadAudit(): Promise<void> {
    auditCursors.value = [null]
    await fetchAuditPage(null)
  }

  async function olderAudit(): Promise<void> {
    const next = auditNextCursor.value
    if (!next) return
    await fetchAuditPage(next)
    auditCursors.value = [...auditCursors.value, next]
  }

  async function newerAudit(): Promise<void> {
    if (auditCursors.value.length < 2) return
    const previous = auditCursors.value.slice(0, -1)
    await fetchAuditPage(previous[previous.length - 1] ?? null)
    auditCursors.value = previous
  }

  function resetAuditFilters(): void {
    auditFilters.value = emptyFilters()
  }

  async function loadSystem(): Promise<void> {
    const [view, jobs] = await Promise.all([
      unwrap(api.GET('/api/admin/system')),
      unwrap(api.GET('/api/admin/jobs/overview')),
    ])
    system.value = view
    overview.value = jobs
  }

  async function loadActiveJobs(): Promise<void> {
    const page = await unwrap(api.GET('/api/admin/jobs', { params: { query: { limit: 200 } } }))
    activeJobs.value = page.items
  }

  /** Email by user id, for the given ids (up to 200: one admin jobs page). */
  async function emailsOf(ids: string[]): Promise<Record<string, string>> {
    const query = { ids: ids.slice(0, 200), limit: 200 }
    const page = await unwrap(api.GET('/api/admin/users', { params: { query } }))
    return Object.fromEntries(page.items.map((u) => [u.id, u.email]))
  }

  async function cancelJob(id: string): Promise<void> {
    const job = await unwrap(
      api.POST('/api/admin/jobs/{job_id}/cancel', { params: { path: { job_id: id } } }),
    )
    activeJobs.value = activeJobs.value.map((item) => (item.id === id ? job : item))
  }

  async function loadInvites(): Promise<void> {
    invites.value = await unwrap(api.GET('/api/admin/invites'))
  }

  async function createInvite(email: string | null, expiresInDays: number): Promise<InviteCreated> {
    const body = { email: email?.trim() || null, expires_in_days: expiresInDays }
    const created = await unwrap(api.POST('/api/admin/invites', { body }))
    await loadInvites()
    return created
  }

  async function deleteInvite(id: string): Promise<void> {
    await unwrap(
      api.DELETE('/api/admin/invites/{invite_id}', { params: { path: { invite_id: id } } }),
    )
    invites.value = invites.value.filter((invite) => invite.id !== id)
  }

  watch(
    () => useAuthStore().user?.id,
    () => {
      users.value = []
      audit.value = []
      system.value = null
      activeJobs.value = []
      invites.value = []
    },
  )

  return {
    users,
    usersTotal,
    usersOffset,
    userQuery,
    audit,
    auditFilters,
    auditCursors,
    auditNextCursor,
    system,
    overview,
    activeJobs,
    emailsOf,
    invites,
    loadUsers,
    updateUser,
    deleteUser,
    getLimits,
    setLimits,
    loadAudit,
    olderAudit,
    newerAudit,
    resetAuditFilters,
    loadSystem,
    loadActiveJobs,
    cancelJob,
    loadInvites,
    createInvite,
    deleteInvite,
  }
})
