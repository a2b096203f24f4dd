/**
 * The live loop on a timeframe derived from a stored base (real workerd + Postgres, the fake exchange serving the
 * recorded 2022 Binance candles): a 4h strategy on a venue where only 1h is ingested is evaluated on 4h candles
 * aggregated from the stored 1h ones, and decides exactly as on a venue whose own 4h candles are ingested.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { env, createScheduledController, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { sqlRows } from '../db.test-util';
import { runSignals } from './signals';

const FAKE_NOW = Date.UTC(2022, 3, 16, 13, 47, 30);
const NEWEST_4H = Date.UTC(2022, 3, 16, 8); // the 12:00 bucket is still forming at 13:47
const e = {
  ...env,
  INGEST_SERIES: 'binance:BTC/USDT:1h,okx:BTC/USDT:4h',
  INGEST_BACKFILL_LIMIT: '2000',
  LIVE_SIGNALS: 'platform4h-macd-rsi@binance:BTC/USDT:4h,platform4h-macd-rsi@okx:BTC/USDT:4h',
} as Env;

const q = <T>(query: ReturnType<typeof sql>): Promise<T[]> => sqlRows<T>(e, query);

describeWithData('live loop on a derived timeframe', () => {
  let was: { enabled: boolean; muted: boolean } | undefined;
  beforeAll(async () => {
    [was] = await q<{ enabled: boolean; muted: boolean }>(sql`SELECT enabled, muted FROM strategies WHERE id = 'platform4h-macd-rsi'`);
    await q(sql`DELETE FROM candles WHERE symbol = 'BTC/USDT' AND ((venue = 'binance' AND timeframe IN ('1h', '4h')) OR (venue = 'okx' AND timeframe = '4h'))`);
    // Ranges recorded as venue gaps are never asked again (the coverage planner): another test's gaps would leave
    // holes in the history the 4h warm-up needs.
    await q(sql`DELETE FROM data_issues WHERE symbol = 'BTC/USDT' AND ((venue = 'binance' AND timeframe IN ('1h', '4h')) OR (venue = 'okx' AND timeframe = '4h'))`);
    await q(sql`DELETE FROM signals WHERE strategy_id = 'platform4h-macd-rsi'`);
    await q(sql`DELETE FROM live_kernels WHERE strategy_id = 'platform4h-macd-rsi'`);
    await q(sql`UPDATE strategies SET enabled = true, muted = true WHERE id = 'platform4h-macd-rsi'`);
  });
  afterAll(async () => {
    if (was) await q(sql`UPDATE strategies SET enabled = ${was.enabled}, muted = ${was.muted} WHERE id = 'platform4h-macd-rsi'`);
  });

  it('evaluates 4h aggregated from the ingested 1h, with the same decision as on the venue\'s own 4h', async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: FAKE_NOW, cron: '*/5 * * * *' }), e, ctx);
    await waitOnExecutionContext(ctx);
    // Only 1h is stored for binance; okx has its own 4h.
    const stored = await q<{ venue: string; timeframe: string }>(sql`SELECT DISTINCT venue, timeframe FROM candles WHERE symbol = 'BTC/USDT' AND venue IN ('binance', 'okx') AND timeframe IN ('1h', '4h') ORDER BY 1, 2`);
    expect(stored).toEqual([{ venue: 'binance', timeframe: '1h' }, { venue: 'okx', timeframe: '4h' }]);

    // Both kernels stepped the newest closed 4h candle.
    const kernels = await q<{ venue: string; last_candle_time: string }>(sql`SELECT venue, last_candle_time FROM live_kernels WHERE strategy_id = 'platform4h-macd-rsi' ORDER BY venue`);
    expect(kernels.map((k) => [k.venue, Number(k.last_candle_time)])).toEqual([['binance', NEWEST_4H], ['okx', NEWEST_4H]]);

    const outcomes = await withDb(getConfig(e), (db) => runSignals({ env: e, config: getConfig(e), db, now: FAKE_NOW }));
    expect(outcomes).toHaveLength(2);
    const [binance, okx] = outcomes as [(typeof outcomes)[number], (typeof outcomes)[number]];
    expect(['hold', 'signal', 'duplicate']).toContain(binance.status);
    expect({ status: binance.status, action: binance.action, detail: binance.detail }).toEqual({ status: okx.status, action: okx.action, detail: okx.detail });
    expect(binance.detail).toContain(new Date(NEWEST_4H).toISOString().slice(0, 13));
  });
});
