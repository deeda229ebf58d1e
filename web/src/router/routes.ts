// Every page of the app, in one array. A route with `meta.nav` appears in the sidebar, so a
// new capability adds its page here and nowhere else.
import type { RouteRecordRaw } from 'vue-router'

import type { IconName } from '@/components/icons'

export interface NavMeta {
  label: string
  icon: IconName
  /** The feature name the server lists in /api/meta when this area's API is live. */
  feature: string
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown in the browser tab as "<title> · BenchStudio". */
    title?: string
    nav?: NavMeta
  }
}

export const pageRoutes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'overview',
    component: () => import('@/pages/OverviewPage.vue'),
    meta: { title: 'Overview', nav: { label: 'Overview', icon: 'overview', feature: 'overview' } },
  },
]

/** Pages served by the backend itself (full page loads, not client routes). */
export interface ExternalLink {
  label: string
  href: string
  icon: IconName
  description: string
  feature: string
}

export const externalLinks: ExternalLink[] = [
  {
    label: 'API docs',
    href: '/api/docs',
    icon: 'docs',
    description: 'Interactive reference for the REST API',
    feature: 'api-docs',
  },
]

export const notFoundRoute: RouteRecordRaw = {
  path: '/:pathMatch(.*)*',
  name: 'not-found',
  component: () => import('@/pages/NotFoundPage.vue'),
  meta: { title: 'Page not found' },
}
