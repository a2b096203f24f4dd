import { beforeAll, expect, inject, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { env, createScheduledController, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { heartbeatStub } from '../heartbeat/monitor';

const FAKE_NOW = Date.UTC(2022, 3, 16, 13, 47, 30); // the fake exchange's clock: 13:45 5m candle still open
const fx = inject('fakeExchangeUrl');

function envWith(over: Partial<Env>): Env {
  return { ...env, ...over } as Env;
}

async function cycle(e: Env, at = FAKE_NOW): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/5 * * * *' }), e, ctx);
  await waitOnExecutionContext(ctx);
}

async function faults(list: unknown[]): Promise<void> {
  await fetch(`${fx}/__faults`, { method: 'DELETE' });
  if (list.length) {
    const res = await fetch(`${fx}/__faults`, { method: 'POST', body: JSON.stringify(list), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
  }
}

async function q<T>(e: Env, query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(getConfig(e), async (db) => (await db.execute(query)).rows as T[]);
}

describeWithData('cron ingestion against the fake exchange (workerd + Postgres)', () => {
  const series = 'binance:BTC/USDT:5m,kraken:BTC/USDT:5m,okx:ETH/USDT:1h,coinbase:BTC/USDT:5m,bybit:ETH/USDT:4h';
  const e = envWith({ INGEST_SERIES: series, INGEST_BACKFILL_LIMIT: '300' });

  beforeAll(async () => {
    await faults([]);
    await q(e, sql`DELETE FROM candles WHERE source LIKE 'rest:%'`);
    await q(e, sql`DELETE FROM data_issues WHERE source LIKE 'rest:%'`);
    // The cron plans from the stored coverage: candles another test stored for these series (any source) would be
    // "already there" and not fetched, so each series starts empty.
    for (const s of series.split(',')) {
      const [venue, symbol, timeframe] = s.split(':');
      await q(e, sql`DELETE FROM candles WHERE venue = ${venue} AND symbol = ${symbol} AND timeframe = ${timeframe}`);
    }
  });

  it('backfills closed candles only, idempotently, for every venue', async () => {
    await cycle(e);
    const counts = await q<{ venue: string; symbol: string; timeframe: string; n: number; last: string }>(
      e,
      sql`SELECT venue, symbol, timeframe, count(*)::int AS n, max(open_time) AS last FROM candles WHERE source LIKE 'rest:%' GROUP BY 1,2,3 ORDER BY 1`,
    );
    expect(counts.map((c) => c.venue)).toEqual(['binance', 'bybit', 'coinbase', 'kraken', 'okx']);
    const binance = counts.find((c) => c.venue === 'binance')!;
    expect(binance.n).toBe(300);
    expect(Number(binance.last)).toBe(Date.UTC(2022, 3, 16, 13, 40)); // the open 13:45 candle was dropped
    for (const c of counts) expect(Number(c.last) + { '5m': 300_000, '1h': 3_600_000, '4h': 14_400_000 }[c.timeframe as '5m']!).toBeLessThanOrEqual(FAKE_NOW);

    const before = await q<{ h: string }>(e, sql`SELECT md5(string_agg(concat_ws(',', venue, symbol, timeframe, open_time, open, high, low, close, volume, ingested_at), ';' ORDER BY venue, symbol, timeframe, open_time)) AS h FROM candles WHERE source LIKE 'rest:%'`);
    await cycle(e); // cron double-fire over the same closed candles
    const after = await q<{ h: string }>(e, sql`SELECT md5(string_agg(concat_ws(',', venue, symbol, timeframe, open_time, open, high, low, close, volume, ingested_at), ';' ORDER BY venue, symbol, timeframe, open_time)) AS h FROM candles WHERE source LIKE 'rest:%'`);
    expect(after[0]!.h).toBe(before[0]!.h);
  });

  it('survives the fault matrix: 0 bad rows, 0 duplicates, failures visible in the heartbeats', async () => {
    await q(e, sql`DELETE FROM candles WHERE source LIKE 'rest:%' AND open_time >= ${Date.UTC(2022, 3, 16, 12)}`);
    await faults([
      { venue: 'binance', kind: 'rate-limit', count: 1, retryAfter: 1 },
      { venue: 'binance', kind: 'bad-rows', count: 1 },
      { venue: 'bybit', kind: 'reorder', count: 1 },
      { venue: 'okx', kind: 'duplicate', count: 1 },
      { venue: 'coinbase', kind: 'server-error', count: 1 },
      { venue: 'kraken', kind: 'truncated', count: 1 },
    ]);
    await cycle(e);

    const dupes = await q<{ n: number }>(e, sql`SELECT count(*)::int AS n FROM (SELECT venue, symbol, timeframe, open_time FROM candles GROUP BY 1,2,3,4 HAVING count(*) > 1) d`);
    expect(dupes[0]!.n).toBe(0);
    const bad = await q<{ n: number }>(
      e,
      sql`SELECT count(*)::int AS n FROM candles WHERE source LIKE 'rest:%' AND (low > high OR low > least(open, close) OR high < greatest(open, close) OR volume < 0
          OR (timeframe = '5m' AND open_time % 300000 <> 0) OR (timeframe = '1h' AND open_time % 3600000 <> 0) OR (timeframe = '4h' AND open_time % 14400000 <> 0)
          OR open_time + CASE timeframe WHEN '5m' THEN 300000 WHEN '1h' THEN 3600000 ELSE 14400000 END > ${FAKE_NOW})`,
    );
    expect(bad[0]!.n).toBe(0);

    // Kraken's truncated body is a typed failure shown on its heartbeat; the others recovered in the same cycle.
    const kraken = await heartbeatStub(e, 'ingest:kraken').status();
    expect(kraken.lastBeat!.ok).toBe(false);
    expect(kraken.lastBeat!.detail).toMatch(/malformed|truncated/i);
    const binance = await heartbeatStub(e, 'ingest:binance').status();
    expect(binance.lastBeat!.ok).toBe(true);
    const coinbase = await heartbeatStub(e, 'ingest:coinbase').status();
    expect(coinbase.lastBeat!.ok).toBe(true);
    // Binance's corrupted rows are recorded with their reason and raw row; its good rows of the same batch landed.
    const issues = await q<{ reason: string; detail: string; raw: unknown }>(e, sql`SELECT reason, detail, raw FROM data_issues WHERE venue = 'binance'`);
    expect(issues.length).toBeGreaterThanOrEqual(2);
    expect(issues.every((i) => i.detail.length > 0 && i.raw !== null)).toBe(true);
    const binanceRows = await q<{ n: number }>(e, sql`SELECT count(*)::int AS n FROM candles WHERE venue = 'binance' AND open_time >= ${Date.UTC(2022, 3, 16, 12)}`);
    expect(binanceRows[0]!.n).toBeGreaterThanOrEqual(19);

    // The next cycle (no faults) fills Kraken's hole: nothing is lost.
    await faults([]);
    await cycle(e);
    const krakenAfter = await heartbeatStub(e, 'ingest:kraken').status();
    expect(krakenAfter.lastBeat!.ok).toBe(true);
    const last = await q<{ last: string }>(e, sql`SELECT max(open_time) AS last FROM candles WHERE venue = 'kraken'`);
    expect(Number(last[0]!.last)).toBe(Date.UTC(2022, 3, 16, 13, 40));
  });
});
