/**
 * Statistics for judging an edge: moments, the normal CDF and its inverse, a seeded percentile bootstrap of the
 * mean, the probabilistic Sharpe ratio (PSR), the deflated Sharpe ratio (DSR) and the minimum track-record length
 * (MinTRL). All pure and deterministic (the bootstrap uses mulberry32, never Math.random).
 *
 * References:
 *   Bailey, D. H. & López de Prado, M. (2012), "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2):
 *     PSR(SR*) = Φ( (SR − SR*) · √(n − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4 · SR²) )
 *     MinTRL   = 1 + (1 − γ₃·SR + (γ₄ − 1)/4 · SR²) · (Φ⁻¹(p) / (SR − SR*))²
 *   Bailey, D. H. & López de Prado, M. (2014), "The Deflated Sharpe Ratio", Journal of Portfolio Management 40(5):
 *     SR₀ = √V · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) ),   DSR = PSR(SR₀)
 *   where SR is the NON-annualised Sharpe of the n observations (per trade here), γ₃ the skewness, γ₄ the
 *   (non-excess) kurtosis (3 for a normal), N the number of independent trials, V the variance of the trials'
 *   Sharpe ratios and γ ≈ 0.5772 the Euler–Mascheroni constant (SR₀ approximates E[max of N standard normal
 *   Sharpes] scaled by √V).
 */
import { mulberry32 } from './prng';

export const EULER_MASCHERONI = 0.5772156649015329;

export interface Moments {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
  /** Skewness γ₃ = m₃ / m₂^{3/2} (population moments, as in Bailey & López de Prado). */
  skew: number;
  /** Kurtosis γ₄ = m₄ / m₂² (non-excess: 3 for a normal distribution). */
  kurtosis: number;
}

/** Mean, sd, skewness and kurtosis; null with fewer than 2 values or zero variance. */
export function moments(xs: ArrayLike<number>): Moments | null {
  const n = xs.length;
  if (n < 2) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  if (!(m2 > 0)) return null;
  const sd = Math.sqrt(m2 / (n - 1));
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { n, mean, sd, skew: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

/**
 * Standard normal CDF Φ(x), double precision (Hart 1968 rational approximation as given by G. West, "Better
 * approximations to cumulative normal functions", 2005; absolute error ≈ 1e-14).
 */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let c: number;
  if (a > 37) c = 0;
  else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let b = 3.52624965998911e-2 * a + 0.700383064443688;
      b = b * a + 6.37396220353165;
      b = b * a + 33.912866078383;
      b = b * a + 112.079291497871;
      b = b * a + 221.213596169931;
      b = b * a + 220.206867912376;
      c = e * b;
      b = 8.83883476483184e-2 * a + 1.75566716318264;
      b = b * a + 16.064177579207;
      b = b * a + 86.7807322029461;
      b = b * a + 296.564248779674;
      b = b * a + 637.333633378831;
      b = b * a + 793.826512519948;
      b = b * a + 440.413735824752;
      c /= b;
    } else {
      let b = a + 0.65;
      b = a + 4 / b;
      b = a + 3 / b;
      b = a + 2 / b;
      b = a + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Inverse standard normal CDF Φ⁻¹(p) (Acklam's algorithm plus one Halley step; −∞ at 0, +∞ at 1). */
export function normInv(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) / (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  }
  // One Halley refinement against the double-precision CDF.
  const e = normCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface BootstrapCi {
  n: number;
  mean: number;
  lo: number;
  hi: number;
  confidence: number;
  resamples: number;
  seed: number;
}

/**
 * Percentile-bootstrap confidence interval of the mean: draw `resamples` samples of size n with replacement
 * (indices from mulberry32(seed)), take each sample's mean, and report the (1−c)/2 and (1+c)/2 quantiles of those
 * means (type-7 interpolation). Defaults: 2,000 resamples, 90 % confidence, seed 1. Null without values.
 */
export function bootstrapMeanCi(values: ArrayLike<number>, opts: { resamples?: number; confidence?: number; seed?: number } = {}): BootstrapCi | null {
  const n = values.length;
  if (n === 0) return null;
  const resamples = opts.resamples ?? 2000;
  const confidence = opts.confidence ?? 0.9;
  const seed = opts.seed ?? 1;
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const rng = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(0, n)]!;
    means[b] = s / n;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  return { n, mean: sum / n, lo: quantileSorted(means, alpha), hi: quantileSorted(means, 1 - alpha), confidence, resamples, seed };
}

/** Non-annualised Sharpe statistics of a return series, the input of PSR / DSR / MinTRL. */
export interface SharpeInput {
  /** Sharpe ratio per observation (mean / sd, not annualised). */
  sr: number;
  /** Number of observations (trades or periods). */
  n: number;
  /** Skewness γ₃ (0 for a normal). */
  skew?: number;
  /** Kurtosis γ₄, non-excess (3 for a normal). */
  kurtosis?: number;
}

/** SharpeInput of a return series (null with < 2 values or zero variance). */
export function sharpeInput(returns: ArrayLike<number>): Required<SharpeInput> | null {
  const m = moments(returns);
  if (!m) return null;
  return { sr: m.mean / m.sd, n: m.n, skew: m.skew, kurtosis: m.kurtosis };
}

/** Standard error of the Sharpe estimate: √((1 − γ₃·SR + (γ₄ − 1)/4·SR²) / (n − 1)). */
export function sharpeStdError(s: SharpeInput): number {
  const g3 = s.skew ?? 0;
  const g4 = s.kurtosis ?? 3;
  const v = 1 - g3 * s.sr + ((g4 - 1) / 4) * s.sr * s.sr;
  return Math.sqrt(Math.max(v, 1e-12) / (s.n - 1));
}

/**
 * Probabilistic Sharpe ratio: the probability that the true Sharpe exceeds `benchmarkSr` given the estimate, its
 * sample length and the returns' skewness and kurtosis (Bailey & López de Prado 2012, formula in the module
 * header). SR = 0 against a benchmark of 0 gives exactly 0.5. Null with n < 2.
 */
export function probabilisticSharpe(s: SharpeInput, benchmarkSr = 0): number | null {
  if (!(s.n >= 2) || !Number.isFinite(s.sr)) return null;
  return normCdf((s.sr - benchmarkSr) / sharpeStdError(s));
}

/**
 * Expected maximum Sharpe ratio of N independent skill-less trials whose Sharpe estimates have variance V
 * (Bailey & López de Prado 2014, via the Euler–Mascheroni approximation of the expected maximum of N standard
 * normals): √V·((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))). 0 for N ≤ 1 (a single trial is not a selection).
 */
export function expectedMaxSharpe(trials: number, trialSharpeVariance: number): number {
  if (!(trials > 1)) return 0;
  const g = EULER_MASCHERONI;
  return Math.sqrt(Math.max(0, trialSharpeVariance)) * ((1 - g) * normInv(1 - 1 / trials) + g * normInv(1 - 1 / (trials * Math.E)));
}

export interface DeflatedSharpe {
  dsr: number;
  /** The deflated benchmark SR₀ = expected max Sharpe under the null. */
  benchmarkSr: number;
  trials: number;
  trialSharpeVariance: number;
  /** Where V came from: the sweep's trials, or the null-hypothesis fallback 1/(n − 1). */
  varianceSource: 'trials' | 'null-fallback';
}

/**
 * Deflated Sharpe ratio: PSR against SR₀ = expectedMaxSharpe(N, V). V is the variance of the per-observation
 * Sharpe ratios of the N trials (e.g. a sweep's `trials.tradeSharpeVariance`); without it, the variance of a
 * Sharpe estimate under the null for normal returns, 1/(n − 1), is used (`varianceSource: 'null-fallback'`). For
 * fixed V, DSR falls as N grows (SR₀ rises). Null with n < 2.
 */
export function deflatedSharpe(s: SharpeInput, trials: number, trialSharpeVariance?: number | null): DeflatedSharpe | null {
  if (!(s.n >= 2) || !Number.isFinite(s.sr)) return null;
  const fromTrials = trialSharpeVariance !== undefined && trialSharpeVariance !== null && Number.isFinite(trialSharpeVariance);
  const v = fromTrials ? trialSharpeVariance : 1 / (s.n - 1);
  const n = Math.max(1, Math.floor(trials));
  const sr0 = expectedMaxSharpe(n, v);
  return { dsr: probabilisticSharpe(s, sr0)!, benchmarkSr: sr0, trials: n, trialSharpeVariance: v, varianceSource: fromTrials ? 'trials' : 'null-fallback' };
}

/**
 * Minimum track-record length: observations needed for PSR(benchmarkSr) ≥ `confidence` at the observed SR,
 * skewness and kurtosis (Bailey & López de Prado 2012). Null when SR ≤ benchmark (no length suffices).
 */
export function minTrackRecordLength(s: Omit<SharpeInput, 'n'>, benchmarkSr = 0, confidence = 0.95): number | null {
  if (!(s.sr > benchmarkSr)) return null;
  const g3 = s.skew ?? 0;
  const g4 = s.kurtosis ?? 3;
  const v = 1 - g3 * s.sr + ((g4 - 1) / 4) * s.sr * s.sr;
  return 1 + Math.max(v, 1e-12) * (normInv(confidence) / (s.sr - benchmarkSr)) ** 2;
}
