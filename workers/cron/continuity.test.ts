/**
 * Data continuity of the cron ingestion (real workerd + Postgres, the fake exchange serving the recorded 2022
 * Binance candles): holes inside the stored range are refetched, an outage longer than the backfill limit is caught
 * up in bounded steps across cycles (nothing lost), and a range the venue has no candle for is recorded once as a
 * `venue-gap` and not asked again.
 */
import { afterAll, beforeEach, expect, inject, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { env, createScheduledController, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { sqlRows } from '../db.test-util';
import { upsertCandles } from '../../shared/db/queries/candles';

const FAKE_NOW = Date.UTC(2022, 3, 16, 13, 47, 30);
const M5 = 300_000;
const H1 = 3_600_000;
const fx = inject('fakeExchangeUrl');

async function cycle(e: Env, at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '*/5 * * * *' }), e, ctx);
  await waitOnExecutionContext(ctx);
}

const q = sqlRows;

/** Open times stored for binance ETH/USDT `tf`, ascending. */
async function stored(e: Env, tf: string): Promise<number[]> {
  const rows = await q<{ t: string }>(e, sql`SELECT open_time AS t FROM candles WHERE venue = 'binance' AND symbol = 'ETH/USDT' AND timeframe = ${tf} ORDER BY open_time`);
  return rows.map((r) => Number(r.t));
}

function contiguous(ts: number[], step: number): boolean {
  return ts.every((t, i) => i === 0 || t - ts[i - 1]! === step);
}

describeWithData('cron ingestion plans from the stored coverage', () => {
  const e5 = { ...env, INGEST_SERIES: 'binance:ETH/USDT:5m', INGEST_BACKFILL_LIMIT: '300' } as Env;

  beforeEach(async () => {
    await fetch(`${fx}/__faults`, { method: 'DELETE' });
    await q(e5, sql`DELETE FROM candles WHERE venue = 'binance' AND symbol = 'ETH/USDT'`);
    await q(e5, sql`DELETE FROM data_issues WHERE venue = 'binance' AND symbol = 'ETH/USDT'`);
  });

  it('refetches holes inside the stored range, not only after the newest candle', async () => {
    await cycle(e5, FAKE_NOW);
    const full = await stored(e5, '5m');
    expect(full).toHaveLength(300);
    const values = await q(e5, sql`SELECT open_time, open, high, low, close, volume FROM candles WHERE venue = 'binance' AND symbol = 'ETH/USDT' ORDER BY open_time`);
    // Three holes: one candle, a run of 20, and a run of 7 right before the newest candle.
    const holes = [full[10]!, ...full.slice(100, 120), ...full.slice(292, 299)];
    await q(e5, sql`DELETE FROM candles WHERE venue = 'binance' AND symbol = 'ETH/USDT' AND open_time IN (${sql.join(holes.map((t) => sql`${t}`), sql`, `)})`);
    expect(await stored(e5, '5m')).toHaveLength(300 - holes.length);

    await cycle(e5, FAKE_NOW);
    expect(await stored(e5, '5m')).toEqual(full);
    // The refetched candles are the venue's own, value for value.
    expect(await q(e5, sql`SELECT open_time, open, high, low, close, volume FROM candles WHERE venue = 'binance' AND symbol = 'ETH/USDT' ORDER BY open_time`)).toEqual(values);
  });

  it('catches up an outage longer than the backfill limit in bounded steps, newest first, losing nothing', async () => {
    const before = FAKE_NOW - 2 * 86_400_000; // the cron last ran two days (576 candles) before now
    await cycle(e5, before);
    const first = await stored(e5, '5m');
    expect(first).toHaveLength(300);

    await cycle(e5, FAKE_NOW); // outage over: the newest 300 candles first, so the live loop is fresh at once
    const mid = await stored(e5, '5m');
    expect(mid).toHaveLength(600);
    expect(mid.at(-1)).toBe(Date.UTC(2022, 3, 16, 13, 40));
    expect(contiguous(mid, M5)).toBe(false);

    await cycle(e5, FAKE_NOW); // the next cycle fills the rest of the hole (276 candles)
    const after = await stored(e5, '5m');
    expect(after[0]).toBe(first[0]);
    expect(after.at(-1)).toBe(Date.UTC(2022, 3, 16, 13, 40));
    expect(after).toHaveLength((after.at(-1)! - after[0]!) / M5 + 1);
    expect(contiguous(after, M5)).toBe(true);
  });

  it('records a range the venue has no candle for once (venue-gap) and does not ask again', async () => {
    const e1 = { ...env, INGEST_SERIES: 'binance:ETH/USDT:1h', INGEST_BACKFILL_LIMIT: '1000' } as Env;
    const dataStart = Date.UTC(2022, 0, 6, 14); // the recording's first ETH/USDT 1h candle
    // A candle stored from elsewhere 5 hours before the venue's data begins.
    await withDb(getConfig(e1), (db) => upsertCandles(db, { venue: 'binance', symbol: 'ETH/USDT', timeframe: '1h' }, [{ openTime: dataStart - 5 * H1, open: 3500, high: 3510, low: 3490, close: 3505, volume: 10 }], 'test:seed'));
    const now = dataStart + 10 * 86_400_000 + 30 * 60_000;
    await cycle(e1, now);
    const ts = await stored(e1, '1h');
    expect(ts).toHaveLength(1 + 240);
    const gaps = await q<{ open_time: string; raw: { from: number; to: number }; detail: string }>(e1, sql`SELECT open_time, raw, detail FROM data_issues WHERE venue = 'binance' AND symbol = 'ETH/USDT' AND reason = 'venue-gap'`);
    expect(gaps.map((g) => g.raw)).toEqual([{ from: dataStart - 4 * H1, to: dataStart }]);
    expect(gaps[0]!.detail).toMatch(/no valid 1h candle .* \(4 candle\(s\)\); not asked again/);

    await fetch(`${fx}/__requests`, { method: 'DELETE' });
    await cycle(e1, now + 5 * 60_000);
    const log = (await (await fetch(`${fx}/__requests`)).json()) as { venue: string; path: string }[];
    expect(log.filter((r) => r.venue === 'binance' && r.path.includes('klines'))).toEqual([]);
    expect(await q(e1, sql`SELECT 1 FROM data_issues WHERE venue = 'binance' AND symbol = 'ETH/USDT' AND reason = 'venue-gap'`)).toHaveLength(1);
  });
});

describeWithData('missed cron cycles: the closed candles they missed are evaluated once', () => {
  // A real BUY of the Nexara 5m baseline in the recorded data: candle 2022-04-16T03:20Z; it fills at the 03:25 open.
  const BUY_CANDLE = Date.UTC(2022, 3, 16, 3, 20);
  const e = { ...env, INGEST_SERIES: 'binance:BTC/USDT:5m', INGEST_BACKFILL_LIMIT: '2500', LIVE_SIGNALS: 'nexara-baseline-5m@binance:BTC/USDT:5m' } as Env;
  const series = sql`strategy_id = 'nexara-baseline-5m' AND venue = 'binance' AND symbol = 'BTC/USDT'`;
  let was: { enabled: boolean; muted: boolean } | undefined;

  beforeEach(async () => {
    [was] = await q<{ enabled: boolean; muted: boolean }>(e, sql`SELECT enabled, muted FROM strategies WHERE id = 'nexara-baseline-5m'`);
    await q(e, sql`DELETE FROM candles WHERE venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m'`);
    await q(e, sql`DELETE FROM signals WHERE ${series}`);
    await q(e, sql`DELETE FROM live_kernels WHERE ${series}`);
    await q(e, sql`DELETE FROM alerts WHERE dedupe_key LIKE 'kernel:nexara-baseline-5m:binance:%'`);
    // Muted: the alert rows are written (and deduplicated) as usual, without messages to the fake Telegram.
    await q(e, sql`UPDATE strategies SET enabled = true, muted = true WHERE id = 'nexara-baseline-5m'`);
  });

  it('after 8 missed cycles one cycle steps every missed candle: the BUY and its fill inside the outage are recorded and alerted once', async () => {
    await cycle(e, Date.UTC(2022, 3, 16, 2, 55, 30)); // the last cycle before the outage: kernel flat at 02:50
    const [k0] = await q<{ last_candle_time: string }>(e, sql`SELECT last_candle_time FROM live_kernels WHERE ${series}`);
    expect(Number(k0!.last_candle_time)).toBe(Date.UTC(2022, 3, 16, 2, 50));

    // No cron from 03:00:30 to 03:35:30; the 03:40:30 cycle ingests 02:55..03:35 and steps them all.
    const back = Date.UTC(2022, 3, 16, 3, 40, 30);
    await cycle(e, back);
    await cycle(e, back); // a double-fire adds nothing
    await cycle(e, back + M5); // nor does the next cycle (it steps only the 03:40 candle)
    const sigs = await q<{ candle_open_time: string; action: string }>(e, sql`SELECT candle_open_time, action FROM signals WHERE ${series} ORDER BY candle_open_time`);
    expect(sigs.filter((s) => s.action === 'BUY').map((s) => Number(s.candle_open_time))).toEqual([BUY_CANDLE]);
    expect(new Set(sigs.map((s) => s.candle_open_time)).size).toBe(sigs.length);
    const alerts = await q<{ dedupe_key: string; message: string; status: string }>(e, sql`SELECT dedupe_key, message, status FROM alerts WHERE dedupe_key LIKE 'kernel:nexara-baseline-5m:binance:%'`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.dedupe_key).toBe(`kernel:nexara-baseline-5m:binance:BTC/USDT:5m:${BUY_CANDLE + M5}:open`);
    expect(alerts[0]!.message).toMatch(/^🟢 ENTRY long BTC\/USDT @ /);
    const [k1] = await q<{ last_candle_time: string }>(e, sql`SELECT last_candle_time FROM live_kernels WHERE ${series}`);
    expect(Number(k1!.last_candle_time)).toBe(Date.UTC(2022, 3, 16, 3, 40));
  });

  afterAll(async () => {
    if (was) await q(e, sql`UPDATE strategies SET enabled = ${was.enabled}, muted = ${was.muted} WHERE id = 'nexara-baseline-5m'`);
  });
});
