/**
 * import-rest against the fake exchange (five venues' real wire formats over the real Binance-spot 2022 candles)
 * on a scratch database, through the CLI's own option mapping (`importRestInput`) and `importRest`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../shared/db/database';
import { loadCandles, tableHash } from '../../shared/db/queries/candles';
import { describeWithData } from '../../shared/testing/data';
import type { FetchLike } from '../../shared/venues';
import { startFakeExchange, type FakeExchange } from '../fake-exchange/server';
import { CandleStore, DEFAULT_FAKE_NOW } from '../fake-exchange/store';
import { openResearchDb, type ResearchDb } from './db';
import { ImportRestError, importRest, importRestInput, pacedFetch, REST_HISTORY } from './import-rest';

const H = 3_600_000;
const FROM = '2022-03-20';
const TO = '2022-04-10';
const NOW = new Date(DEFAULT_FAKE_NOW).toISOString();

let h: ResearchDb;
let db: Database;
let fx: FakeExchange;
let embedded: { close(): Promise<void> } | null = null;

/** The closed 1h rows the fake serves for a symbol in [from, to): what a correct import must store. */
function expected(symbol: string, from: number, to: number) {
  return new CandleStore()
    .rowsAt(symbol, '1h', DEFAULT_FAKE_NOW)
    .filter((r) => r[0] >= from && r[0] < to && r[0] + H <= DEFAULT_FAKE_NOW)
    .map((r) => ({ openTime: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5] }));
}

/** The CLI's options for one venue against the fake exchange (as parseArgs hands them over). */
const cli = (venue: string, over: Record<string, string | boolean> = {}) =>
  importRestInput({ venue, symbol: 'BTC/USDT', timeframe: '1h', from: FROM, to: TO, 'base-url': fx.baseUrls[venue as 'binance'], now: NOW, ...over });

const sleep0 = async () => {};

describeWithData('research CLI: import-rest (fake exchange, scratch database)', () => {
  beforeAll(async () => {
    const { openScratchDatabase } = await import('../db/local-db');
    const url = await openScratchDatabase('importrest').then((e) => ((embedded = e), e.url));
    h = await openResearchDb({ url, log: () => {} });
    db = h.db;
    fx = await startFakeExchange();
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await h?.close();
    await embedded?.close();
  });

  it('pages every venue at its own page size into candles, identical to what the venue served', async () => {
    const from = Date.UTC(2022, 2, 20);
    const to = Date.UTC(2022, 3, 10);
    const want = expected('BTC/USDT', from, to);
    expect(want.length).toBe(504); // 21 days of hours, none missing in the recording
    const pages: Record<string, number> = {};
    for (const venue of ['binance', 'kraken', 'coinbase', 'okx', 'bybit']) {
      const r = await importRest(cli(venue), { db, sleep: sleep0 });
      pages[venue] = r.pages;
      expect(r).toMatchObject({ fetched: 504, written: 504, issues: 0, stored: 504, missing: 0, resumedAfter: null, source: `rest:${venue}` });
      const stored = await loadCandles(db, { venue, symbol: 'BTC/USDT', timeframe: '1h' }, from, to);
      expect(stored).toEqual(want);
    }
    // ceil(504 / page): Binance and Bybit 1000, Kraken 720, Coinbase 300, OKX history-candles 100.
    expect(pages).toEqual({ binance: 1, kraken: 1, coinbase: 2, okx: 6, bybit: 1 });
    expect(REST_HISTORY.okx.perRequest).toBe(100);
    expect(REST_HISTORY.coinbase.perRequest).toBe(300);
    const src = rowsOf<{ source: string; n: number }>(await db.execute(sql`SELECT source, count(*)::int AS n FROM candles GROUP BY source ORDER BY source`));
    expect(src).toEqual(['binance', 'bybit', 'coinbase', 'kraken', 'okx'].map((v) => ({ source: `rest:${v}`, n: 504 })));
  });

  it('is idempotent: a re-run resumes after the last stored candle, asks nothing and changes nothing', async () => {
    const key = { venue: 'coinbase', symbol: 'BTC/USDT', timeframe: '1h' as const };
    const before = await tableHash(db, key);
    fx.clearRequests();
    const r = await importRest(cli('coinbase'), { db, sleep: sleep0 });
    expect(r).toMatchObject({ resumedAfter: Date.UTC(2022, 3, 10) - H, requests: 0, written: 0, stored: 504 });
    expect(fx.requests()).toHaveLength(0);
    expect(await tableHash(db, key)).toBe(before);
  });

  it('is resumable: a run cut off after 3 pages restarts after what it stored and ends identical', async () => {
    const from = Date.UTC(2022, 2, 20);
    const to = Date.UTC(2022, 3, 10);
    let calls = 0;
    const dying: FetchLike = async (url, init) => {
      if (++calls > 3) throw new TypeError('fetch failed (connection reset)');
      return fetch(url, init);
    };
    const input = { ...cli('okx', { symbol: 'ETH/USDT' }), chunkPages: 1 };
    await expect(importRest(input, { db, fetch: dying, sleep: sleep0 })).rejects.toThrow();
    const key = { venue: 'okx', symbol: 'ETH/USDT', timeframe: '1h' as const };
    const partial = await loadCandles(db, key, from, to);
    expect(partial).toHaveLength(300); // three committed 100-candle chunks
    fx.clearRequests();
    const seen: Array<[number, number]> = [];
    const r = await importRest(input, { db, sleep: sleep0, progress: (d, t) => seen.push([d, t]) });
    expect(r.resumedAfter).toBe(from + 299 * H);
    expect(r.pages).toBe(3);
    expect(r.written).toBe(204);
    // The first page asked for after the restart begins right after the stored rows (OKX `before` is exclusive).
    expect(Number(fx.requests()[0]!.query.before)).toBe(from + 300 * H - 1);
    expect(await loadCandles(db, key, from, to)).toEqual(expected('ETH/USDT', from, to));
    // Progress: starts at the resume point, never goes backwards, ends at the whole window.
    expect(seen[0]).toEqual([300, 504]);
    expect(seen.at(-1)).toEqual([504, 504]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });

  it('quarantines bad rows in data_issues with their reason and stores every good one', async () => {
    fx.setFaults([{ venue: 'bybit', kind: 'bad-rows', count: 1 }]);
    const r = await importRest(cli('bybit', { symbol: 'ETH/USDT' }), { db, sleep: sleep0 });
    fx.setFaults([]);
    expect(r).toMatchObject({ fetched: 502, issues: 2, stored: 502, missing: 2 });
    const issues = rowsOf<{ reason: string; detail: string }>(
      await db.execute(sql`SELECT reason, detail FROM data_issues WHERE venue = 'bybit' AND symbol = 'ETH/USDT' AND source = 'rest:bybit' ORDER BY detail`),
    );
    expect(issues.map((i) => i.reason)).toEqual(['parse', 'parse']);
    expect(issues.map((i) => i.detail).join(' | ')).toMatch(/n\/a|not a number|finite/i);
  });

  it('refuses a Kraken window older than its 720 most recent candles, or clips it with --clip', async () => {
    const err = await importRest(cli('kraken', { symbol: 'ETH/USDT', from: '2022-03-01' }), { db, sleep: sleep0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRestError);
    const oldest = Date.UTC(2022, 3, 16, 13) - 719 * H;
    expect((err as Error).message).toContain('returns only the most recent 720 1h candles');
    expect((err as Error).message).toContain(new Date(oldest).toISOString().replace('.000Z', 'Z'));
    const r = await importRest(cli('kraken', { symbol: 'ETH/USDT', from: '2022-03-01', to: '2022-05-01', clip: true }), { db, sleep: sleep0 });
    expect(r.clippedFrom).toBe(oldest);
    expect(r.to).toBe(Date.UTC(2022, 3, 16, 13)); // the forming 13:00 candle is not imported
    expect(r.stored).toBe(719);
    expect(await loadCandles(db, { venue: 'kraken', symbol: 'ETH/USDT', timeframe: '1h' }, 0, Date.UTC(2023, 0))).toEqual(expected('ETH/USDT', oldest, r.to));
  });

  it('refuses what a venue cannot serve, with the reason', async () => {
    await expect(importRest(cli('coinbase', { timeframe: '4h' }), { db })).rejects.toThrow(/coinbase serves no 4h candles.*no 4h granularity/);
    await expect(importRest(cli('bybit', { symbol: 'BTC/USD' }), { db })).rejects.toThrow(/bybit has no symbol BTC\/USD/);
    await expect(importRest(cli('ftx'), { db })).rejects.toThrow(/--venue must be one of binance, kraken, coinbase, okx, bybit/);
    await expect(importRest(cli('binance', { from: TO, to: FROM }), { db })).rejects.toThrow(/--from must be before --to/);
    expect(() => importRestInput({ symbol: 'BTC/USDT' })).toThrow(/--venue is required/);
  });
});

describe('import-rest: venue limits', () => {
  it('pacedFetch spaces request starts by the interval on the given clock', async () => {
    let t = 1_000;
    const sleeps: number[] = [];
    const starts: number[] = [];
    const f = pacedFetch(
      async () => {
        starts.push(t);
        t += 30; // each answer takes 30 ms
        return new Response('[]');
      },
      120,
      () => t,
      async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    );
    const init = { method: 'GET' as const, headers: {}, signal: new AbortController().signal };
    for (let i = 0; i < 3; i++) await f('u', init);
    expect(starts).toEqual([1000, 1120, 1240]);
    expect(sleeps).toEqual([90, 90]);
  });

  it('REST_HISTORY names every venue and only Kraken is recent-only', () => {
    const recent = Object.entries(REST_HISTORY).filter(([, l]) => l.recentOnly !== undefined).map(([v, l]) => [v, l.recentOnly]);
    expect(recent).toEqual([['kraken', 720]]);
  });
});
