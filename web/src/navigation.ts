// The sidebar's entries, derived from the route table (see router/routes.ts) and filtered by
// the features the server reports.
import type { RouteRecordRaw } from 'vue-router'

import type { IconName } from '@/components/icons'
import { type ExternalLink, externalLinks, pageRoutes } from '@/router/routes'

export type NavItem =
  | { kind: 'route'; label: string; icon: IconName; to: string }
  | { kind: 'external'; label: string; icon: IconName; href: string; description: string }

export interface NavSources {
  routes?: RouteRecordRaw[]
  links?: ExternalLink[]
  /** Features from /api/meta; null while unknown, in which case every entry is shown. */
  features?: readonly string[] | null
  /** Admin-only areas are listed only for admins. */
  isAdmin?: boolean
}

export function buildNavItems(sources: NavSources = {}): NavItem[] {
  const { routes = pageRoutes, links = externalLinks, features = null, isAdmin = false } = sources
  const offered = (feature: string): boolean => features === null || features.includes(feature)
  const internal: NavItem[] = routes.flatMap((route) => {
    const nav = route.meta?.nav
    return nav && offered(nav.feature) && (isAdmin || !nav.adminOnly)
      ? [{ kind: 'route' as const, label: nav.label, icon: nav.icon, to: route.path }]
      : []
  })
  const external: NavItem[] = links
    .filter((link) => offered(link.feature))
    .map(({ label, icon, href, description }) => ({
      kind: 'external' as const,
      label,
      icon,
      href,
      description,
    }))
  return [...internal, ...external]
}
