/**
 * Small shared helpers for the indicator library: argument checks, NaN-filled output arrays and TA-Lib's
 * "is zero" test (TA_EPSILON = 1e-14, from ta_utility.h of TA-Lib 0.4), which several indicators reproduce so
 * that their outputs match TA-Lib bit for bit.
 */

/** TA-Lib's TA_EPSILON (ta_utility.h). */
export const TA_EPSILON = 1e-14;

/** TA-Lib's TA_IS_ZERO(v): |v| < 1e-14. */
export function isZero(v: number): boolean {
  return -TA_EPSILON < v && v < TA_EPSILON;
}

/** Throws a RangeError unless `period` is an integer ≥ `min`. */
export function checkPeriod(name: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min || period > 100_000) {
    throw new RangeError(`${name}: period must be an integer in [${min}, 100000], got ${period}`);
  }
}

/** Throws a RangeError unless every array has the same length as the first. */
export function checkSameLength(name: string, ...arrays: Float64Array[]): number {
  const n = arrays[0]!.length;
  for (const a of arrays) {
    if (a.length !== n) throw new RangeError(`${name}: input arrays differ in length (${n} vs ${a.length})`);
  }
  return n;
}

/** A Float64Array of length `n` filled with NaN (the warm-up marker). */
export function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

/**
 * A Float64Array of length `n` whose first `lookback` entries are NaN (the rest 0, for the caller to overwrite).
 * Cheaper than `nanArray` when the caller writes every index from `lookback` on.
 */
export function warmupArray(n: number, lookback: number): Float64Array {
  const a = new Float64Array(n);
  a.fill(NaN, 0, Math.min(n, lookback));
  return a;
}
