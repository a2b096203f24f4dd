/**
 * Book metrics on hand-built books whose numbers are computed by hand (fractions in the comments), the snapshot
 * record validated by its zod schema, "insufficient depth" as null, and determinism. Definitions: the quoted
 * spread S = (A − B) / M with M the mid (e.g. Corwin & Schultz 2012 §1; half of it in bps here), and the cost of
 * a size as the volume-weighted fill price vs mid from walking the visible book level by level.
 */
import { describe, expect, it } from 'vitest';
import { bookSnapshot, BookSnapshotSchema, depthWithin, walkBook } from './book-metrics';
import { buildOrderBook, type OrderBook, type RawLevels } from './order-book';

const FRESH = { now: 1_000_000, maxAgeMs: 60_000, maxFutureMs: 5_000 };

function book(bids: RawLevels, asks: RawLevels): OrderBook {
  const r = buildOrderBook({ venue: 'test', symbol: 'BTC/USDT', time: 1_000_000, timeSource: 'venue', bids, asks }, FRESH);
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.value;
}

// mid 100; bids 99.9×10 (999), 99.8×20 (1996), 99×100 (9900); asks 100.1×10 (1001), 100.2×20 (2004), 101×100 (10100).
const B = book(
  [[99.8, 20], [99.9, 10], [99, 100]], // deliberately unsorted: the builder sorts best-first
  [[100.1, 10], [100.2, 20], [101, 100]],
);

describe('book metrics (hand-computed)', () => {
  it('mid, half-spread, levels and reach', () => {
    const s = bookSnapshot(B, { depthBps: [5, 10, 25, 50, 100], notionals: [1000] });
    expect(s.bestBid).toBe(99.9);
    expect(s.bestAsk).toBe(100.1);
    expect(s.mid).toBe(100);
    // (100.1 − 99.9) / (2 · 100) · 1e4 = 10 bps
    expect(s.halfSpreadBps).toBeCloseTo(10, 10);
    expect([s.bidLevels, s.askLevels]).toEqual([3, 3]);
    // furthest levels 99 and 101: 100 bps from mid
    expect(s.reachBidBps).toBeCloseTo(100, 10);
    expect(s.reachAskBps).toBeCloseTo(100, 10);
  });

  it('depth within 5/10/25/50/100 bps of mid per side (quote notional)', () => {
    const s = bookSnapshot(B, { depthBps: [5, 10, 25, 50, 100] });
    const d = s.depth.map((x) => [x.bps, Number(x.bid.toFixed(6)), Number(x.ask.toFixed(6))]);
    expect(d).toEqual([
      [5, 0, 0], // nearest levels are 10 bps away
      [10, 999, 1001],
      [25, 2995, 3005], // + 99.8·20, + 100.2·20
      [50, 2995, 3005],
      [100, 12895, 13105], // + 99·100, + 101·100
    ]);
  });

  it('a level exactly on the band edge counts (no rounding loss)', () => {
    const edge = book([[99.95, 1]], [[100.05, 1]]);
    expect(depthWithin(edge.bids, 100, 5, 'bid')).toBeCloseTo(99.95, 10);
    expect(depthWithin(edge.asks, 100, 5, 'ask')).toBeCloseTo(100.05, 10);
    expect(depthWithin(edge.asks, 100, 4.99, 'ask')).toBe(0);
  });

  it('walk-the-book cost in bps vs mid, both sides, by hand', () => {
    const s = bookSnapshot(B, { notionals: [1000, 2000, 10_000, 20_000] });
    const f = Object.fromEntries(s.fills.map((x) => [x.notional, x]));
    // buy 1000 inside the first ask (1001): avg 100.1 → 10 bps
    expect(f[1000]!.buyBps).toBeCloseTo(10, 9);
    // sell 1000: 999 at 99.9 + 1 at 99.8; avg = 99800/999 → (1 − 998/999)·1e4 = 1e4/999
    expect(f[1000]!.sellBps).toBeCloseTo(1e4 / 999, 9);
    // buy 2000: 1001 at 100.1 + 999 at 100.2; avg = 200400/2001 → 3/2001·1e4
    expect(f[2000]!.buyBps).toBeCloseTo(3e4 / 2001, 9);
    // sell 2000: 999 at 99.9 + 1001 at 99.8; avg = 199600/1999 → 3/1999·1e4
    expect(f[2000]!.sellBps).toBeCloseTo(3e4 / 1999, 9);
    // buy 10k: 1001 + 2004 + 6995 at 101; avg = 1010000/10025 → 75/10025·1e4
    expect(f[10000]!.buyBps).toBeCloseTo(75e4 / 10025, 9);
    // sell 10k: 999 + 1996 + 7005 at 99; avg = 990000/9975 → 75/9975·1e4
    expect(f[10000]!.sellBps).toBeCloseTo(75e4 / 9975, 9);
    // 20k exceeds both sides (asks 13105, bids 12895): insufficient depth, not a number
    expect(f[20000]).toEqual({ notional: 20000, buyBps: null, sellBps: null });
  });

  it('walkBook says how much was available when it cannot fill', () => {
    const r = walkBook(B, 20_000, 'buy');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('insufficient depth');
      expect(r.availableNotional).toBeCloseTo(13105, 6);
    }
    const exact = walkBook(B, 13105, 'buy');
    expect(exact.ok).toBe(true); // exactly the whole side fills
  });

  it('the snapshot passes its zod schema, and the schema refuses bad records', () => {
    const s = bookSnapshot(B);
    expect(BookSnapshotSchema.parse(s)).toEqual(s);
    expect(s.depth.map((d) => d.bps)).toEqual([5, 10, 25, 50]);
    expect(s.fills.map((d) => d.notional)).toEqual([1000, 10000, 100000]);
    expect(BookSnapshotSchema.safeParse({ ...s, halfSpreadBps: -1 }).success).toBe(false);
    expect(BookSnapshotSchema.safeParse({ ...s, mid: Number.NaN }).success).toBe(false);
    expect(BookSnapshotSchema.safeParse({ ...s, symbol: 'btcusdt' }).success).toBe(false);
  });

  it('bad options are refused with the reason', () => {
    expect(() => bookSnapshot(B, { notionals: [0] })).toThrow(/notionals.*positive/);
    expect(() => bookSnapshot(B, { depthBps: [Number.NaN] })).toThrow(/depthBps/);
    expect(() => walkBook(B, -5, 'buy')).toThrow(/positive/);
  });

  it('same book, byte-identical snapshot', () => {
    const again = book([[99.9, 10], [99.8, 20], [99, 100]], [[101, 100], [100.2, 20], [100.1, 10]]);
    expect(JSON.stringify(bookSnapshot(again))).toBe(JSON.stringify(bookSnapshot(B)));
  });
});
