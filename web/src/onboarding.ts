// Where a user lands after signing in: the welcome flow until they have finished (or skipped)
// it once and have no jobs yet, otherwise the overview. The flag lives in the user's saved
// preferences on the server, so it follows them to every browser.
import type { RouteLocationRaw } from 'vue-router'

import { api, unwrap } from '@/api/client'
import { usePresetsStore } from '@/stores/presets'

export const ONBOARDED_PREFERENCE = 'onboarding_done'

export async function needsOnboarding(): Promise<boolean> {
  try {
    const presets = usePresetsStore()
    const defaults = await presets.loadDefaults()
    if (defaults.preferences?.[ONBOARDED_PREFERENCE] === true) return false
    const jobs = await unwrap(api.GET('/api/jobs', { params: { query: { limit: 1 } } }))
    return jobs.total === 0
  } catch {
    return false
  }
}

export async function landingAfterSignIn(): Promise<RouteLocationRaw> {
  return (await needsOnboarding()) ? { name: 'welcome' } : { name: 'overview' }
}

export async function markOnboarded(): Promise<void> {
  await usePresetsStore().updateDefaults({ preferences: { [ONBOARDED_PREFERENCE]: true } })
}
