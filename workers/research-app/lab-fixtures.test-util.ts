/**
 * Test data for the lab's workerd tests: real Binance BTCUSDT 1h candles for 2021, imported through the archive
 * import job and the queue from the fake data.binance.vision (global setup), then copied to the test venue
 * `labtest` (1h) and aggregated to 4h there, so other tests clearing `binance` rows never touch them.
 */
import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import { sql } from 'drizzle-orm';
import { aggregateCandles } from '../../shared/candles/aggregate';
import { loadCandles, upsertCandles } from '../../shared/db/queries/candles';
import { getImportJob } from '../../shared/db/queries/imports';
import { rowsOf } from '../../shared/db/database';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { startArchiveImport } from '../../shared/app/archive-import';
import { jobsEnqueue } from '../jobs/enqueue';

export const config = getConfig(env as Env);
export const LAB_VENUE = 'labtest';
export const Y2021 = { from: Date.UTC(2021, 0, 1), to: Date.UTC(2022, 0, 1) };

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export async function waitUntil<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** Ensure labtest BTC/USDT 1h and 4h for 2021 exist (imported once per database). */
export async function seedLabCandles(): Promise<{ h1: number; h4: number }> {
  const count = async (tf: string): Promise<number> =>
    withDb(config, async (db) =>
      Number(rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM candles WHERE venue = ${LAB_VENUE} AND symbol = 'BTC/USDT' AND timeframe = ${tf}`))[0]!.n),
    );
  if ((await count('4h')) > 2000) return { h1: await count('1h'), h4: await count('4h') };
  const archive = inject('fakeArchiveUrl');
  const created = await withDb(config, (db) => startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/ms`, { symbol: 'BTCUSDT', interval: '1h', from: '2021-01', to: '2021-12' }, { now: Date.now() }));
  await waitUntil(
    async () => {
      const j = await withDb(config, (db) => getImportJob(db, created.job.id));
      return j && j.job.status !== 'queued' && j.job.status !== 'running' ? j : null;
    },
    120_000,
    'archive import',
  );
  await withDb(config, async (db) => {
    const h1 = await loadCandles(db, { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, Y2021.from, Y2021.to);
    await upsertCandles(db, { venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '1h' }, h1, 'archive:BTCUSDT-1h-2021 (test copy)');
    const h4 = aggregateCandles(h1, { from: '1h', to: '4h' });
    await upsertCandles(db, { venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h' }, h4, 'derived:aggregate-1h (test)');
  });
  return { h1: await count('1h'), h4: await count('4h') };
}
