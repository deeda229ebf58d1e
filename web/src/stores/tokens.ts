// Personal API tokens for the CLI and scripts. A token's value is in the create response only.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'

export type ApiToken = components['schemas']['ApiTokenOut']
export type ApiTokenCreated = components['schemas']['ApiTokenCreated']
export type ApiTokenCreate = components['schemas']['ApiTokenCreate']

export const useTokensStore = defineStore('tokens', () => {
  const tokens = ref<ApiToken[]>([])
  const loaded = ref(false)

  async function load(): Promise<void> {
    tokens.value = await unwrap(api.GET('/api/auth/tokens'))
    loaded.value = true
  }

  /** The returned value carries the secret; the list keeps only what can be shown again. */
  async function create(body: ApiTokenCreate): Promise<ApiTokenCreated> {
    const created = await unwrap(api.POST('/api/auth/tokens', { body }))
    const listed: ApiToken = {
      id: created.id,
      name: created.name,
      prefix: created.prefix,
      scopes: created.scopes,
      created_at: created.created_at,
      expires_at: created.expires_at,
      last_used_at: created.last_used_at,
    }
    tokens.value = [listed, ...tokens.value]
    return created
  }

  async function revoke(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/auth/tokens/{token_id}', { params: { path: { token_id: id } } }))
    tokens.value = tokens.value.filter((t) => t.id !== id)
  }

  watch(
    () => useAuthStore().user?.id,
    () => {
      tokens.value = []
      loaded.value = false
    },
  )

  return { tokens, loaded, load, create, revoke }
})
