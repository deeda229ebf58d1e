import './style.css'

import { createPinia } from 'pinia'
import { createApp } from 'vue'

import AppShell from '@/components/AppShell.vue'
import { createAppRouter } from '@/router'
import { useThemeStore } from '@/stores/theme'

const pinia = createPinia()
const app = createApp(AppShell).use(pinia).use(createAppRouter())
// Apply the theme before the first render.
useThemeStore(pinia)
app.mount('#app')
