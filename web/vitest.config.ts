import { defineConfig, mergeConfig } from 'vitest/config'

import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      include: ['tests/unit/**/*.test.ts'],
      environment: 'happy-dom',
      environmentOptions: { happyDOM: { url: 'http://127.0.0.1:8501/' } },
      restoreMocks: true,
      unstubGlobals: true,
    },
  }),
)
