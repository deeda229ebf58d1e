import { fileURLToPath, URL } from 'node:url'

import tailwindcss from '@tailwindcss/vite'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The dev server forwards API calls to a backend started with `make run` (port 8501).
const backendUrl = process.env.BENCHSTUDIO_BACKEND_URL ?? 'http://127.0.0.1:8501'

export default defineConfig({
  plugins: [vue(), tailwindcss()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    // FastAPI serves the SPA from the Python package, so `pip install` ships it.
    outDir: fileURLToPath(new URL('../src/benchstudio/web_dist', import.meta.url)),
    emptyOutDir: true,
    // Inlined assets would become data: URLs, which the CSP allows only for images.
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: backendUrl },
      // Live job updates (WebSocket, ticket in the query string).
      '/ws': { target: backendUrl, ws: true },
      '/healthz': { target: backendUrl },
    },
  },
})
