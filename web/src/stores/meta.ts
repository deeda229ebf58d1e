// What this server is and which product areas it offers (`/api/meta`). The sidebar lists only
// areas whose feature the server reports, so the web app never links to an API that is absent.
import { defineStore } from 'pinia'
import { ref } from 'vue'

import { api, unwrap } from '@/api/client'
import type { paths } from '@/api/schema'

export type ServerMeta = paths['/api/meta']['get']['responses'][200]['content']['application/json']

export const useMetaStore = defineStore('meta', () => {
  const meta = ref<ServerMeta | null>(null)

  /** Failures are left to the health check, which reports an unreachable server once. */
  async function load(): Promise<void> {
    try {
      meta.value = await unwrap(api.GET('/api/meta'))
    } catch {
      meta.value = null
    }
  }

  return { meta, load }
})
