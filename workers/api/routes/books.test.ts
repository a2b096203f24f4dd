/**
 * `GET /api/data/books` in workerd against real Postgres: snapshots stored by the real cron stage from the fake
 * exchange (the five venues' recorded books) summarised per venue — median/p90/max half-spread equal to the stored
 * rows' (p90 as Postgres' percentile_cont: linear between order statistics) — and one series downsampled to buckets
 * that keep the widest spread and the thinnest depth; 422 for symbol without venue.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { withDb } from '../../db';
import { getConfig, type Env } from '../../env';
import { describeWithData } from '../../real-data.test-util';
import { runBookSnapshots } from '../../cron/book-snapshots';
import { insertBookSnapshot, loadBookSnapshots } from '../../../shared/db/queries/book-snapshots';
import { accessHeaders } from '../test-access';

const T = Date.UTC(2022, 3, 16, 12, 0);
const M5 = 300_000;
const fx = inject('fakeExchangeUrl');
const e = { ...env, INGEST_SERIES: 'binance:BTC/USDT:5m,kraken:BTC/USDT:5m,coinbase:BTC/USDT:5m,okx:ETH/USDT:1h,bybit:ETH/USDT:4h', BOOK_SNAPSHOT_NOTIONALS: '1000,10000,100000' } as Env;
const config = getConfig(e);
let headers: Record<string, string>;
const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const res = await exports.default.fetch(new Request(`http://lab.local${url}`, { headers }));
  return { status: res.status, body: (await res.json()) as T };
};
const setFakeNow = async (now: number) => expect((await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now }), headers: { 'content-type': 'application/json' } })).status).toBe(200);

interface Summary {
  venue: string;
  symbol: string;
  count: number;
  halfSpreadBps: { median: number; p90: number; max: number };
  depth10: { bid: number | null; ask: number | null };
  fill10k: { buyBps: number | null; sellBps: number | null };
}
interface Series {
  total: number;
  time: number[];
  halfSpreadBpsMax: number[];
  halfSpreadBpsMean: number[];
  depth10Bid: (number | null)[];
}

/** Postgres percentile_cont: linear interpolation at (n − 1)·p between the sorted values. */
function percentileCont(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const r = (s.length - 1) * p;
  const lo = Math.floor(r);
  return s[lo]! + (s[Math.ceil(r)]! - s[lo]!) * (r - lo);
}

describeWithData('GET /api/data/books (workerd + Postgres)', () => {
  beforeAll(async () => {
    headers = await accessHeaders();
    await withDb(config, (db) => db.execute(sql`DELETE FROM book_snapshots`));
    for (let k = 0; k < 3; k++) {
      await setFakeNow(T + k * M5 + 30_000);
      const r = await withDb(config, (db) => runBookSnapshots({ config, db, now: T + k * M5 + 30_000 }));
      expect(r.failed).toBe(0);
    }
    // A synthetic series with a known shape for the downsampling check: 12 buckets, spread 1..12 bps, depth 1200..100.
    await withDb(config, async (db) => {
      const [base] = await loadBookSnapshots(db, { venue: 'binance', symbol: 'BTC/USDT' });
      for (let i = 0; i < 12; i++) {
        const { bucket: _b, source: _s, ...snap } = base!;
        await insertBookSnapshot(db, { ...snap, venue: 'testvenue', halfSpreadBps: i + 1, depth: snap.depth.map((d) => ({ ...d, bid: d.bps === 10 ? 1200 - i * 100 : d.bid })) }, T + i * M5, 'test:synthetic');
      }
    });
  }, 120_000);
  // Leave the shared fakes and tables as the other files expect them: the fake exchange's clock back at the
  // recording's end, and no snapshots (later files price runs from the stored books: the measured cost model).
  afterAll(async () => {
    await setFakeNow(Date.UTC(2022, 3, 16, 13, 47, 30));
    await withDb(config, (db) => db.execute(sql`DELETE FROM book_snapshots`));
  });

  it("summarises each venue's stored snapshots: the half-spread distribution, depth and walk-the-book cost", async () => {
    const { status, body } = await get<{ items: Summary[]; series: null }>('/api/data/books');
    expect(status).toBe(200);
    expect(body.series).toBeNull();
    const real = body.items.filter((i) => i.venue !== 'testvenue');
    expect(real.map((i) => `${i.venue} ${i.symbol} ${i.count}`)).toEqual(['binance BTC/USDT 3', 'bybit ETH/USDT 3', 'coinbase BTC/USDT 3', 'kraken BTC/USDT 3', 'okx ETH/USDT 3']);
    const stored = await withDb(config, (db) => loadBookSnapshots(db, { venue: 'kraken' }));
    const hs = stored.map((s) => s.halfSpreadBps);
    const kraken = real.find((i) => i.venue === 'kraken')!;
    expect(kraken.halfSpreadBps.median).toBeCloseTo(percentileCont(hs, 0.5), 9);
    expect(kraken.halfSpreadBps.p90).toBeCloseTo(percentileCont(hs, 0.9), 9);
    expect(kraken.halfSpreadBps.max).toBe(Math.max(...hs));
    const binance = real.find((i) => i.venue === 'binance')!;
    const b0 = (await withDb(config, (db) => loadBookSnapshots(db, { venue: 'binance' })))[0]!;
    expect(binance.depth10.bid).toBeCloseTo(b0.depth.find((d) => d.bps === 10)!.bid, 6);
    expect(binance.fill10k.buyBps).toBeCloseTo(b0.fills.find((f) => f.notional === 10_000)!.buyBps!, 9);
    expect(binance.fill10k.buyBps!).toBeGreaterThanOrEqual(binance.halfSpreadBps.median - 1e-9); // walking the book never beats the touch
  });

  it('one series over time: downsampled buckets keep the widest spread and the thinnest depth', async () => {
    const all = await get<{ items: Summary[]; series: Series }>('/api/data/books?venue=testvenue&symbol=BTC%2FUSDT&points=100');
    expect(all.body.series.total).toBe(12);
    expect(all.body.series.halfSpreadBpsMax).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const down = await get<{ items: Summary[]; series: Series }>('/api/data/books?venue=testvenue&symbol=BTC%2FUSDT&points=10');
    // ceil(12 / 10) = 2 snapshots per bucket → 6 buckets
    expect(down.body.series.time).toEqual([0, 2, 4, 6, 8, 10].map((i) => T + i * M5));
    expect(down.body.series.halfSpreadBpsMax).toEqual([2, 4, 6, 8, 10, 12]);
    expect(down.body.series.halfSpreadBpsMean).toEqual([1.5, 3.5, 5.5, 7.5, 9.5, 11.5]);
    expect(down.body.series.depth10Bid).toEqual([1100, 900, 700, 500, 300, 100]);
    expect(down.body.items).toHaveLength(1);
    const windowed = await get<{ series: Series }>(`/api/data/books?venue=testvenue&symbol=BTC%2FUSDT&from=${T + 3 * M5}&to=${T + 6 * M5}`);
    expect(windowed.body.series.halfSpreadBpsMax).toEqual([4, 5, 6]);
  });

  it('symbol without venue, or points out of range, is a 422 naming it', async () => {
    const a = await get<{ error: { message: string } }>('/api/data/books?symbol=BTC%2FUSDT');
    expect(a.status).toBe(422);
    expect(a.body.error.message).toContain('venue');
    const b = await get<{ error: { message: string } }>('/api/data/books?venue=binance&symbol=BTC%2FUSDT&points=1');
    expect(b.status).toBe(422);
    expect(b.body.error.message).toContain('points');
  });
});
