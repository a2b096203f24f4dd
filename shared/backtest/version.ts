/**
 * Engine version (part of every result and its hash: change it when fill, stop or metric rules change) and the
 * binary search over candle open times shared by the engine and the result builder.
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
