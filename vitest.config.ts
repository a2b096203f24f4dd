/**
 * Two test projects: `unit` runs the pure core and the tools in Node; `workers` runs the Worker inside real
 * workerd through the Workers Vitest integration against real Postgres (embedded PGlite, or DATABASE_URL).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'tools/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
