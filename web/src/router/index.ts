import { createRouter, createWebHistory, type Router, type RouterHistory } from 'vue-router'

import { notFoundRoute, pageRoutes } from './routes'

const PRODUCT_NAME = 'BenchStudio'

export function createAppRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({
    history,
    routes: [...pageRoutes, notFoundRoute],
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  })

  router.afterEach((to, from) => {
    document.title = to.meta.title ? `${to.meta.title} · ${PRODUCT_NAME}` : PRODUCT_NAME
    // After an in-app navigation, move focus to the new page so screen readers announce it.
    if (from.matched.length > 0 && to.fullPath !== from.fullPath) {
      requestAnimationFrame(() => document.getElementById('main-content')?.focus())
    }
  })

  return router
}
