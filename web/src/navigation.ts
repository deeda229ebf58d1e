// The sidebar's entries, derived from the route table (see router/routes.ts).
import type { RouteRecordRaw } from 'vue-router'

import type { IconName } from '@/components/icons'
import { externalLinks, pageRoutes } from '@/router/routes'

export type NavItem =
  | { kind: 'route'; label: string; icon: IconName; to: string }
  | { kind: 'external'; label: string; icon: IconName; href: string; description: string }

export function buildNavItems(routes: RouteRecordRaw[] = pageRoutes): NavItem[] {
  const internal: NavItem[] = routes.flatMap((route) =>
    route.meta?.nav
      ? [{ kind: 'route' as const, label: route.meta.nav.label, icon: route.meta.nav.icon, to: route.path }]
      : [],
  )
  const external: NavItem[] = externalLinks.map((link) => ({ kind: 'external' as const, ...link }))
  return [...internal, ...external]
}
