/**
 * Rolling EDGE in O(n): the moment formulation of the `bidask` reference's rolling estimator (R `EDGE()` /
 * Python `edge_rolling`, Ardia, Guidotti & Kroencke, JFE 2024). The estimator's means over a window are expanded
 * into 34 window means of per-pair products (E[r1·r2], E[τ·r2], E[r1²·r2²], …), kept as sliding sums, so a trailing
 * window costs O(1) per step instead of O(window). Use it for dense windows (e.g. a trailing day every hour over a
 * year of minutes); {@link rollingSpread} is the exact per-window one.
 *
 * Agreement: each window equals the single-shot {@link edgeSpread} on the slice up to floating-point rounding (the
 * reference tests its rolling version against `edge()` to 1e-8; ours is held to 1e-9 relative). A window holding
 * a missing value is computed by the single-shot estimator itself: the moment form with per-column missing values
 * (R's `na.rm = TRUE`) drifts far from it (a median 12 bps on the reference's 1 %-spread `ohlc-miss.csv`, windows of
 * 100), so it is not used there.
 */
import { ROLLING_INSUFFICIENT, ROLLING_NOT_IDENTIFIABLE, type RollingOptions, type RollingSpread } from './rolling';
import { edgeOnLogs } from './edge';
import { SpreadEstimatorInputError, toLogOhlc, type LogOhlc, type Ohlc } from './types';

const K = 34;
/** Windows up to this many candles are computed exactly, window by window. */
export const SHORT_WINDOW = 64;

const ind = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a !== b ? 1 : 0);

/** The 34 per-pair columns of the reference's rolling EDGE for pair (t−1, t), written into `out` (1-based names − 1). */
function pairColumns(x: LogOhlc, t: number, out: Float64Array): void {
  const o = x.o[t]!, h = x.h[t]!, l = x.l[t]!, h1 = x.h[t - 1]!, l1 = x.l[t - 1]!, c1 = x.c[t - 1]!;
  const m = (h + l) / 2;
  const m1 = (h1 + l1) / 2;
  const r1 = m - o, r2 = o - m1, r3 = m - c1, r4 = c1 - m1, r5 = o - c1;
  const tau = Number.isNaN(h) || Number.isNaN(l) || Number.isNaN(c1) ? NaN : h !== l || l !== c1 ? 1 : 0;
  const r12 = r1 * r2, r15 = r1 * r5, r34 = r3 * r4, r45 = r4 * r5;
  const tr1 = tau * r1, tr2 = tau * r2, tr4 = tau * r4, tr5 = tau * r5;
  out[0] = r12;
  out[1] = r34;
  out[2] = r15;
  out[3] = r45;
  out[4] = tau;
  out[5] = r1;
  out[6] = tr2;
  out[7] = r3;
  out[8] = tr4;
  out[9] = r5;
  out[10] = r12 * r12;
  out[11] = r34 * r34;
  out[12] = r15 * r15;
  out[13] = r45 * r45;
  out[14] = r12 * r34;
  out[15] = r15 * r45;
  out[16] = tr2 * r2;
  out[17] = tr4 * r4;
  out[18] = tr5 * r5;
  out[19] = tr2 * r12;
  out[20] = tr4 * r34;
  out[21] = tr5 * r15;
  out[22] = tr4 * r45;
  out[23] = tr4 * r12;
  out[24] = tr2 * r34;
  out[25] = tr2 * r4;
  out[26] = tr1 * r45;
  out[27] = tr5 * r45;
  out[28] = tr4 * r5;
  out[29] = tr5;
  out[30] = tau * ind(o, h);
  out[31] = tau * ind(o, l);
  out[32] = tau * ind(c1, h1);
  out[33] = tau * ind(c1, l1);
}

/** EDGE over every `step`-th window of `window` candles, by sliding moment sums. Same output shape as {@link rollingSpread}. */
export function edgeRolling(x: Ohlc, opts: RollingOptions): RollingSpread {
  const { window } = opts;
  const step = opts.step ?? 1;
  if (!Number.isInteger(window) || window < 3) throw new SpreadEstimatorInputError(`edge rolling window must be an integer ≥ 3 candles, got ${window}`);
  if (!Number.isInteger(step) || step < 1) throw new SpreadEstimatorInputError(`rolling step must be an integer ≥ 1, got ${step}`);
  const logs = toLogOhlc(x);
  const n = logs.n;
  // Short windows gain nothing from sliding sums and lose digits to the moment form's cancellation (≈ 1e-8 at
  // window 3): they are computed window by window.
  const exactOnly = window <= SHORT_WINDOW;
  const count = n < window ? 0 : Math.floor((n - window) / step) + 1;
  const out: RollingSpread = {
    estimator: 'edge',
    window,
    step,
    end: new Int32Array(count),
    spread: new Float64Array(count),
    signed: new Float64Array(count),
    pairs: new Int32Array(count),
    status: new Uint8Array(count),
    refused: 0,
  };
  const sum = new Float64Array(K);
  const cnt = new Int32Array(K);
  const col = new Float64Array(K);
  const m = new Float64Array(K);
  let nt = 0;
  let incomplete = 0; // pairs in the window with a missing column
  const pairsPerWindow = window - 1;
  // Sliding sums drift by rounding; rebuilding them from scratch every `rebuildEvery` steps bounds the drift.
  const rebuildEvery = Math.max(8 * pairsPerWindow, 4096);
  let sinceRebuild = 0;
  const apply = (t: number, sign: 1 | -1): void => {
    pairColumns(logs, t, col);
    let missing = false;
    for (let k = 0; k < K; k++) {
      const v = col[k]!;
      if (Number.isNaN(v)) {
        missing = true;
        continue;
      }
      sum[k] += sign * v;
      cnt[k] += sign;
    }
    if (missing) incomplete += sign;
    if (col[4] === 1) nt += sign;
  };
  let next = 0; // index of the next window to emit
  for (let t = 1; t < n && next < count; t++) {
    if (!exactOnly) {
      apply(t, 1);
      if (t - pairsPerWindow >= 1) apply(t - pairsPerWindow, -1);
    }
    if (!exactOnly && ++sinceRebuild >= rebuildEvery) {
      sum.fill(0);
      cnt.fill(0);
      nt = 0;
      incomplete = 0;
      for (let u = Math.max(1, t - pairsPerWindow + 1); u <= t; u++) apply(u, 1);
      sinceRebuild = 0;
    }
    const end = window - 1 + next * step;
    if (t !== end) continue;
    const i = next++;
    out.end[i] = end;
    if (exactOnly || incomplete > 0) {
      const r = edgeOnLogs(logs, end - window + 1, end + 1);
      if (r.ok) {
        out.spread[i] = r.spread;
        out.signed[i] = r.signed;
        out.pairs[i] = r.pairs;
      } else {
        out.spread[i] = NaN;
        out.signed[i] = NaN;
        out.pairs[i] = r.count;
        out.status[i] = r.reason === 'insufficient-data' ? ROLLING_INSUFFICIENT : ROLLING_NOT_IDENTIFIABLE;
        out.refused++;
      }
      continue;
    }
    for (let k = 0; k < K; k++) m[k] = cnt[k] === 0 ? NaN : sum[k]! / cnt[k]!;
    const pt = m[4]!;
    const po = m[30]! + m[31]!;
    const pc = m[32]! + m[33]!;
    if (nt < 2 || po === 0 || pc === 0 || !Number.isFinite(po) || !Number.isFinite(pc)) {
      out.spread[i] = NaN;
      out.signed[i] = NaN;
      out.pairs[i] = nt;
      out.status[i] = nt < 2 ? ROLLING_INSUFFICIENT : ROLLING_NOT_IDENTIFIABLE;
      out.refused++;
      continue;
    }
    const a1 = -4 / po;
    const a2 = -4 / pc;
    const a3 = m[5]! / pt;
    const a4 = m[8]! / pt;
    const a5 = m[7]! / pt;
    const a6 = m[9]! / pt;
    const a12 = 2 * a1 * a2;
    const a11 = a1 * a1;
    const a22 = a2 * a2;
    const e1 = a1 * (m[0]! - a3 * m[6]!) + a2 * (m[1]! - a4 * m[7]!);
    const e2 = a1 * (m[2]! - a3 * m[29]!) + a2 * (m[3]! - a4 * m[9]!);
    const v1 =
      -e1 * e1 +
      a11 * (m[10]! - 2 * a3 * m[19]! + a3 * a3 * m[16]!) +
      a22 * (m[11]! - 2 * a5 * m[20]! + a5 * a5 * m[17]!) +
      a12 * (m[14]! - a3 * m[24]! - a5 * m[23]! + a3 * a5 * m[25]!);
    const v2 =
      -e2 * e2 +
      a11 * (m[12]! - 2 * a3 * m[21]! + a3 * a3 * m[18]!) +
      a22 * (m[13]! - 2 * a6 * m[22]! + a6 * a6 * m[17]!) +
      a12 * (m[15]! - a3 * m[27]! - a6 * m[26]! + a3 * a6 * m[28]!);
    const vt = v1 + v2;
    const s2 = vt > 0 ? (v2 * e1 + v1 * e2) / vt : (e1 + e2) / 2;
    if (!Number.isFinite(s2)) {
      out.spread[i] = NaN;
      out.signed[i] = NaN;
      out.pairs[i] = cnt[0]!;
      out.status[i] = ROLLING_INSUFFICIENT;
      out.refused++;
      continue;
    }
    const root = Math.sqrt(Math.abs(s2));
    out.spread[i] = root;
    out.signed[i] = s2 < 0 ? -root : root;
    out.pairs[i] = cnt[0]!;
  }
  return out;
}
