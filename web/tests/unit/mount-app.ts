// Mounts the whole shell the way main.ts does, on an in-memory router.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, type Router } from 'vue-router'

import { adoptSession } from '@/api/session'
import AppShell from '@/components/AppShell.vue'
import { createAppRouter } from '@/router'

export interface MountOptions {
  /** Start with the "this browser has a session" hint, so the app refreshes on load. */
  signedIn?: boolean
}

export async function settle(): Promise<void> {
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 0))
  await flushPromises()
}

export async function mountApp(
  path = '/',
  { signedIn = true }: MountOptions = {},
): Promise<{ wrapper: VueWrapper; router: Router }> {
  adoptSession(null)
  if (signedIn) window.localStorage.setItem('benchstudio.hasSession', '1')
  // The router's guard asks the auth store, so Pinia is active before the first navigation.
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(AppShell, {
    global: { plugins: [pinia, router] },
    attachTo: document.body,
  })
  // Lazy page components and the first /healthz call both resolve asynchronously.
  await settle()
  return { wrapper, router }
}
