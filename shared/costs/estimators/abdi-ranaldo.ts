/**
 * Abdi–Ranaldo close-high-low spread estimator (Abdi & Ranaldo, "A Simple Estimation of Bid-Ask Spreads from
 * Daily Close, High, and Low Prices", Review of Financial Studies 30(12), 2017, 4437–4480).
 *
 * With log prices and the mid-range η_t = (h_t + l_t)/2, paper Eq. (7)–(8):
 *   s² = 4 · E[(c_{t−1} − η_{t−1})(c_{t−1} − η_t)]
 *   S  = √max(s², 0)                       (`negative: 'clip-mean'`, the paper's Eq. 8)
 * and the paper's two-day corrected version (its §2 footnote; `bidask` AR2), `negative: 'clip-pairs'`:
 *   S  = mean over t of √max(4 (c_{t−1} − η_{t−1})(c_{t−1} − η_t), 0).
 * `'abs-mean'` (√|s²|) is what `bidask`'s `spread(method = "AR")` reports. `signed` is sign(s²)·√|s²|.
 * Missing values: a pair with any missing price is skipped.
 */
import { NanMean, refuse, toLogOhlc, type LogOhlc, type Ohlc, type SpreadResult } from './types';

export type ArNegativeRule = 'clip-mean' | 'clip-pairs' | 'abs-mean';

export interface AbdiRanaldoOptions {
  /** Default `'clip-mean'` (paper Eq. 8). */
  negative?: ArNegativeRule;
}

/** Abdi–Ranaldo on rows [from, to) of already-validated log prices. */
export function abdiRanaldoOnLogs(x: LogOhlc, from: number, to: number, opts: AbdiRanaldoOptions = {}): SpreadResult {
  const rule = opts.negative ?? 'clip-mean';
  const n = Math.max(0, to - from);
  const sq = new NanMean();
  const roots = new NanMean();
  for (let t = from + 1; t < to; t++) {
    const c1 = x.c[t - 1]!;
    const eta1 = (x.h[t - 1]! + x.l[t - 1]!) / 2;
    const eta = (x.h[t]! + x.l[t]!) / 2;
    const s2 = 4 * (c1 - eta1) * (c1 - eta);
    sq.add(s2);
    roots.add(Number.isNaN(s2) ? NaN : Math.sqrt(Math.max(0, s2)));
  }
  if (sq.count < 1) {
    return refuse('abdi-ranaldo', 'insufficient-data', sq.count, 1, `Abdi–Ranaldo needs at least 1 pair of complete consecutive candles, got ${sq.count} in ${n} candles`);
  }
  const m = sq.mean();
  const root = Math.sqrt(Math.abs(m));
  const signed = m < 0 ? -root : root;
  const spread = rule === 'clip-pairs' ? roots.mean() : rule === 'clip-mean' ? Math.max(0, signed) : root;
  return { ok: true, estimator: 'abdi-ranaldo', spread, signed, n, pairs: sq.count };
}

/** Abdi–Ranaldo spread of the whole sample. */
export function abdiRanaldoSpread(x: Ohlc, opts: AbdiRanaldoOptions = {}): SpreadResult {
  const logs = toLogOhlc(x);
  return abdiRanaldoOnLogs(logs, 0, logs.n, opts);
}
