// Lint: TypeScript rules plus the layer rules that keep the architecture honest.
//  - The engine (src-main, except its thin Electron entry files) never imports Electron.
//  - The renderer imports only itself, src-shared and browser packages: never src-main or Node.
//  - src-shared imports nothing but zod.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream', 'url', 'util', 'worker_threads'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'src-main/**/assembly/**', 'test-results/**', 'playwright-report/**', '**/*.tmp.ts', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/desktop/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only src-main/desktop/ may import Electron: the engine is plain Node.' }],
          patterns: [{ group: ['**/src-renderer/**', '**/desktop/**'], message: 'The engine must not depend on the renderer or the Electron entry.' }],
        },
      ],
    },
  },
  {
    files: ['src-main/desktop/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['../service/**', '../duck/**', '../server/**', '../cli/**', 'node:*'], message: 'The sandboxed preload imports only electron and the shared contract.' }],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the engine only through the contract (src-renderer/transport).' }],
          patterns: [
            { group: ['**/src-main/**'], message: 'The renderer reaches the engine only through the contract (src-renderer/transport).' },
            { group: ['node:*', ...nodeBuiltins], message: 'The renderer runs in a sandboxed browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src-main/**', '**/src-renderer/**', 'node:*', 'electron'], message: 'src-shared is the contract: it depends on nothing but zod.' }] },
      ],
    },
  },
);
