/**
 * impact-fit on a scratch database: book snapshots stored with `insertBookSnapshot` and the venue's own candles
 * with `upsertCandles`, built so every walk-the-book cost is half-spread + k·σ·√(Q/V) (Tóth et al. 2011, Eq. 1)
 * with k = 0.45: the command's query + fit returns that k; a venue without snapshots is refused with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/backtest/prng';
import type { Candle } from '../../shared/candles/candle';
import type { Database } from '../../shared/db/database';
import { insertBookSnapshot } from '../../shared/db/queries/book-snapshots';
import { upsertCandles } from '../../shared/db/queries/candles';
import type { BookSnapshot } from '../../shared/market/book-metrics';
import { openResearchDb, type ResearchDb } from './db';
import { describeImpactFit, impactFit } from './impact-fit';

const M5 = 300_000;
const T0 = Date.UTC(2024, 0, 1);
const K = 0.45;

let h: ResearchDb;
let db: Database;
let embedded: { close(): Promise<void> } | null = null;

function candles(n: number): Candle[] {
  const r = mulberry32(3);
  let p = 3000;
  return Array.from({ length: n }, (_, i) => {
    const open = p;
    p = p * Math.exp(0.003 * r.normal());
    return { openTime: T0 + i * M5, open, high: Math.max(open, p), low: Math.min(open, p), close: p, volume: 50 + 100 * r.next() };
  });
}

describe('research CLI: impact-fit (scratch database)', () => {
  beforeAll(async () => {
    const { openScratchDatabase } = await import('../db/local-db');
    const url = await openScratchDatabase('impactfit').then((e) => ((embedded = e), e.url));
    h = await openResearchDb({ url, log: () => {} });
    db = h.db;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await embedded?.close();
  });

  it('fits k per symbol from stored snapshots and candles', async () => {
    const cs = candles(360);
    await upsertCandles(db, { venue: 'okx', symbol: 'ETH/USDT', timeframe: '5m' }, cs, 'rest:okx');
    for (let i = 300; i < 360; i += 5) {
      const bucket = T0 + i * M5;
      // σ over 12 candles from the 288 returns before the bucket, V = Σ volume·close of the 12 candles before it.
      const closed = cs.slice(0, i);
      const rets = closed.slice(-289).map((c, j, xs) => (j === 0 ? 0 : c.close / xs[j - 1]!.close - 1)).slice(1);
      const m = rets.reduce((a, b) => a + b, 0) / rets.length;
      const sigma = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / (rets.length - 1)) * Math.sqrt(12);
      const volume = closed.slice(-12).reduce((a, c) => a + c.volume * c.close, 0);
      const half = 0.5;
      const cost = (q: number) => half + K * sigma * Math.sqrt(q / volume) * 1e4;
      const mid = closed.at(-1)!.close;
      const snap: BookSnapshot = {
        venue: 'okx',
        symbol: 'ETH/USDT',
        time: bucket + 1000,
        timeSource: 'venue',
        bestBid: mid * (1 - half / 1e4),
        bestAsk: mid * (1 + half / 1e4),
        mid,
        halfSpreadBps: half,
        bidLevels: 400,
        askLevels: 400,
        reachBidBps: 60,
        reachAskBps: 60,
        depth: [5, 10, 25, 50].map((bps) => ({ bps, bid: bps * 1e4, ask: bps * 1e4 })),
        fills: [1_000, 10_000, 100_000].map((notional) => ({ notional, buyBps: cost(notional), sellBps: notional === 100_000 ? null : cost(notional) })),
      };
      expect(await insertBookSnapshot(db, snap, bucket, 'rest:okx:book')).toBe(1);
      expect(await insertBookSnapshot(db, snap, bucket, 'rest:okx:book')).toBe(0); // one per bucket
    }
    const [fit] = await impactFit(db, { venue: 'okx' });
    expect(fit!.snapshots).toBe(12);
    const f = fit!.calibration.fit;
    if (!f.ok) throw new Error(f.detail);
    expect(f.n).toBe(12 * 5); // the unfillable 100k sell side gives no observation
    expect(f.k).toBeCloseTo(K, 9);
    expect(describeImpactFit(fit!)).toMatch(/^okx ETH\/USDT: 12 snapshots \(12 used, 0 skipped\).*\n {2}k = 0\.4500 {2}SE/);
  });

  it('refuses a venue with no stored snapshot', async () => {
    await expect(impactFit(db, { venue: 'kraken' })).rejects.toThrow(/no book snapshots stored for kraken/);
  });
});
