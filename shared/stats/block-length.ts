/**
 * Automatic block length for block bootstraps of a dependent series.
 *
 * References: Politis, D. N. & White, H. (2004), "Automatic Block-Length Selection for the Dependent Bootstrap",
 * Econometric Reviews 23(1), 53–70, with the correction of Patton, A., Politis, D. N. & White, H. (2009),
 * Econometric Reviews 28(4), 372–375 (the circular-bootstrap constant D_CB). The optimal mean block length is
 *   b_SB = (2·Ĝ² / D̂_SB)^{1/3} · n^{1/3}   (stationary bootstrap),   D̂_SB = 2·ĝ(0)²
 *   b_CB = (2·Ĝ² / D̂_CB)^{1/3} · n^{1/3}   (circular / moving block), D̂_CB = (4/3)·ĝ(0)²
 *   Ĝ = Σ_{|k|≤M} λ(k/M)·|k|·R̂(k),   ĝ(0) = Σ_{|k|≤M} λ(k/M)·R̂(k),
 * with R̂(k) = n⁻¹ Σ_t (x_t − x̄)(x_{t+k} − x̄) the biased autocovariance, λ the flat-top kernel (1 on |t| ≤ ½,
 * 2(1 − |t|) on ½ < |t| ≤ 1) and M = 2·m̂, where m̂ is the first lag after which K_N = max(5, ⌊log10 n⌋)
 * consecutive autocorrelations are all below 2·√(log10(n)/n); M ≤ m_max = ⌈√n⌉ + K_N; b ≤ ⌈min(3√n, n/3)⌉.
 * The steps follow the reference implementation `arch.bootstrap.optimal_block_length` (bashtage/arch,
 * arch/bootstrap/base.py, `_single_optimal_block`) line for line, including its normalisation of the
 * autocorrelations, so results can be compared with it; the one addition is a floor of 1 on b (arch can return
 * less than one observation per block when no dependence is detected).
 */
import { InsufficientDataError, StatsInputError, assertFinite } from './errors';

export interface BlockLength {
  /** Optimal mean block length of the stationary bootstrap (Politis & Romano 1994). */
  stationary: number;
  /** Optimal block length of the circular / moving-block bootstrap. */
  circular: number;
  /** The bandwidth M used in the flat-top kernel. */
  bandwidth: number;
}

/** The flat-top (trapezoid) kernel of Politis & White (2004). */
export function flatTopKernel(t: number): number {
  const a = Math.abs(t);
  return a <= 0.5 ? 1 : a <= 1 ? 2 * (1 - a) : 0;
}

/** Minimum observations for the automatic block length. */
export const MIN_BLOCK_LENGTH_OBSERVATIONS = 9;

/**
 * Politis–White (2009-corrected) optimal block lengths of a series. Throws InsufficientDataError below 9
 * observations and StatsInputError for a constant series (its block length is undefined).
 */
export function optimalBlockLength(xs: ArrayLike<number>): BlockLength {
  const n = xs.length;
  if (n < MIN_BLOCK_LENGTH_OBSERVATIONS) throw new InsufficientDataError('observations for the block length', n, MIN_BLOCK_LENGTH_OBSERVATIONS);
  assertFinite(xs, 'series');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i]!;
  mean /= n;
  const eps = new Float64Array(n);
  for (let i = 0; i < n; i++) eps[i] = xs[i]! - mean;
  const bMax = Math.ceil(Math.min(3 * Math.sqrt(n), n / 3));
  const kn = Math.max(5, Math.floor(Math.log10(n)));
  const mMax = Math.ceil(Math.sqrt(n)) + kn;
  const cv = 2 * Math.sqrt(Math.log10(n) / n);
  const lags = Math.min(mMax, n - 2);
  const acv = new Float64Array(lags + 1);
  const absAcorr = new Float64Array(lags + 1);
  // Σ eps² over prefixes/suffixes, for arch's normalisation v1 = Σ_{t>i} eps_t², v2 = Σ_{t<n−i−1} eps_t².
  const prefixSq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefixSq[i + 1] = prefixSq[i]! + eps[i]! * eps[i]!;
  if (!(prefixSq[n]! > 0)) throw new StatsInputError('the series is constant: its block length is undefined');
  let optM: number | null = null;
  for (let i = 0; i <= lags; i++) {
    // Lags beyond the bandwidth M = 2·max(m̂, 1) are never used once m̂ is known: stop there (same result).
    if (optM !== null && i > 2 * Math.max(optM, 1)) break;
    let cross = 0;
    for (let t = i; t < n; t++) cross += eps[t]! * eps[t - i]!;
    const v1 = prefixSq[n]! - prefixSq[i + 1]!;
    const v2 = prefixSq[n - i - 1]!;
    acv[i] = cross / n;
    absAcorr[i] = v1 > 0 && v2 > 0 ? Math.abs(cross) / Math.sqrt(v1 * v2) : 0;
    if (i >= kn && optM === null) {
      let all = true;
      for (let j = i - kn; j < i; j++) if (!(absAcorr[j]! < cv)) all = false;
      if (all) optM = i - kn;
    }
  }
  let m = optM !== null ? 2 * Math.max(optM, 1) : mMax;
  m = Math.min(m, lags);
  let g = 0;
  let lr = acv[0]!;
  for (let k = 1; k <= m; k++) {
    const lam = flatTopKernel(k / m);
    g += 2 * lam * k * acv[k]!;
    lr += 2 * lam * acv[k]!;
  }
  const base = 2 * g * g;
  const n3 = Math.cbrt(n);
  const bSb = Math.cbrt(base / (2 * lr * lr)) * n3;
  const bCb = Math.cbrt(base / ((4 / 3) * lr * lr)) * n3;
  // A zero Ĝ (no detectable dependence) gives 0: the bootstrap then needs blocks of at least one observation.
  return { stationary: Math.min(Math.max(bSb, 1), bMax), circular: Math.min(Math.max(bCb, 1), bMax), bandwidth: m };
}
