/**
 * The distribution of the quoted half-spread, in bps of mid, over a series of best bid/ask samples — the number
 * that calibrates the cost model's spread component. Two weightings:
 *   - `event`: every quote update counts once; quantiles by linear interpolation between order statistics
 *     (Hyndman & Fan 1996, definition 7, the R / NumPy default; `quantileSorted` in shared/research/stats).
 *   - `time`: each sample holds until the next one (the last is dropped, having no duration); a quantile is the
 *     smallest half-spread whose cumulative holding time reaches q of the total (the inverse of the time-weighted
 *     empirical CDF, Hyndman & Fan definition 1 with weights). This is the spread a trade at a random instant faces;
 *     bursts of updates during sweeps do not outweigh quiet, tight minutes.
 * Too few samples give "insufficient data" with the count, never a number. Crossed or locked samples are
 * refused by the caller's parser, not here (they throw).
 */
import { quantileSorted } from '../research/stats';

/** Best bid/ask samples in time order (ms UTC), as parallel arrays. */
export interface QuoteSeries {
  time: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
}

export interface SpreadStats {
  ok: true;
  weighting: 'event' | 'time';
  /** Samples used (time weighting: samples with a duration, i.e. all but the last). */
  n: number;
  /** Total time covered (ms), first to last sample. */
  spanMs: number;
  median: number;
  p90: number;
  mean: number;
  min: number;
  max: number;
}

export type SpreadResult = SpreadStats | { ok: false; reason: 'insufficient data'; count: number; needed: number };

export interface SpreadOptions {
  weighting?: 'event' | 'time';
  /** Fewest samples for an answer. Default 10. */
  minSamples?: number;
}

/** (ask − bid) / (2 · mid) · 1e4. */
export function halfSpreadBps(bid: number, ask: number): number {
  return ((ask - bid) / (ask + bid)) * 1e4;
}

/** Smallest value whose cumulative weight reaches `q` of the total (values sorted ascending, weights aligned). */
export function weightedQuantileSorted(values: ArrayLike<number>, weights: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  if (values.length === 0 || !(total > 0)) return NaN;
  const target = q * total;
  let cum = 0;
  for (let i = 0; i < values.length; i++) {
    cum += weights[i]!;
    if (cum >= target - total * 1e-12) return values[i]!;
  }
  return values[values.length - 1]!;
}

export function spreadDistribution(s: QuoteSeries, opts: SpreadOptions = {}): SpreadResult {
  const weighting = opts.weighting ?? 'time';
  const needed = Math.max(2, opts.minSamples ?? 10);
  const n = s.time.length;
  if (s.bid.length !== n || s.ask.length !== n) throw new RangeError(`time/bid/ask lengths differ (${n}, ${s.bid.length}, ${s.ask.length})`);
  if (n < needed) return { ok: false, reason: 'insufficient data', count: n, needed };
  const hs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = s.bid[i]!;
    const a = s.ask[i]!;
    if (!(b > 0 && a > b)) throw new RangeError(`sample ${i} at ${s.time[i]}: bid ${b} / ask ${a} is not a positive uncrossed quote`);
    if (i > 0 && s.time[i]! < s.time[i - 1]!) throw new RangeError(`sample ${i}: time goes backwards (${s.time[i - 1]} → ${s.time[i]})`);
    hs[i] = halfSpreadBps(b, a);
  }
  const spanMs = s.time[n - 1]! - s.time[0]!;
  if (weighting === 'event') {
    const sorted = Float64Array.from(hs).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += hs[i]!;
    return { ok: true, weighting, n, spanMs, median: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), mean: sum / n, min: sorted[0]!, max: sorted[n - 1]! };
  }
  if (!(spanMs > 0)) return { ok: false, reason: 'insufficient data', count: n, needed };
  const m = n - 1;
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => hs[x]! - hs[y]! || x - y);
  const values = new Float64Array(m);
  const weights = new Float64Array(m);
  let wsum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < m; k++) {
    const i = order[k]!;
    values[k] = hs[i]!;
    weights[k] = s.time[i + 1]! - s.time[i]!;
    wsum += weights[k]! * values[k]!;
    if (weights[k]! > 0) {
      min = Math.min(min, values[k]!);
      max = Math.max(max, values[k]!);
    }
  }
  return {
    ok: true,
    weighting,
    n: m,
    spanMs,
    median: weightedQuantileSorted(values, weights, 0.5),
    p90: weightedQuantileSorted(values, weights, 0.9),
    mean: wsum / spanMs,
    min,
    max,
  };
}
