/**
 * Data-snooping tests for the best of a family of strategies against a benchmark: White's Reality Check and
 * Hansen's test for Superior Predictive Ability (SPA), both on the stationary bootstrap.
 *
 * References:
 *   White, H. (2000), "A Reality Check for Data Snooping", Econometrica 68(5), 1097–1126: with relative
 *     performance d_{k,t} (strategy k minus benchmark, higher = better) and d̄_k its mean over n periods,
 *     V̄ = max_k √n·d̄_k, V̄*_b = max_k √n·(d̄*_{k,b} − d̄_k), p = #{b : V̄*_b > V̄} / B.
 *   Hansen, P. R. (2005), "A Test for Superior Predictive Ability", Journal of Business & Economic Statistics
 *     23(4), 365–380, §2–3: T = max(0, max_k √n·d̄_k / ω̂_k); T*_b = max(0, max_k √n·(d̄*_{k,b} − μ̂_k) / ω̂_k)
 *     with three recentring choices μ̂: lower μ̂ˡ = max(d̄_k, 0), consistent μ̂ᶜ = d̄_k·1{d̄_k ≥
 *     −√(ω̂²_k/n · 2 ln ln n)}, upper μ̂ᵘ = d̄_k; p = #{b : T*_b > T} / B, so p_lower ≤ p_consistent ≤ p_upper.
 *     ω̂²_k is the stationary-bootstrap variance of √n·d̄_k in closed form (Politis & Romano 1994, as in Hansen
 *     2005 §2.3 and arch's "asymptotic" studentization): γ̂_0 + 2 Σ_{i=1}^{n−1} κ(n,i)·γ̂_i with
 *     κ(n,i) = (1 − i/n)(1 − q)^i + (i/n)(1 − q)^{n−i}, q = 1 / block length (terms with κ < 1e-12 are dropped:
 *     their sum moves ω̂² by less than 1e-10 relative).
 *   Politis, D. N. & Romano, J. P. (1994), the stationary bootstrap (./resample.ts); the mean block length is
 *     given or chosen automatically as the mean over strategies of the Politis–White (2009-corrected) optimal
 *     stationary-bootstrap block length of d_k (./block-length.ts), and recorded in the result.
 *
 * Reference implementation: `arch.bootstrap.SPA` (bashtage/arch, arch/bootstrap/multiple_comparison.py) returns
 * `pvalues` = lower / consistent / upper. Its `compute` compares max_k(d̄*_k − μ̂_k) with max_k d̄_k — the
 * recentring and the consistent threshold use ω̂ but the statistic is not studentized and has no max(0, ·).
 * `studentize: false` reproduces exactly that; the default `studentize: true` is Hansen's T^SPA above. The bootstrap
 * draws one index sequence per replication for all strategies (keeping their cross-correlation), from
 * mulberry32(seed).
 */
import { z } from 'zod';
import { autocovariances } from './autocovariance';
import { optimalBlockLength } from './block-length';
import { InsufficientDataError, StatsInputError, assertFinite, matrixShape } from './errors';
import { firstIdenticalRow } from './identical-rows';
import { mulberry32 } from './prng';
import { meanNonZeros, runsBootstrap, sparseBootstrap, type BootstrapSetup, type Exceedances } from './spa-bootstrap';

export const MIN_SPA_OBSERVATIONS = 10;

export const spaOptionsSchema = z
  .object({
    reps: z.number().int().min(1).max(1_000_000).default(1000),
    seed: z.number().int(),
    /** Mean block length of the stationary bootstrap (≥ 1), or 'auto' (Politis–White). */
    blockLength: z.union([z.number().min(1).finite(), z.literal('auto')]).default('auto'),
    studentize: z.boolean().default(true),
  })
  .strict();
export type SpaOptions = z.input<typeof spaOptionsSchema>;

export interface SpaInput {
  /** Strategies × time, one value per period: returns (higher = better) or losses (lower = better). */
  series: ArrayLike<ArrayLike<number>>;
  kind: 'returns' | 'losses';
  /** The benchmark's returns / losses per period, or 'flat' (0 every period — stay out of the market). */
  benchmark?: ArrayLike<number> | 'flat';
}

export interface SpaResult {
  strategies: number;
  observations: number;
  reps: number;
  seed: number;
  blockLength: number;
  blockLengthSource: 'given' | 'politis-white';
  studentized: boolean;
  /** Mean relative performance d̄_k of each strategy against the benchmark (higher = better). */
  meanDifference: number[];
  /** ω̂_k, the long-run standard deviation of √n·d̄_k. */
  omega: number[];
  /** The strategy with the largest (studentized, if so) mean relative performance. */
  best: number;
  spa: {
    /** T^SPA (studentized) or max_k d̄_k (arch's unstudentized statistic). */
    statistic: number;
    pValues: { lower: number; consistent: number; upper: number };
  };
  realityCheck: { statistic: number; pValue: number };
}

/** Relative performance d (strategies × time, row-major): higher = better than the benchmark. */
function relativePerformance(input: SpaInput): { d: Float64Array; k: number; n: number; bench: ArrayLike<number> | null; sign: number } {
  const { rows: k, cols: n } = matrixShape(input.series, 'series');
  if (n < MIN_SPA_OBSERVATIONS) throw new InsufficientDataError('observations', n, MIN_SPA_OBSERVATIONS);
  const bench = input.benchmark === undefined || input.benchmark === 'flat' ? null : input.benchmark;
  if (bench) {
    if (bench.length !== n) throw new StatsInputError(`benchmark has ${bench.length} periods, the strategies ${n}`);
    assertFinite(bench, 'benchmark');
  }
  const d = new Float64Array(k * n);
  const sign = input.kind === 'returns' ? 1 : input.kind === 'losses' ? -1 : NaN;
  if (Number.isNaN(sign)) throw new StatsInputError(`kind must be 'returns' or 'losses', got ${String(input.kind)}`);
  for (let j = 0; j < k; j++) {
    const row = input.series[j]!;
    for (let t = 0; t < n; t++) d[j * n + t] = sign * (row[t]! - (bench ? bench[t]! : 0));
  }
  return { d, k, n, bench, sign };
}

/** Lags whose weight κ(n, i) is below this are dropped: |2κ·γ̂_i| ≤ 2κ·γ̂_0, so together they move ω̂² by < 1e-10 relative. */
const KAPPA_CUTOFF = 1e-12;

/** Hansen (2005) / Politis–Romano (1994) closed-form stationary-bootstrap variance of √n·mean. */
export function stationaryBootstrapVariance(demeaned: ArrayLike<number>, blockLength: number): number {
  const n = demeaned.length;
  const q = 1 / blockLength;
  const kappa = (i: number) => (1 - i / n) * (1 - q) ** i + (i / n) * (1 - q) ** (n - i);
  let head = 0;
  while (head + 1 < n && kappa(head + 1) >= KAPPA_CUTOFF) head++;
  let tail = n;
  while (tail - 1 > head && kappa(tail - 1) >= KAPPA_CUTOFF) tail--;
  // Lags 1..head and tail..n−1 carry weight; γ̂ of a lag i ≥ tail has only n − i terms.
  const g = autocovariances(demeaned, head);
  let v = g[0]!;
  for (let i = 1; i <= head; i++) v += 2 * kappa(i) * g[i]!;
  for (let i = Math.max(tail, head + 1); i < n; i++) {
    let s = 0;
    for (let t = 0; t + i < n; t++) s += demeaned[t]! * demeaned[t + i]!;
    v += (2 * kappa(i) * s) / n;
  }
  return v;
}

/** Test hooks: force a bootstrap path, observe which ran and how many comparisons it recomputed exactly. */
export interface SpaInternals {
  path?: 'runs' | 'sparse';
  onBootstrap?: (path: 'runs' | 'sparse', x: Exceedances) => void;
}

/**
 * White's Reality Check and Hansen's SPA for the best of `series` against the benchmark, with B stationary
 * bootstrap replications. Throws InsufficientDataError below 10 observations and StatsInputError for
 * mismatched shapes or non-finite values.
 */
export function superiorPredictiveAbility(input: SpaInput, options: SpaOptions, internal: SpaInternals = {}): SpaResult {
  const o = spaOptionsSchema.parse(options);
  const { d, k, n, bench, sign } = relativePerformance(input);

  const mean = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < n; t++) s += d[j * n + t]!;
    mean[j] = s / n;
  }

  // A constant difference (e.g. a strategy that never trades against the flat benchmark) has no variance and no
  // dependence to measure: ω̂ = 0 exactly, not a rounding residue.
  // Rows with the same bits (combos whose params change no trade) get the first such row's block length and ω̂:
  // the same numbers, computed once.
  const first = firstIdenticalRow(d, k, n);
  const constant = new Uint8Array(k);
  for (let j = 0; j < k; j++) {
    if (first[j] !== j) {
      constant[j] = constant[first[j]!]!;
      continue;
    }
    let varies = false;
    for (let t = 1; t < n && !varies; t++) if (d[j * n + t] !== d[j * n]) varies = true;
    constant[j] = varies ? 0 : 1;
  }
  let blockLength: number;
  if (o.blockLength === 'auto') {
    let sum = 0;
    let counted = 0;
    const own = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      if (constant[j]) continue;
      own[j] = first[j] === j ? optimalBlockLength(d.subarray(j * n, (j + 1) * n)).stationary : own[first[j]!]!;
      sum += own[j]!;
      counted++;
    }
    blockLength = counted > 0 ? sum / counted : 1;
  } else blockLength = o.blockLength;

  const omega = new Float64Array(k);
  const demeaned = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    if (constant[j]) {
      mean[j] = d[j * n]!;
      omega[j] = 0;
    } else if (first[j] !== j) omega[j] = omega[first[j]!]!;
    else {
      for (let t = 0; t < n; t++) demeaned[t] = d[j * n + t]! - mean[j]!;
      omega[j] = Math.sqrt(Math.max(0, stationaryBootstrapVariance(demeaned, blockLength)));
    }
    if (o.studentize && omega[j] === 0 && mean[j] !== 0)
      throw new StatsInputError(`strategy ${j} differs from the benchmark by a constant ${mean[j]}: its studentized statistic is infinite`);
  }

  const sqrtN = Math.sqrt(n);
  const scale = new Float64Array(k); // multiplier turning d̄*_k − μ̂_k into the statistic's unit
  for (let j = 0; j < k; j++) scale[j] = o.studentize ? (omega[j]! > 0 ? sqrtN / omega[j]! : 0) : 1;
  const threshold = Math.sqrt(2 * Math.log(Math.log(n)));
  const muL = new Float64Array(k);
  const muC = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    muL[j] = Math.max(mean[j]!, 0);
    muC[j] = mean[j]! >= (-omega[j]! / sqrtN) * threshold ? mean[j]! : 0;
  }
  let statistic = o.studentize ? 0 : -Infinity;
  let rcStatistic = -Infinity;
  let best = 0;
  for (let j = 0; j < k; j++) {
    const v = mean[j]! * scale[j]!;
    if (v > statistic) statistic = v;
    if (v > mean[best]! * scale[best]!) best = j;
    rcStatistic = Math.max(rcStatistic, sqrtN * mean[j]!);
  }

  const setup: BootstrapSetup = { d, k, n, blockLength, rng: mulberry32(o.seed), reps: o.reps, scale, muL, muC, mean, statistic, rcStatistic, series: input.series, bench, sign, first };
  // Same counts either way (./spa-bootstrap.ts); the sparse path wins when the series are mostly zero: about
  // nnz multiply-adds per strategy and replication against the runs path's ≈ n / blockLength run differences.
  const path = internal.path ?? (meanNonZeros(input.series) < n / blockLength ? 'sparse' : 'runs');
  const x = path === 'sparse' ? sparseBootstrap(setup) : runsBootstrap(setup);
  internal.onBootstrap?.(path, x);
  const exceedL = x.lower;
  const exceedC = x.consistent;
  const exceedU = x.upper;
  const exceedRc = x.rc;
  return {
    strategies: k,
    observations: n,
    reps: o.reps,
    seed: o.seed,
    blockLength,
    blockLengthSource: o.blockLength === 'auto' ? 'politis-white' : 'given',
    studentized: o.studentize,
    meanDifference: Array.from(mean),
    omega: Array.from(omega),
    best,
    spa: { statistic, pValues: { lower: exceedL / o.reps, consistent: exceedC / o.reps, upper: exceedU / o.reps } },
    realityCheck: { statistic: rcStatistic, pValue: exceedRc / o.reps },
  };
}
