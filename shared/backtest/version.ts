/**
 * Engine version (part of every result and its hash: change it when fill, stop or metric rules change) and the
 * binary searches over candle open times shared by the engine, the result builder and the measured cost model.
 */
export const ENGINE_VERSION_ID = 'backtest-engine/1.1.0';

/** First index with openTime >= t (open times strictly increase). */
export function lowerBound(openTime: Float64Array, t: number): number {
  let lo = 0;
  let hi = openTime.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (openTime[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `lowerBound(openTime, t)` searched from `hint` (any index 0..length): gallops from the hint in the direction of
 * `t`, then bisects the bracket it found — the same index, in O(log d) for a target d candles from the hint instead
 * of O(log n). For queries that arrive roughly in time order (a run's fills): 12.7k fills over a year of 1m
 * candles took 1.3 ms by plain bisection, a tenth of the measured cost model's step (`npm run bench -- backtest`).
 */
export function lowerBoundFrom(openTime: Float64Array, t: number, hint: number): number {
  const n = openTime.length;
  let lo: number;
  let hi: number;
  const h = hint < 0 ? 0 : hint > n ? n : hint;
  if (h < n && openTime[h]! < t) {
    // the answer is above h: gallop up until openTime[hi] >= t (or the end)
    lo = h + 1;
    let step = 1;
    hi = lo;
    while (hi < n && openTime[hi]! < t) {
      lo = hi + 1;
      hi += step;
      step *= 2;
    }
    if (hi > n) hi = n;
  } else {
    // openTime[h] >= t (or h = n): the answer is at or below h; gallop down until openTime[lo − 1] < t (or 0)
    hi = h;
    let step = 1;
    lo = hi;
    while (lo > 0 && openTime[lo - 1]! >= t) {
      hi = lo - 1;
      lo -= step;
      step *= 2;
    }
    if (lo < 0) lo = 0;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (openTime[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
