// Webhook endpoints for schedule notices. The signing secret is in the create and rotate
// answers only; the list keeps what can be shown again (the URL's scheme and host).
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'

export type Webhook = components['schemas']['WebhookOut']
export type WebhookWithSecret = components['schemas']['WebhookSecretOut']
export type WebhookCreate = components['schemas']['WebhookIn']
export type AttemptPage = components['schemas']['DeliveryAttemptPage']

/** A schedule a webhook can be scoped to. */
export interface ScheduleChoice {
  id: string
  name: string
}

function shown(hook: WebhookWithSecret): Webhook {
  return {
    id: hook.id,
    name: hook.name,
    url_hint: hook.url_hint,
    schedule_id: hook.schedule_id,
    enabled: hook.enabled,
    created_at: hook.created_at,
    secret_rotated_at: hook.secret_rotated_at,
  }
}

export const useWebhooksStore = defineStore('webhooks', () => {
  const webhooks = ref<Webhook[]>([])
  const schedules = ref<ScheduleChoice[]>([])
  const loaded = ref(false)

  async function load(): Promise<void> {
    const [hooks, page] = await Promise.all([
      unwrap(api.GET('/api/webhooks')),
      unwrap(api.GET('/api/schedules', { params: { query: { limit: 200 } } })),
    ])
    webhooks.value = hooks
    schedules.value = page.items.map((s) => ({ id: s.id, name: s.name }))
    loaded.value = true
  }

  function replace(hook: Webhook): void {
    webhooks.value = webhooks.value.map((h) => (h.id === hook.id ? hook : h))
  }

  async function create(body: WebhookCreate): Promise<WebhookWithSecret> {
    const created = await unwrap(api.POST('/api/webhooks', { body }))
    webhooks.value = [shown(created), ...webhooks.value]
    return created
  }

  async function setEnabled(id: string, enabled: boolean): Promise<void> {
    const path = { webhook_id: id }
    replace(
      await unwrap(
        api.PATCH('/api/webhooks/{webhook_id}', { params: { path }, body: { enabled } }),
      ),
    )
  }

  async function rotate(id: string): Promise<WebhookWithSecret> {
    const path = { webhook_id: id }
    const rotated = await unwrap(
      api.POST('/api/webhooks/{webhook_id}/rotate-secret', { params: { path } }),
    )
    replace(shown(rotated))
    return rotated
  }

  async function remove(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/webhooks/{webhook_id}', { params: { path: { webhook_id: id } } }))
    webhooks.value = webhooks.value.filter((h) => h.id !== id)
  }

  async function deliveries(id: string, limit: number, offset: number): Promise<AttemptPage> {
    const params = { path: { webhook_id: id }, query: { limit, offset } }
    return unwrap(api.GET('/api/webhooks/{webhook_id}/deliveries', { params }))
  }

  function scheduleName(id: string | null): string | null {
    if (id === null) return null
    return schedules.value.find((s) => s.id === id)?.name ?? 'a deleted schedule'
  }

  watch(
    () => useAuthStore().user?.id,
    () => {
      webhooks.value = []
      schedules.value = []
      loaded.value = false
    },
  )

  return {
    webhooks,
    schedules,
    loaded,
    load,
    create,
    setEnabled,
    rotate,
    remove,
    deliveries,
    scheduleName,
  }
})
