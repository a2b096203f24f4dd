/**
 * Corwin–Schultz high-low spread estimator (Corwin & Schultz, "A Simple Way to Estimate Bid-Ask Spreads from Daily
 * High and Low Prices", Journal of Finance 67(2), 2012, 719–760).
 *
 * For each pair of consecutive candles t−1, t (log prices, paper Eq. 14, 18–21):
 *   β = (h_t − l_t)² + (h_{t−1} − l_{t−1})²
 *   γ = (max(h_t, h_{t−1}) − min(l_t, l_{t−1}))²
 *   α = (√(2β) − √β)/(3 − 2√2) − √(γ/(3 − 2√2))
 *   S = 2(e^α − 1)/(1 + e^α)
 *
 * Overnight (gap) adjustment, paper §II.B — optional, on by default: when candle t's low is above the previous
 * close, both its high and low are shifted down by the gap; when its high is below the previous close, both are
 * shifted up (the reference's GAP = max(0, c_{t−1} − h_t) + min(0, c_{t−1} − l_t)). It matters for data with
 * session gaps (equities); on 24/7 crypto minute bars the open usually equals the previous close, so it is inert.
 *
 * Negative two-day estimates (noise exceeding the spread) — the handling is explicit, `negative`:
 *   - `'clip-pairs'` (default; the paper's main results, its "negative two-day spreads set to zero"; `bidask` CS2):
 *     each S < 0 becomes 0 before averaging;
 *   - `'clip-mean'`: average the raw S, then floor the mean at 0 (the paper's alternative);
 *   - `'abs-mean'`: |mean of raw S|, which is what `bidask`'s `spread(method = "CS")` reports.
 * `signed` always carries the plain mean of the raw two-day estimates.
 */
import { NanMean, refuse, toLogOhlc, type LogOhlc, type Ohlc, type SpreadResult } from './types';

export type CsNegativeRule = 'clip-pairs' | 'clip-mean' | 'abs-mean';

export interface CorwinSchultzOptions {
  /** Default true (paper §II.B). */
  overnightAdjustment?: boolean;
  /** Default `'clip-pairs'`. */
  negative?: CsNegativeRule;
}

const K = 3 - 2 * Math.SQRT2;

/** Two-day Corwin–Schultz estimate from log prices of candles t−1 (h1, l1, c1) and t (h, l); NaN if any missing. */
export function csTwoDay(h1: number, l1: number, c1: number, h: number, l: number, overnight: boolean): number {
  let hh = h;
  let ll = l;
  if (overnight) {
    const gap = Math.max(0, c1 - h) + Math.min(0, c1 - l);
    hh += gap;
    ll += gap;
  }
  const beta = (h - l) * (h - l) + (h1 - l1) * (h1 - l1);
  const range = Math.max(hh, h1) - Math.min(ll, l1);
  const gamma = range * range;
  const alpha = (Math.sqrt(2 * beta) - Math.sqrt(beta)) / K - Math.sqrt(gamma / K);
  const e = Math.exp(alpha);
  return (2 * (e - 1)) / (1 + e);
}

/** Corwin–Schultz on rows [from, to) of already-validated log prices. */
export function corwinSchultzOnLogs(x: LogOhlc, from: number, to: number, opts: CorwinSchultzOptions = {}): SpreadResult {
  const overnight = opts.overnightAdjustment ?? true;
  const rule = opts.negative ?? 'clip-pairs';
  const n = Math.max(0, to - from);
  const raw = new NanMean();
  const clipped = new NanMean();
  for (let t = from + 1; t < to; t++) {
    const s = csTwoDay(x.h[t - 1]!, x.l[t - 1]!, overnight ? x.c[t - 1]! : 0, x.h[t]!, x.l[t]!, overnight);
    raw.add(s);
    clipped.add(s < 0 ? 0 : s);
  }
  if (raw.count < 1) {
    return refuse('corwin-schultz', 'insufficient-data', raw.count, 1, `Corwin–Schultz needs at least 1 pair of complete consecutive candles, got ${raw.count} in ${n} candles`);
  }
  const signed = raw.mean();
  const spread = rule === 'clip-pairs' ? clipped.mean() : rule === 'clip-mean' ? Math.max(0, signed) : Math.abs(signed);
  return { ok: true, estimator: 'corwin-schultz', spread, signed, n, pairs: raw.count };
}

/** Corwin–Schultz spread of the whole sample (mean over its two-day estimates). */
export function corwinSchultzSpread(x: Ohlc, opts: CorwinSchultzOptions = {}): SpreadResult {
  const logs = toLogOhlc(x);
  return corwinSchultzOnLogs(logs, 0, logs.n, opts);
}
