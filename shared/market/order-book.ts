/**
 * The normalised market-data records every venue adapter produces — an order book (bids and asks as parallel
 * price/quantity Float64Arrays, sorted best-first), a best bid/ask quote, and a page of recent trades (oldest
 * first) — and the pure checks that decide whether one is usable: positive finite levels, no duplicate
 * prices, both sides present, not crossed (best bid ≥ best ask), not stale or future-dated against the clock the
 * caller passes in, not an empty trades page. A check fails with a `MarketRejection` (code + reason), never a
 * half-built record. Prices are in quote currency, quantities in base currency.
 */

export const TIME_SOURCES = ['venue', 'newest-level', 'received'] as const;
/**
 * Where `time` came from: `venue` = the venue stamped the snapshot; `newest-level` = the newest per-level update
 * time (Kraken Depth, a lower bound of the snapshot time); `received` = the venue sends no time, so it is the
 * caller's clock when the body was parsed (such a record cannot be judged stale).
 */
export type TimeSource = (typeof TIME_SOURCES)[number];

/** One side of a book: level `i` is `prices[i]` × `sizes[i]`; index 0 is the best level. */
export interface BookSide {
  prices: Float64Array;
  sizes: Float64Array;
}

export interface OrderBook {
  venue: string;
  /** Canonical `BASE/QUOTE`. */
  symbol: string;
  /** ms UTC; see `timeSource`. */
  time: number;
  timeSource: TimeSource;
  /** Descending by price. */
  bids: BookSide;
  /** Ascending by price. */
  asks: BookSide;
  /** The venue's book sequence / update id, when it sends one (as a string: some exceed 2^53). */
  sequence?: string;
}

export interface BestQuote {
  venue: string;
  symbol: string;
  time: number;
  timeSource: TimeSource;
  bid: number;
  /** `null` when the venue does not send the size (Coinbase Exchange ticker). */
  bidQty: number | null;
  ask: number;
  askQty: number | null;
}

export type TakerSide = 'buy' | 'sell';

export interface Trade {
  /** The venue's trade id, as a string. */
  id: string;
  /** ms UTC. */
  time: number;
  price: number;
  /** Base quantity. */
  qty: number;
  /** The aggressor (taker) side. */
  side: TakerSide;
}

export const REJECTION_CODES = ['malformed', 'partial', 'crossed', 'stale', 'future', 'empty', 'bad-level'] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Why a market-data body was refused. Pure data; adapters wrap it in their typed error. */
export interface MarketRejection {
  code: RejectionCode;
  reason: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: MarketRejection };

const reject = <T>(code: RejectionCode, reason: string): Checked<T> => ({ ok: false, rejection: { code, reason } });

export interface FreshnessOptions {
  /** The caller's clock, ms UTC. */
  now: number;
  /** A venue-stamped record older than this is `stale`. */
  maxAgeMs: number;
  /** A venue-stamped record newer than `now` by more than this is `future` (clock skew). */
  maxFutureMs: number;
}

/** Rejects a venue-stamped time that is too old or too far ahead; `received` times always pass. */
export function checkFreshness(time: number, source: TimeSource, o: FreshnessOptions): MarketRejection | undefined {
  if (!Number.isFinite(time)) return { code: 'malformed', reason: `time is not finite (${time})` };
  if (source === 'received') return undefined;
  const age = o.now - time;
  if (age > o.maxAgeMs) return { code: 'stale', reason: `snapshot is ${age} ms old (${source} time ${new Date(time).toISOString()}), more than the ${o.maxAgeMs} ms allowed` };
  if (-age > o.maxFutureMs) return { code: 'future', reason: `snapshot time is ${-age} ms ahead of the clock, more than the ${o.maxFutureMs} ms allowed` };
  return undefined;
}

/** `[price, size]` pairs as the venue listed them (any order). */
export type RawLevels = ReadonlyArray<readonly [number, number]>;

function buildSide(levels: RawLevels, side: 'bid' | 'ask'): Checked<BookSide> {
  for (let i = 0; i < levels.length; i++) {
    const [p, q] = levels[i]!;
    if (!(Number.isFinite(p) && p > 0)) return reject('bad-level', `${side} level ${i}: price ${p} is not a positive number`);
    if (!(Number.isFinite(q) && q > 0)) return reject('bad-level', `${side} level ${i} at ${p}: size ${q} is not a positive number`);
  }
  const sorted = [...levels].sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
  const prices = new Float64Array(sorted.length);
  const sizes = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    prices[i] = sorted[i]![0];
    sizes[i] = sorted[i]![1];
    if (i > 0 && prices[i] === prices[i - 1]) return reject('bad-level', `${side} price ${prices[i]} is listed twice`);
  }
  return { ok: true, value: { prices, sizes } };
}

export interface BookInput {
  venue: string;
  symbol: string;
  time: number;
  timeSource: TimeSource;
  bids: RawLevels;
  asks: RawLevels;
  sequence?: string;
}

/**
 * Builds a book from raw levels: sorts each side best-first, then rejects bad levels, duplicate prices, a
 * missing side (`partial`), a crossed or locked top (`crossed`), and a stale or future-dated venue time.
 */
export function buildOrderBook(input: BookInput, fresh: FreshnessOptions): Checked<OrderBook> {
  if (input.bids.length === 0 || input.asks.length === 0) {
    return reject('partial', `one-sided book: ${input.bids.length} bids, ${input.asks.length} asks`);
  }
  const bids = buildSide(input.bids, 'bid');
  if (!bids.ok) return bids;
  const asks = buildSide(input.asks, 'ask');
  if (!asks.ok) return asks;
  const bb = bids.value.prices[0]!;
  const ba = asks.value.prices[0]!;
  if (bb >= ba) return reject('crossed', `crossed book: best bid ${bb} >= best ask ${ba}`);
  const stale = checkFreshness(input.time, input.timeSource, fresh);
  if (stale) return { ok: false, rejection: stale };
  const book: OrderBook = { venue: input.venue, symbol: input.symbol, time: input.time, timeSource: input.timeSource, bids: bids.value, asks: asks.value };
  if (input.sequence !== undefined) book.sequence = input.sequence;
  return { ok: true, value: book };
}

/** Validates a best bid/ask: positive prices, positive sizes when given, not crossed, fresh. */
export function buildBestQuote(q: BestQuote, fresh: FreshnessOptions): Checked<BestQuote> {
  for (const [k, v] of [['bid', q.bid], ['ask', q.ask]] as const) {
    if (!(Number.isFinite(v) && v > 0)) return reject('bad-level', `${k} ${v} is not a positive number`);
  }
  for (const [k, v] of [['bidQty', q.bidQty], ['askQty', q.askQty]] as const) {
    if (v !== null && !(Number.isFinite(v) && v >= 0)) return reject('bad-level', `${k} ${v} is not a non-negative number`);
  }
  if (q.bid >= q.ask) return reject('crossed', `crossed quote: bid ${q.bid} >= ask ${q.ask}`);
  const stale = checkFreshness(q.time, q.timeSource, fresh);
  if (stale) return { ok: false, rejection: stale };
  return { ok: true, value: q };
}

const DIGITS = /^\d+$/;

/** Compares trade ids: numerically when both are digit strings (ids can exceed 2^53), else 0 (keep order). */
function compareIds(a: string, b: string): number {
  if (!DIGITS.test(a) || !DIGITS.test(b)) return 0;
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Validates a trades page and returns it oldest-first (time, then id): rejects an empty page and any trade with
 * a non-positive price or size or a bad time, and a page that repeats a trade id.
 */
export function buildTrades(trades: readonly Trade[]): Checked<Trade[]> {
  if (trades.length === 0) return reject('empty', 'empty trades page (0 trades)');
  const seen = new Set<string>();
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    if (!(Number.isInteger(t.time) && t.time > 0)) return reject('bad-level', `trade ${i} (id ${t.id}): bad time ${t.time}`);
    if (!(Number.isFinite(t.price) && t.price > 0)) return reject('bad-level', `trade ${i} (id ${t.id}): price ${t.price} is not a positive number`);
    if (!(Number.isFinite(t.qty) && t.qty > 0)) return reject('bad-level', `trade ${i} (id ${t.id}): size ${t.qty} is not a positive number`);
    if (seen.has(t.id)) return reject('bad-level', `trade id ${t.id} appears twice`);
    seen.add(t.id);
  }
  return { ok: true, value: [...trades].sort((a, b) => a.time - b.time || compareIds(a.id, b.id)) };
}
