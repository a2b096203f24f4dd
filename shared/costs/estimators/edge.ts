/**
 * EDGE — the efficient discrete generalized estimator of the bid-ask spread from open, high, low and close prices
 * (Ardia, Guidotti & Kroencke, "Efficient estimation of bid–ask spreads from open, high, low, and close prices",
 * Journal of Financial Economics 161 (2024) 103916).
 *
 * It combines the two moment conditions of the paper (its Eq. 8–9, in the de-meaned form of the final version)
 * with GMM-optimal weights (inverse variances) and corrects for the probability that a period has no price
 * movement. Written to the authors' reference implementation (`bidask`, R and Python, MIT), step for step:
 *
 *   o,h,l,c = logs;  m = (h+l)/2;  lagged h1,l1,c1,m1
 *   r1 = m−o, r2 = o−m1, r3 = m−c1, r4 = c1−m1, r5 = o−c1
 *   τ = 1{h≠l or l≠c1};  po = mean(τ·1{o≠h}) + mean(τ·1{o≠l});  pc = mean(τ·1{c1≠h1}) + mean(τ·1{c1≠l1})
 *   d_k = r_k − mean(r_k)/mean(τ)·τ  (k = 1, 3, 5)
 *   x1 = −4/po·d1·r2 − 4/pc·d3·r4;   x2 = −4/po·d1·r5 − 4/pc·d5·r4
 *   s² = (v2·e1 + v1·e2)/(v1+v2)  with e = mean(x), v = mean(x²) − e²   [(e1+e2)/2 when v1+v2 ≤ 0]
 *   s = √|s²|  (the reference's default, `sign = FALSE`); the signed root sign(s²)·√|s²| is returned beside it
 *
 * Missing values follow the Python reference: an indicator is missing when any price it compares is, and every
 * mean skips missing entries on its own (nanmean). Fewer than 3 candles or fewer than 2 periods with τ = 1 is
 * "insufficient data"; po = 0 or pc = 0 is "not identifiable".
 */
import { NanMean, refuse, toLogOhlc, type LogOhlc, type Ohlc, type SpreadResult } from './types';

export interface EdgeOptions {
  /**
   * What `spread` reports when s² < 0 (the data show less bounce than noise: the spread is below the estimator's
   * noise floor). `'abs'` (default): √|s²|, the reference's `sign = FALSE`; `'clip'`: 0. `signed` keeps the sign
   * either way — a cost model should treat a negative `signed` as "not measurable here", not as a cost.
   */
  negative?: 'abs' | 'clip';
}

const ind = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a !== b ? 1 : 0);

/** EDGE on rows [from, to) of already-validated log prices. */
export function edgeOnLogs(x: LogOhlc, from: number, to: number, opts: EdgeOptions = {}): SpreadResult {
  const n = to - from;
  if (n < 3) return refuse('edge', 'insufficient-data', Math.max(0, n), 3, `EDGE needs at least 3 candles, got ${n}`);
  const { o, h, l, c } = x;
  const mTau = new NanMean();
  const mPo1 = new NanMean();
  const mPo2 = new NanMean();
  const mPc1 = new NanMean();
  const mPc2 = new NanMean();
  const mR1 = new NanMean();
  const mR3 = new NanMean();
  const mR5 = new NanMean();
  let nt = 0;
  for (let t = from + 1; t < to; t++) {
    const ot = o[t]!, ht = h[t]!, lt = l[t]!, h1 = h[t - 1]!, l1 = l[t - 1]!, c1 = c[t - 1]!;
    const m = (ht + lt) / 2;
    const tau = Number.isNaN(ht) || Number.isNaN(lt) || Number.isNaN(c1) ? NaN : ht !== lt || lt !== c1 ? 1 : 0;
    if (tau === 1) nt++;
    mTau.add(tau);
    mPo1.add(tau * ind(ot, ht));
    mPo2.add(tau * ind(ot, lt));
    mPc1.add(tau * ind(c1, h1));
    mPc2.add(tau * ind(c1, l1));
    mR1.add(m - ot);
    mR3.add(m - c1);
    mR5.add(ot - c1);
  }
  if (nt < 2) {
    return refuse('edge', 'insufficient-data', nt, 2, `EDGE needs at least 2 periods with price movement (τ = 1), got ${nt} in ${n} candles`);
  }
  const pt = mTau.mean();
  const po = mPo1.mean() + mPo2.mean();
  const pc = mPc1.mean() + mPc2.mean();
  if (po === 0 || pc === 0 || !Number.isFinite(po) || !Number.isFinite(pc)) {
    return refuse('edge', 'not-identifiable', nt, 2, `EDGE not identifiable: open-side probability ${po}, close-side ${pc}`);
  }
  const k1 = mR1.mean() / pt;
  const k3 = mR3.mean() / pt;
  const k5 = mR5.mean() / pt;
  const a = -4 / po;
  const b = -4 / pc;
  const e1m = new NanMean();
  const e2m = new NanMean();
  const q1m = new NanMean();
  const q2m = new NanMean();
  for (let t = from + 1; t < to; t++) {
    const ot = o[t]!, ht = h[t]!, lt = l[t]!, h1 = h[t - 1]!, l1 = l[t - 1]!, c1 = c[t - 1]!;
    const m = (ht + lt) / 2;
    const m1 = (h1 + l1) / 2;
    const tau = Number.isNaN(ht) || Number.isNaN(lt) || Number.isNaN(c1) ? NaN : ht !== lt || lt !== c1 ? 1 : 0;
    const r2 = ot - m1;
    const r4 = c1 - m1;
    const r5 = ot - c1;
    const d1 = m - ot - k1 * tau;
    const d3 = m - c1 - k3 * tau;
    const d5 = r5 - k5 * tau;
    const x1 = a * d1 * r2 + b * d3 * r4;
    const x2 = a * d1 * r5 + b * d5 * r4;
    e1m.add(x1);
    e2m.add(x2);
    q1m.add(x1 * x1);
    q2m.add(x2 * x2);
  }
  const e1 = e1m.mean();
  const e2 = e2m.mean();
  const v1 = q1m.mean() - e1 * e1;
  const v2 = q2m.mean() - e2 * e2;
  const vt = v1 + v2;
  const s2 = vt > 0 ? (v2 * e1 + v1 * e2) / vt : (e1 + e2) / 2;
  if (!Number.isFinite(s2)) {
    return refuse('edge', 'insufficient-data', e1m.count, 2, `EDGE moments undefined: ${e1m.count} complete periods in ${n} candles`);
  }
  const root = Math.sqrt(Math.abs(s2));
  const signed = s2 < 0 ? -root : root;
  return { ok: true, estimator: 'edge', spread: s2 < 0 && opts.negative === 'clip' ? 0 : root, signed, n, pairs: e1m.count };
}

/**
 * EDGE spread estimate of the whole sample. Throws {@link SpreadEstimatorInputError} on malformed arrays; returns a
 * refusal (never a number) when the sample cannot identify a spread.
 */
export function edgeSpread(x: Ohlc, opts: EdgeOptions = {}): SpreadResult {
  const logs = toLogOhlc(x);
  return edgeOnLogs(logs, 0, logs.n, opts);
}
