// Light/dark theme: the user's choice is persisted; "system" follows prefers-color-scheme.
// Until the app starts, style.css follows prefers-color-scheme, so a dark system shows no flash.
import { defineStore } from 'pinia'
import { computed, ref, watchEffect } from 'vue'

export type ThemePreference = 'light' | 'dark' | 'system'
export type ResolvedTheme = 'light' | 'dark'

export const THEME_STORAGE_KEY = 'benchstudio.theme'
const DARK_QUERY = '(prefers-color-scheme: dark)'

function isPreference(value: unknown): value is ThemePreference {
  return value === 'light' || value === 'dark' || value === 'system'
}

function readStoredPreference(): ThemePreference {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY)
    return isPreference(stored) ? stored : 'system'
  } catch {
    // Storage can be blocked (privacy modes); the theme still works for this visit.
    return 'system'
  }
}

function writeStoredPreference(preference: ThemePreference): void {
  try {
    if (preference === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY)
    else window.localStorage.setItem(THEME_STORAGE_KEY, preference)
  } catch {
    // Not persisting is acceptable; see readStoredPreference.
  }
}

export const useThemeStore = defineStore('theme', () => {
  const preference = ref<ThemePreference>(readStoredPreference())
  const media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null
  const systemPrefersDark = ref(media?.matches ?? false)
  media?.addEventListener('change', (event) => {
    systemPrefersDark.value = event.matches
  })

  const resolved = computed<ResolvedTheme>(() => {
    if (preference.value === 'system') return systemPrefersDark.value ? 'dark' : 'light'
    return preference.value
  })

  watchEffect(() => {
    const root = document.documentElement
    root.classList.toggle('dark', resolved.value === 'dark')
    root.dataset.theme = resolved.value
  })

  function setPreference(next: ThemePreference): void {
    preference.value = next
    writeStoredPreference(next)
  }

  /** Flip between light and dark, whatever the current preference resolves to. */
  function toggle(): void {
    setPreference(resolved.value === 'dark' ? 'light' : 'dark')
  }

  return { preference, resolved, setPreference, toggle }
})
