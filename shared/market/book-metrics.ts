/**
 * Pure order-book metrics and the compact snapshot record the cron stores per series and cycle: best bid/ask,
 * mid, half-spread in bps, quote-notional depth within N bps of mid per side, how far the fetched book reaches,
 * and the cost in bps vs mid of filling a quote notional by walking the book (a market buy walks the asks, a
 * sell the bids; the cost includes the half-spread). When the fetched book cannot fill a size the cost is `null`
 * ("insufficient depth"), never a number computed from a partial fill.
 *
 * Definitions (all prices in quote currency, sizes in base):
 *   mid = (bestBid + bestAsk) / 2,  halfSpreadBps = (bestAsk − bestBid) / (2 · mid) · 1e4
 *   depthBid(x) = Σ p·q over bids with (mid − p)/mid · 1e4 ≤ x;  depthAsk(x) likewise with (p − mid)/mid
 *   walk(N): take levels best-first until their quote notional sums to N (the last one partly); base = Σ taken/p;
 *   avg = N / base;  buyBps = (avg / mid − 1) · 1e4,  sellBps = (1 − avg / mid) · 1e4
 * `reachBps` is the distance of the furthest fetched level from mid: depth at x > reach is a lower bound (the
 * venue sent a truncated book).
 */
import { z } from 'zod';
import { TIME_SOURCES, type BookSide, type OrderBook } from './order-book';

export const DEFAULT_DEPTH_BPS = [5, 10, 25, 50] as const;
export const DEFAULT_FILL_NOTIONALS = [1_000, 10_000, 100_000] as const;

export interface BookMetricsOptions {
  /** Bands around mid for the depth figures, bps. Default 5, 10, 25, 50. */
  depthBps?: readonly number[];
  /** Quote notionals to walk the book for. Default 1k, 10k, 100k. */
  notionals?: readonly number[];
}

/** Relative slack for "within x bps" so a level exactly on the band edge is not lost to rounding. */
const EDGE_EPS_BPS = 1e-9;

export type WalkResult =
  | { ok: true; avgPrice: number; costBps: number; levelsUsed: number }
  | { ok: false; reason: 'insufficient depth'; availableNotional: number; wanted: number };

/** Quote notional resting on a side within `bps` of `mid`. */
export function depthWithin(side: BookSide, mid: number, bps: number, dir: 'bid' | 'ask'): number {
  let sum = 0;
  for (let i = 0; i < side.prices.length; i++) {
    const p = side.prices[i]!;
    const dist = ((dir === 'bid' ? mid - p : p - mid) / mid) * 1e4;
    if (dist > bps + EDGE_EPS_BPS) break; // sides are best-first, so every later level is further away
    sum += p * side.sizes[i]!;
  }
  return sum;
}

/**
 * Walks one side for a quote notional: `dir` 'buy' consumes asks, 'sell' consumes bids. Cost is vs mid, in bps,
 * positive = worse than mid.
 */
export function walkBook(book: OrderBook, notional: number, dir: 'buy' | 'sell'): WalkResult {
  if (!(Number.isFinite(notional) && notional > 0)) throw new RangeError(`notional must be a positive number, got ${notional}`);
  const side = dir === 'buy' ? book.asks : book.bids;
  const mid = (book.bids.prices[0]! + book.asks.prices[0]!) / 2;
  let remaining = notional;
  let base = 0;
  let available = 0;
  let i = 0;
  for (; i < side.prices.length && remaining > 0; i++) {
    const p = side.prices[i]!;
    const levelNotional = p * side.sizes[i]!;
    available += levelNotional;
    const take = Math.min(remaining, levelNotional);
    base += take / p;
    remaining -= take;
  }
  // Rounding can leave a crumb of a cent after the last level; anything more is a real shortfall.
  if (remaining > notional * 1e-12) {
    return { ok: false, reason: 'insufficient depth', availableNotional: available, wanted: notional };
  }
  const avg = notional / base;
  const costBps = dir === 'buy' ? (avg / mid - 1) * 1e4 : (1 - avg / mid) * 1e4;
  return { ok: true, avgPrice: avg, costBps, levelsUsed: i };
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
const nonNeg = finite.refine((x) => x >= 0, 'must be ≥ 0');
const pos = finite.refine((x) => x > 0, 'must be > 0');

/** The compact per-cycle book record (what the cron stores). */
export const BookSnapshotSchema = z.object({
  venue: z.string().min(1),
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'canonical BASE/QUOTE'),
  time: z.number().int().positive(),
  timeSource: z.enum(TIME_SOURCES),
  bestBid: pos,
  bestAsk: pos,
  mid: pos,
  halfSpreadBps: nonNeg,
  bidLevels: z.number().int().positive(),
  askLevels: z.number().int().positive(),
  /** Distance of the furthest fetched level from mid, bps. */
  reachBidBps: nonNeg,
  reachAskBps: nonNeg,
  /** Quote notional within `bps` of mid per side. */
  depth: z.array(z.object({ bps: pos, bid: nonNeg, ask: nonNeg })),
  /** Cost vs mid in bps to fill `notional` quote; `null` = insufficient depth in the fetched book. */
  fills: z.array(z.object({ notional: pos, buyBps: finite.nullable(), sellBps: finite.nullable() })),
});
export type BookSnapshot = z.infer<typeof BookSnapshotSchema>;

function checkList(name: string, xs: readonly number[]): void {
  for (const x of xs) if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`${name}: every value must be a positive number, got ${x}`);
}

/** All metrics of one (already validated: sorted, non-empty, uncrossed) book as a snapshot record. */
export function bookSnapshot(book: OrderBook, opts: BookMetricsOptions = {}): BookSnapshot {
  const depthBps = opts.depthBps ?? DEFAULT_DEPTH_BPS;
  const notionals = opts.notionals ?? DEFAULT_FILL_NOTIONALS;
  checkList('depthBps', depthBps);
  checkList('notionals', notionals);
  const nb = book.bids.prices.length;
  const na = book.asks.prices.length;
  if (nb === 0 || na === 0) throw new RangeError(`bookSnapshot needs both sides (got ${nb} bids, ${na} asks)`);
  const bestBid = book.bids.prices[0]!;
  const bestAsk = book.asks.prices[0]!;
  if (bestBid >= bestAsk) throw new RangeError(`bookSnapshot needs an uncrossed book (bid ${bestBid} >= ask ${bestAsk})`);
  const mid = (bestBid + bestAsk) / 2;
  const fill = (n: number, dir: 'buy' | 'sell'): number | null => {
    const r = walkBook(book, n, dir);
    return r.ok ? r.costBps : null;
  };
  return {
    venue: book.venue,
    symbol: book.symbol,
    time: book.time,
    timeSource: book.timeSource,
    bestBid,
    bestAsk,
    mid,
    halfSpreadBps: ((bestAsk - bestBid) / (2 * mid)) * 1e4,
    bidLevels: nb,
    askLevels: na,
    reachBidBps: ((mid - book.bids.prices[nb - 1]!) / mid) * 1e4,
    reachAskBps: ((book.asks.prices[na - 1]! - mid) / mid) * 1e4,
    depth: depthBps.map((bps) => ({ bps, bid: depthWithin(book.bids, mid, bps, 'bid'), ask: depthWithin(book.asks, mid, bps, 'ask') })),
    fills: notionals.map((notional) => ({ notional, buyBps: fill(notional, 'buy'), sellBps: fill(notional, 'sell') })),
  };
}
