/**
 * Lint rules. The important one is the boundary: `shared/` (the pure core) imports nothing from `workers/`,
 * `cloudflare:*`, Hono or Workers types, and reads no clock (the clock is passed in); the application layer
 * (`shared/app/`) keeps the same rules, and the core never imports it.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** What `shared/` (the core and the application layer alike) may not import. */
const PURE_IMPORTS = [
  { group: ['**/workers/**', '../workers/*', '../../workers/*'], message: 'shared/ must not import from workers/.' },
  { group: ['cloudflare:*'], message: 'shared/ is pure: no cloudflare:* modules.' },
  { group: ['hono', 'hono/*'], message: 'shared/ is pure: no Hono.' },
  { group: ['@cloudflare/*'], message: 'shared/ is pure: no Workers types or Cloudflare packages.' },
  { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'shared/ has no I/O of its own.' },
];

/** The core must not depend on the application layer that orchestrates it. */
const APP_FROM_CORE = { group: ['**/app/*', '**/app'], message: 'The core (shared/) must not import the application layer (shared/app/).' };

const NO_CLOCK_NO_RANDOM = [
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
];

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
    ignores: ['shared/**/*.test.ts', 'shared/testing/**', 'shared/app/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...PURE_IMPORTS, APP_FROM_CORE] }],
      'no-restricted-syntax': ['error', ...NO_CLOCK_NO_RANDOM],
    },
  },
  {
    // The application layer: orchestrates research over the database; may import the core, never workers/,
    // Workers APIs or a clock (its host injects them: shared/app/ports.ts).
    files: ['shared/app/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: PURE_IMPORTS }],
      'no-restricted-syntax': ['error', ...NO_CLOCK_NO_RANDOM],
    },
  },
);
