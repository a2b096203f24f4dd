/**
 * Lint rules. The important one is the boundary: `shared/` (the pure core) imports nothing from `workers/`,
 * `cloudflare:*`, Hono or Workers types, and reads no clock (the clock is passed in).
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'site/dist/**',
      'site/.astro/**',
      '.wrangler/**',
      '.data/**',
      'migrations/**',
      'artifacts/**',
      'worker-configuration.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts', 'shared/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workers/**', '../workers/*', '../../workers/*'], message: 'shared/ must not import from workers/.' },
            { group: ['cloudflare:*'], message: 'shared/ is pure: no cloudflare:* modules.' },
            { group: ['hono', 'hono/*'], message: 'shared/ is pure: no Hono.' },
            { group: ['@cloudflare/*'], message: 'shared/ is pure: no Workers types or Cloudflare packages.' },
            { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'shared/ has no I/O of its own.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The clock is passed in: no Date.now() in shared/.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The clock is passed in: no new Date() without an argument in shared/.',
        },
        {
          selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
          message: 'The clock is passed in: no performance.now() in shared/.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Determinism: use a seeded PRNG (shared/research/prng.ts), never Math.random() in shared/.',
        },
      ],
    },
  },
);
