import js from '@eslint/js'
import { vueTsConfigs, withVueTs } from '@vue/eslint-config-typescript'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

export default withVueTs(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'e2e/artifacts/**',
      'test-results/**',
      'playwright-report/**',
      'src/api/schema.d.ts',
    ],
  },
  js.configs.recommended,
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,
  {
    rules: {
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Layering: pages are leaves. Stores, components and features never reach into a page;
    // shared logic lives in src/features/<area>/.
    files: ['src/**/*.{ts,vue}', 'tests/**/*.ts'],
    ignores: ['src/pages/**', 'src/router/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/pages', '@/pages/*', '**/pages/*'],
              message:
                'Only pages and the router import pages; move shared logic to src/features/<area>/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Build and test tooling runs in node, is covered by tsconfig.node.json, and may print.
    files: ['scripts/**/*.mjs', 'e2e/**/*.{ts,mjs}', '*.config.{js,ts}'],
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.config.ts', '*.config.js', 'scripts/*.mjs'],
          defaultProject: 'tsconfig.node.json',
        },
      },
    },
    rules: { 'no-console': 'off' },
  },
)
