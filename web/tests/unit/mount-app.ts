// Mounts the whole shell the way main.ts does, on an in-memory router.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, type Router } from 'vue-router'

import AppShell from '@/components/AppShell.vue'
import { createAppRouter } from '@/router'

export async function mountApp(path = '/'): Promise<{ wrapper: VueWrapper; router: Router }> {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(AppShell, {
    global: { plugins: [createPinia(), router] },
    attachTo: document.body,
  })
  // Lazy page components and the first /healthz call both resolve asynchronously.
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 0))
  await flushPromises()
  return { wrapper, router }
}
