import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteLocationRaw,
  type Router,
  type RouterHistory,
} from 'vue-router'

import { useAuthStore } from '@/stores/auth'

import { notFoundRoute, pageRoutes } from './routes'

const PRODUCT_NAME = 'BenchStudio'

/** Only same-app paths are followed after sign-in ("//evil.example" is another site). */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/'
}

/** Where a visitor may go: sign-in first, admins only for admin pages, guests only for sign-in. */
export async function guardRoute(to: RouteLocationNormalized): Promise<RouteLocationRaw | true> {
  const auth = useAuthStore()
  await auth.ensureReady()
  if (to.meta.public) {
    return to.meta.guestOnly && auth.signedIn ? safeRedirect(to.query.redirect) : true
  }
  if (!auth.signedIn) return { name: 'sign-in', query: { redirect: to.fullPath } }
  if (to.matched.some((record) => record.meta.adminOnly) && !auth.isAdmin) {
    // Hidden, not forbidden: other users see the same page as for any unknown address.
    return {
      name: 'not-found',
      params: { pathMatch: to.path.split('/').filter(Boolean) },
      query: to.query,
      hash: to.hash,
      replace: true,
    }
  }
  return true
}

export function createAppRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({
    history,
    routes: [...pageRoutes, notFoundRoute],
    // A new page starts at the top; a change of query on the same page (a tab, a filter) stays put.
    scrollBehavior: (to, from, saved) => saved ?? (to.path === from.path ? false : { top: 0 }),
  })

  router.beforeEach(guardRoute)

  router.afterEach((to, from) => {
    document.title = to.meta.title ? `${to.meta.title} · ${PRODUCT_NAME}` : PRODUCT_NAME
    // After an in-app navigation to another page, move focus to it so screen readers announce
    // it. A query change on the same page (a tab, a filter) leaves focus where the user is.
    if (from.matched.length > 0 && to.path !== from.path) {
      requestAnimationFrame(() => document.getElementById('main-content')?.focus())
    }
  })

  return router
}
