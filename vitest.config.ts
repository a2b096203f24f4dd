/**
 * Two test projects: `unit` runs the pure core and the tools in Node; `workers` runs the Worker inside real
 * workerd (the Workers Vitest integration) against real Postgres: embedded PGlite by default, or DATABASE_URL.
 * The database and the local Neon wsproxy are started by test/global-setup.ts on ports chosen here.
 */
import net from 'node:net';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export default defineConfig(async () => {
  process.env.NX_TEST_DB_PORT ??= String(await freePort());
  process.env.NX_TEST_PROXY_PORT ??= String(await freePort());
  const databaseUrl =
    process.env.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${process.env.NX_TEST_DB_PORT}/postgres?sslmode=disable`;
  return {
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
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  APP_ENV: 'test',
                  DATABASE_URL: databaseUrl,
                  DB_WS_PROXY: `127.0.0.1:${process.env.NX_TEST_PROXY_PORT}/v1`,
                  INGEST_SERIES: '',
                  CODE_VERSION: 'test',
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['workers/**/*.test.ts'],
            globalSetup: ['./test/global-setup.ts'],
            testTimeout: 60_000,
            hookTimeout: 60_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
