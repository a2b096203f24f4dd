import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import * as schema from '../db/schema';
import type { Database } from '../db/database';
import type { Candle, SeriesKey } from '../candles/candle';
import { upsertCandles } from '../db/queries/candles';
import { openScratchDatabase, type LocalDatabase } from '../../tools/db/local-db';
import { migrateDatabase } from '../../tools/db/migrate';
import { loadWindow } from './window';
import { createWindowCache, loadWindowCached } from './window-cache';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const key: SeriesKey = { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
const candle = (i: number, bump = 0): Candle => {
  const close = 30_000 + 500 * Math.sin(i / 9) + i + bump;
  return { openTime: T0 + i * H, open: close - 5, high: close + 20, low: close - 25, close, volume: 10 + (i % 7) };
};

let scratch: LocalDatabase;
let client: pg.Client;
let db: Database;

beforeAll(async () => {
  scratch = await openScratchDatabase('windowcache');
  await migrateDatabase(scratch.url);
  client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  db = drizzle(client, { schema }) as unknown as Database;
  // 300 hours with a hole at 150..159; the window is [100, 250) with 20 candles of warm-up.
  await upsertCandles(db, key, Array.from({ length: 300 }, (_, i) => i).filter((i) => i < 150 || i >= 160).map((i) => candle(i)), 'archive:test');
}, 120_000);

afterAll(async () => {
  await client?.end();
  await scratch?.close();
});

const from = T0 + 100 * H;
const to = T0 + 250 * H;

describe('loadWindowCached', () => {
  it('a hit returns the cached window, identical to a fresh load; a changed table is reloaded, never served stale', async () => {
    const cache = createWindowCache();
    const first = await loadWindowCached(db, key, from, to, 20, cache);
    expect(first.hit).toBe(false);
    const fresh = await loadWindow(db, key, from, to, 20);
    expect(first.window.dataHash).toBe(fresh.dataHash);
    expect(first.window.warmup).toBe(20);
    const again = await loadWindowCached(db, key, from, to, 20, cache);
    expect(again.hit).toBe(true);
    expect(again.window).toBe(first.window);
    expect(Object.isFrozen(again.window.candles)).toBe(true);
    // Another key (warm-up) is another entry.
    expect((await loadWindowCached(db, key, from, to, 10, cache)).hit).toBe(false);

    // A candle added inside the window (the hole): reloaded, and the new candle is in it.
    await upsertCandles(db, key, [candle(155)], 'archive:late');
    const added = await loadWindowCached(db, key, from, to, 20, cache);
    expect(added.hit).toBe(false);
    expect(added.window.windowCount).toBe(first.window.windowCount + 1);
    expect(added.window.dataHash).toBe((await loadWindow(db, key, from, to, 20)).dataHash);
    expect((await loadWindowCached(db, key, from, to, 20, cache)).hit).toBe(true);

    // A row rewritten with different values (as derived series are: delete, then insert): reloaded.
    await db.execute(sql`DELETE FROM candles WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe} AND open_time = ${T0 + 200 * H}`);
    await upsertCandles(db, key, [candle(200, 7)], 'archive:rewrite');
    const rewritten = await loadWindowCached(db, key, from, to, 20, cache);
    expect(rewritten.hit).toBe(false);
    expect(rewritten.window.dataHash).not.toBe(added.window.dataHash);
    expect(rewritten.window.candles.find((c) => c.openTime === T0 + 200 * H)!.close).toBe(candle(200, 7).close);

    // The same values rewritten (a new ingested_at, same candles): still not served from the cache.
    await db.execute(sql`DELETE FROM candles WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe} AND open_time = ${T0 + 200 * H}`);
    await upsertCandles(db, key, [candle(200, 7)], 'archive:rewrite');
    const same = await loadWindowCached(db, key, from, to, 20, cache);
    expect(same.hit).toBe(false);
    expect(same.window.dataHash).toBe(rewritten.window.dataHash);

    // A change outside what the window reads (after `to`, before the warm-up) keeps the hit.
    await upsertCandles(db, key, [candle(400)], 'archive:later');
    await db.execute(sql`DELETE FROM candles WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe} AND open_time = ${T0 + 5 * H}`);
    expect((await loadWindowCached(db, key, from, to, 20, cache)).hit).toBe(true);
    expect(cache.hits).toBeGreaterThanOrEqual(3);
  });

  it('a warm-up that came up short is reloaded when an older candle arrives', async () => {
    const cache = createWindowCache();
    const short = await loadWindowCached(db, key, from, to, 500, cache);
    expect(short.window.warmup).toBeLessThan(500);
    expect((await loadWindowCached(db, key, from, to, 500, cache)).hit).toBe(true);
    await upsertCandles(db, key, [candle(-3)], 'archive:older');
    const longer = await loadWindowCached(db, key, from, to, 500, cache);
    expect(longer.hit).toBe(false);
    expect(longer.window.warmup).toBe(short.window.warmup + 1);
  });

  it('a derived window is reloaded when the timeframe itself gets stored (the source changes)', async () => {
    const cache = createWindowCache();
    const k4: SeriesKey = { ...key, timeframe: '4h' };
    const derived = await loadWindowCached(db, k4, from, to, 0, cache);
    expect(derived.window.derivedFrom).toBe('1h');
    expect((await loadWindowCached(db, k4, from, to, 0, cache)).hit).toBe(true);
    await upsertCandles(db, k4, [{ ...candle(104), openTime: T0 + 104 * H }], 'archive:4h');
    const stored = await loadWindowCached(db, k4, from, to, 0, cache);
    expect(stored.hit).toBe(false);
    expect(stored.window.derivedFrom).toBeUndefined();
    expect(stored.window.windowCount).toBe(1);
  });

  it('holds at most maxCandles candles, least recently used out first', async () => {
    const cache = createWindowCache(200);
    await loadWindowCached(db, key, from, to, 0, cache); // 150 candles
    await loadWindowCached(db, key, from + 50 * H, to, 0, cache); // 100 more: the first is evicted
    expect(cache.entries.size).toBe(1);
    expect((await loadWindowCached(db, key, from + 50 * H, to, 0, cache)).hit).toBe(true);
    expect((await loadWindowCached(db, key, from, to, 0, cache)).hit).toBe(false);
  });
});
