import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'

import { THEME_STORAGE_KEY, useThemeStore } from '@/stores/theme'

import { stubColorScheme } from './fakes'

function rootIsDark(): boolean {
  return document.documentElement.classList.contains('dark')
}

describe('theme store', () => {
  beforeEach(() => {
    window.localStorage.clear()
    document.documentElement.className = ''
    delete document.documentElement.dataset.theme
    setActivePinia(createPinia())
  })

  it('follows the system preference when nothing is stored', async () => {
    stubColorScheme(true)
    const theme = useThemeStore()
    await nextTick()
    expect(theme.preference).toBe('system')
    expect(theme.resolved).toBe('dark')
    expect(rootIsDark()).toBe(true)
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('reacts when the system preference changes', async () => {
    const system = stubColorScheme(false)
    const theme = useThemeStore()
    await nextTick()
    expect(rootIsDark()).toBe(false)
    system.setMatches(true)
    await nextTick()
    expect(theme.resolved).toBe('dark')
    expect(rootIsDark()).toBe(true)
  })

  it('persists an explicit choice and restores it in a new session', async () => {
    stubColorScheme(false)
    useThemeStore().setPreference('dark')
    await nextTick()
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(rootIsDark()).toBe(true)

    setActivePinia(createPinia())
    const reloaded = useThemeStore()
    expect(reloaded.preference).toBe('dark')
    expect(reloaded.resolved).toBe('dark')
  })

  it('an explicit choice wins over the system preference', async () => {
    stubColorScheme(true)
    const theme = useThemeStore()
    theme.setPreference('light')
    await nextTick()
    expect(theme.resolved).toBe('light')
    expect(rootIsDark()).toBe(false)
  })

  it('toggle flips what is shown, and choosing system forgets the stored value', async () => {
    stubColorScheme(false)
    const theme = useThemeStore()
    theme.toggle()
    expect(theme.resolved).toBe('dark')
    theme.toggle()
    expect(theme.resolved).toBe('light')
    theme.setPreference('system')
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBeNull()
  })

  it('ignores a corrupted stored value', () => {
    stubColorScheme(false)
    window.localStorage.setItem(THEME_STORAGE_KEY, 'purple')
    expect(useThemeStore().preference).toBe('system')
  })
})
