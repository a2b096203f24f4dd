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
  // The fake Telegram Bot API (tools/fake-telegram) started by test/global-setup.ts.
  process.env.NX_TEST_TELEGRAM_PORT ??= String(await freePort());
  // The fake exchange (five venues' wire formats) and the fake Binance archive, started by test/global-setup.ts.
  process.env.NX_TEST_EXCHANGE_PORT ??= String(await freePort());
  process.env.NX_TEST_ARCHIVE_PORT ??= String(await freePort());
  const exchange = `http://127.0.0.1:${process.env.NX_TEST_EXCHANGE_PORT}`;
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
                  ARCHIVE_BASE_URL: `http://127.0.0.1:${process.env.NX_TEST_ARCHIVE_PORT}/ms`,
                  BINANCE_BASE_URL: `${exchange}/binance`,
                  KRAKEN_BASE_URL: `${exchange}/kraken`,
                  COINBASE_BASE_URL: `${exchange}/coinbase`,
                  OKX_BASE_URL: `${exchange}/okx`,
                  BYBIT_BASE_URL: `${exchange}/bybit`,
                  CODE_VERSION: 'test',
                  // A dummy token (not the shape of a real one); the chat allow-list; the fake Bot API.
                  TELEGRAM_BOT_TOKEN: '123456:TEST_TOKEN_not_real',
                  TELEGRAM_WEBHOOK_SECRET: 'test-webhook-secret',
                  TELEGRAM_CHAT_ID: '1111111,-100200300',
                  TELEGRAM_BOT_USERNAME: 'lab_test_bot',
                  TELEGRAM_API_ROOT: `http://127.0.0.1:${process.env.NX_TEST_TELEGRAM_PORT}`,
                  PUBLIC_LAB_URL: 'https://lab.test',
                  // Cloudflare Access for /api: tests install a local JWKS for this team (workers/api/test-access.ts).
                  ACCESS_TEAM_DOMAIN: 'lab-test.cloudflareaccess.com',
                  ACCESS_AUD: 'lab-test-aud',
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
        {
          // The Strategy Lab in headless Chromium against `wrangler dev` + embedded PGlite (tools/browser/stack.ts).
          test: {
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            environment: 'node',
            testTimeout: 180_000,
            hookTimeout: 300_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
