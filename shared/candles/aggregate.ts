/**
 * Timeframe aggregation on read: base candles (e.g. 5m or 1h) are folded into larger UTC-aligned buckets (15m, 1h,
 * 4h, 1d), so only the base timeframe needs storing.
 *
 * Bucket b covers open times [start, start + T) with start = k·T + offsetMs (offsetMs = 0: UTC-aligned, 4h buckets at
 * 00:00, 04:00, …; offsetMs = 2h: 4h buckets at 02:00, 06:00, …). A bucket's candle is open = first open,
 * high = max high, low = min low, close = last close, volume = sum of volumes, openTime = start.
 *
 * Completeness: by default a bucket is emitted only when all N = T / base constituent candles are present. A bucket
 * with a missing base candle would otherwise silently carry a wrong open/close/high/low/volume; and the newest,
 * still-forming bucket is dropped for free (its later constituents do not exist yet). `allowPartial: true` emits
 * partial buckets too (openTime is still the bucket start even when its first constituent is missing) — use
 * `aggregateBuckets` to see each bucket's `count`, and do not treat a partial newest bucket as closed.
 */
import type { Candle } from './candle';
import { TIMEFRAME_MS, type Timeframe } from './timeframe';

export interface AggregateOptions {
  /** Timeframe of the input candles. */
  from: Timeframe;
  /** Target timeframe; its length must be a whole multiple of `from`'s. */
  to: Timeframe;
  /** Bucket origin shift in ms (a multiple of `from`'s length; taken modulo the target length). Default 0. */
  offsetMs?: number;
  /** Emit buckets missing some constituents. Default false (complete buckets only). */
  allowPartial?: boolean;
}

export interface Bucket {
  candle: Candle;
  /** Constituent base candles present. */
  count: number;
  /** Constituents a complete bucket has (target length / base length). */
  expected: number;
  complete: boolean;
}

function plan(opts: AggregateOptions): { baseMs: number; T: number; off: number; n: number } {
  const baseMs = TIMEFRAME_MS[opts.from];
  const T = TIMEFRAME_MS[opts.to];
  if (T % baseMs !== 0) throw new RangeError(`aggregate: ${opts.to} is not a whole multiple of ${opts.from}`);
  const rawOff = opts.offsetMs ?? 0;
  if (!Number.isSafeInteger(rawOff) || rawOff % baseMs !== 0) {
    throw new RangeError(`aggregate: offsetMs ${rawOff} must be a whole multiple of ${opts.from} (${baseMs} ms)`);
  }
  return { baseMs, T, off: ((rawOff % T) + T) % T, n: T / baseMs };
}

/**
 * Every bucket that has at least one constituent, oldest first, complete or not. `base` must be strictly
 * increasing and on the `from` grid (validate first); throws otherwise.
 */
export function aggregateBuckets(base: readonly Candle[], opts: AggregateOptions): Bucket[] {
  const { baseMs, T, off, n } = plan(opts);
  const out: Bucket[] = [];
  let cur: Candle | null = null;
  let count = 0;
  let prevT = -Infinity;
  const flush = (): void => {
    if (cur) out.push({ candle: cur, count, expected: n, complete: count === n });
  };
  for (let i = 0; i < base.length; i++) {
    const c = base[i]!;
    const t = c.openTime;
    if (t % baseMs !== 0) throw new RangeError(`aggregate: openTime ${t} at index ${i} is not on the ${opts.from} grid`);
    if (t <= prevT) throw new RangeError(`aggregate: open times must be strictly increasing (index ${i})`);
    prevT = t;
    const start = Math.floor((t - off) / T) * T + off;
    if (cur && cur.openTime === start) {
      if (c.high > cur.high) cur.high = c.high;
      if (c.low < cur.low) cur.low = c.low;
      cur.close = c.close;
      cur.volume += c.volume;
      count++;
    } else {
      flush();
      cur = { openTime: start, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
      count = 1;
    }
  }
  flush();
  return out;
}

/** Aggregate `base` to `opts.to`: complete buckets only unless `allowPartial` (see the module comment). */
export function aggregateCandles(base: readonly Candle[], opts: AggregateOptions): Candle[] {
  const out: Candle[] = [];
  for (const b of aggregateBuckets(base, opts)) if (b.complete || opts.allowPartial) out.push(b.candle);
  return out;
}

/** Stored timeframes a missing one is derived from, in order of preference (the same order `/api/candles` uses). */
export const DERIVATION_BASES: readonly Timeframe[] = ['5m', '1h', '1m', '15m'];

/** Where a `target` series can be read from: itself, then each base whose length divides it, in preference order. */
export function derivationCandidates(target: Timeframe): Timeframe[] {
  const T = TIMEFRAME_MS[target];
  return [target, ...DERIVATION_BASES.filter((b) => b !== target && TIMEFRAME_MS[b] < T && T % TIMEFRAME_MS[b] === 0)];
}
