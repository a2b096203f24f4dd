/**
 * The bootstrap loop of `superiorPredictiveAbility` (./spa.ts): B stationary-bootstrap replications, one index
 * sequence per replication shared by all strategies, counting the replications whose maximum exceeds the
 * observed statistic (SPA lower / consistent / upper, Reality Check).
 *
 * The defining arithmetic (the "runs" path) is fixed: a replication is a run of contiguous index blocks, and a
 * strategy's resampled sum is Σ over runs, in run order, of P[end] − P[start], P the prefix sums of its relative
 * performance d. The "sparse" path returns the same four counts faster when the strategies' own series are mostly
 * zero (a sweep's daily returns: a combo exits on a few dozen of ~2,000 days): per replication it counts how often
 * each period was drawn (c_t) and approximates the sum as sign·(Σ_{t: x_t ≠ 0} c_t·x_t − Σ_t c_t·bench_t), with a
 * rigorous bound E on the distance between that approximation and the runs path's floating-point sum (standard
 * recursive-summation error bounds, Higham 2002 §4.2, doubled). Every statistic is a monotone function of the sum
 * in floating point (division by n, subtraction of a constant, multiplication by a non-negative scale), so a
 * comparison decided at both ends of [S − E, S + E] is the runs path's comparison; the rare undecided one is
 * recomputed with the runs path's arithmetic exactly. The counts — and so the p-values — are identical; only the
 * work differs.
 */
import { stationaryBootstrapIndices } from './resample';
import type { Prng } from './prng';

export interface BootstrapSetup {
  /** Relative performance, strategies × time, row-major. */
  d: Float64Array;
  k: number;
  n: number;
  blockLength: number;
  rng: Prng;
  reps: number;
  /** Per strategy: multiplier into the statistic's unit, recentring means, mean d̄. */
  scale: Float64Array;
  muL: Float64Array;
  muC: Float64Array;
  mean: Float64Array;
  /** Observed SPA statistic (≥ 0 when studentized) and Reality Check statistic. */
  statistic: number;
  rcStatistic: number;
  /** The strategies' own series and the benchmark (null = flat) d was built from: d = sign·(x − bench). */
  series: ArrayLike<ArrayLike<number>>;
  bench: ArrayLike<number> | null;
  sign: number;
  /** Per strategy, the first strategy with a bit-identical d row (./identical-rows.ts): its statistics are the same. */
  first?: Int32Array;
}

export interface Exceedances {
  lower: number;
  consistent: number;
  upper: number;
  rc: number;
  /** Sparse path only: (replication, strategy) pairs the error bound left undecided, recomputed exactly. */
  exactRecomputes: number;
}

const BATCH = 16;

/** Splits a replication's indices into contiguous runs [start, end) (idx[t] + 1 = idx[t + 1] inside a run). */
function runsOf(idx: Int32Array, n: number, runStart: Int32Array, runEnd: Int32Array, off: number): number {
  let runs = 0;
  runStart[off] = idx[0]!;
  for (let t = 1; t < n; t++) {
    if (idx[t] !== idx[t - 1]! + 1) {
      runEnd[off + runs] = idx[t - 1]! + 1;
      runs++;
      runStart[off + runs] = idx[t]!;
    }
  }
  runEnd[off + runs] = idx[n - 1]! + 1;
  return runs + 1;
}

/** The defining computation: prefix sums, four strategies interleaved per cache line, replications in batches. */
export function runsBootstrap(s: BootstrapSetup): Exceedances {
  const { d, k, n, scale, muL, muC, mean, statistic, rcStatistic } = s;
  const sqrtN = Math.sqrt(n);
  // Strategies are interleaved in groups of 4 (P[(g·(n+1) + t)·4 + w]), so one pair of run bounds serves four
  // strategies from one cache line; a missing 4th row stays zero. Each group's prefix sums are read once per batch
  // of replications; the arithmetic per (replication, strategy) is the same in any batching.
  const G = 4;
  const groups = Math.ceil(k / G);
  const P = new Float64Array(groups * (n + 1) * G);
  for (let j = 0; j < k; j++) {
    const base = Math.floor(j / G) * (n + 1) * G;
    const w = j % G;
    let acc = 0;
    for (let t = 0; t < n; t++) {
      acc += d[j * n + t]!;
      P[base + (t + 1) * G + w] = acc;
    }
  }
  const idx = new Int32Array(n);
  const runStart = new Int32Array(BATCH * n);
  const runEnd = new Int32Array(BATCH * n);
  const runCount = new Int32Array(BATCH);
  const maxL = new Float64Array(BATCH);
  const maxC = new Float64Array(BATCH);
  const maxU = new Float64Array(BATCH);
  const maxRc = new Float64Array(BATCH);
  const out: Exceedances = { lower: 0, consistent: 0, upper: 0, rc: 0, exactRecomputes: 0 };
  const sums = new Float64Array(G);
  for (let b0 = 0; b0 < s.reps; b0 += BATCH) {
    const nb = Math.min(BATCH, s.reps - b0);
    for (let q = 0; q < nb; q++) {
      stationaryBootstrapIndices(n, s.blockLength, s.rng, idx);
      runCount[q] = runsOf(idx, n, runStart, runEnd, q * n);
    }
    // Studentized, T ≥ 0 and max(0, T*) > T ⇔ T* > T: the max(0, ·) floor never changes a count.
    maxL.fill(-Infinity);
    maxC.fill(-Infinity);
    maxU.fill(-Infinity);
    maxRc.fill(-Infinity);
    for (let g = 0; g < groups; g++) {
      const base = g * (n + 1) * G;
      for (let q = 0; q < nb; q++) {
        const off = q * n;
        const runs = runCount[q]!;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = 0; r < runs; r++) {
          const e = base + runEnd[off + r]! * G;
          const b = base + runStart[off + r]! * G;
          s0 += P[e]! - P[b]!;
          s1 += P[e + 1]! - P[b + 1]!;
          s2 += P[e + 2]! - P[b + 2]!;
          s3 += P[e + 3]! - P[b + 3]!;
        }
        sums[0] = s0;
        sums[1] = s1;
        sums[2] = s2;
        sums[3] = s3;
        for (let w = 0; w < G; w++) {
          const j = g * G + w;
          if (j >= k) break;
          const sc = scale[j]!;
          const m = sums[w]! / n;
          const l = (m - muL[j]!) * sc;
          const c = (m - muC[j]!) * sc;
          const u = (m - mean[j]!) * sc;
          if (l > maxL[q]!) maxL[q] = l;
          if (c > maxC[q]!) maxC[q] = c;
          if (u > maxU[q]!) maxU[q] = u;
          const rc = sqrtN * (m - mean[j]!);
          if (rc > maxRc[q]!) maxRc[q] = rc;
        }
      }
    }
    for (let q = 0; q < nb; q++) {
      if (maxL[q]! > statistic) out.lower++;
      if (maxC[q]! > statistic) out.consistent++;
      if (maxU[q]! > statistic) out.upper++;
      if (maxRc[q]! > rcStatistic) out.rc++;
    }
  }
  return out;
}

/** Mean nonzero entries per strategy of the series d was built from. */
export function meanNonZeros(series: ArrayLike<ArrayLike<number>>): number {
  let nz = 0;
  for (let j = 0; j < series.length; j++) {
    const row = series[j]!;
    for (let t = 0; t < row.length; t++) if (row[t] !== 0) nz++;
  }
  return nz / Math.max(1, series.length);
}

/** γ_m = m·u / (1 − m·u), u the unit roundoff of binary64 (Higham 2002, Lemma 3.1). */
function gamma(m: number): number {
  const u = 2 ** -53;
  return (m * u) / (1 - m * u);
}

/** The same counts as `runsBootstrap`, from sparse dot products bounded against its arithmetic (module header). */
export function sparseBootstrap(s: BootstrapSetup): Exceedances {
  const { d, k, n, scale, muL, muC, mean, statistic, rcStatistic, series, bench, sign } = s;
  const sqrtN = Math.sqrt(n);
  // CSR of the strategies' own nonzero entries.
  const start = new Int32Array(k + 1);
  let nz = 0;
  for (let j = 0; j < k; j++) {
    const row = series[j]!;
    for (let t = 0; t < n; t++) if (row[t] !== 0) nz++;
    start[j + 1] = nz;
  }
  const col = new Int32Array(nz);
  const val = new Float64Array(nz);
  for (let j = 0, p = 0; j < k; j++) {
    const row = series[j]!;
    for (let t = 0; t < n; t++) {
      if (row[t] !== 0) {
        col[p] = t;
        val[p++] = row[t]!;
      }
    }
  }
  // Error bound per strategy (Higham §4.2 with R ≤ n runs, doubled): the runs path's sum differs from the exact
  // real Σ_t D[idx_t] by ≤ 3n·γ_n·A(1 + γ_n) + 2γ_n·n·M (prefix sums, run differences, their sum, the rounding of
  // d itself); the sparse approximation by ≤ 2γ_{n+1}·n·(Mx + Mb). A = Σ|d|, M = max|d|, Mx = max|x|, Mb = max|bench|.
  let mb = 0;
  if (bench) for (let t = 0; t < n; t++) mb = Math.max(mb, Math.abs(bench[t]!));
  const gn = gamma(n);
  const gn1 = gamma(n + 1);
  const bound = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let a = 0;
    let m = 0;
    for (let t = 0; t < n; t++) {
      const x = Math.abs(d[j * n + t]!);
      a += x;
      if (x > m) m = x;
    }
    a *= 1 + gn;
    let mx = 0;
    for (let p = start[j]!; p < start[j + 1]!; p++) mx = Math.max(mx, Math.abs(val[p]!));
    bound[j] = 2 * (3 * n * gn * a * (1 + gn) + 2 * gn * n * m + 2 * gn1 * n * (mx + mb));
  }

  const idx = new Int32Array(n);
  const runStart = new Int32Array(BATCH * n);
  const runEnd = new Int32Array(BATCH * n);
  const runCount = new Int32Array(BATCH);
  const cnt = new Float64Array(n * BATCH); // cnt[t·BATCH + q]: how often period t was drawn in replication q
  const benchSum = new Float64Array(BATCH);
  const acc = new Float64Array(BATCH);
  // Decided per replication: 1 = some strategy exceeds. L ⇒ C ⇒ U per strategy (μ̂ˡ ≥ μ̂ᶜ ≥ d̄, monotone rounding).
  const yesL = new Uint8Array(BATCH);
  const yesC = new Uint8Array(BATCH);
  const yesU = new Uint8Array(BATCH);
  const yesRc = new Uint8Array(BATCH);
  const prefix = new Float64Array(n + 1);
  const out: Exceedances = { lower: 0, consistent: 0, upper: 0, rc: 0, exactRecomputes: 0 };

  /** The runs path's floating-point sum for strategy j in replication q (prefix of j computed on demand). */
  let prefixOf = -1;
  const exactSum = (j: number, q: number): number => {
    if (prefixOf !== j) {
      let a = 0;
      for (let t = 0; t < n; t++) {
        a += d[j * n + t]!;
        prefix[t + 1] = a;
      }
      prefixOf = j;
    }
    const off = q * n;
    let sum = 0;
    for (let r = 0; r < runCount[q]!; r++) sum += prefix[runEnd[off + r]!]! - prefix[runStart[off + r]!]!;
    out.exactRecomputes++;
    return sum;
  };

  for (let b0 = 0; b0 < s.reps; b0 += BATCH) {
    const nb = Math.min(BATCH, s.reps - b0);
    cnt.fill(0);
    for (let q = 0; q < nb; q++) {
      stationaryBootstrapIndices(n, s.blockLength, s.rng, idx);
      runCount[q] = runsOf(idx, n, runStart, runEnd, q * n);
      for (let t = 0; t < n; t++) cnt[idx[t]! * BATCH + q]! += 1;
      let bs = 0;
      if (bench) for (let t = 0; t < n; t++) bs += cnt[t * BATCH + q]! * bench[t]!;
      benchSum[q] = bs;
    }
    yesL.fill(0);
    yesC.fill(0);
    yesU.fill(0);
    yesRc.fill(0);
    let open = nb; // replications not yet decided on all four counts
    for (let j = 0; j < k && open > 0; j++) {
      if (s.first && s.first[j] !== j) continue; // a bit-identical row: the same values as its first copy
      acc.fill(0);
      for (let p = start[j]!; p < start[j + 1]!; p++) {
        const v = val[p]!;
        const o = col[p]! * BATCH;
        for (let q = 0; q < nb; q++) acc[q]! += cnt[o + q]! * v;
      }
      const sc = scale[j]!;
      const ml = muL[j]!;
      const mc = muC[j]!;
      const mj = mean[j]!;
      const e = bound[j]!;
      for (let q = 0; q < nb; q++) {
        if (yesL[q] && yesRc[q]) continue;
        const approx = sign * (acc[q]! - benchSum[q]!);
        const hi = (approx + e) / n;
        // u ≥ c ≥ l: when even u at the upper end does not exceed, neither does anything else of this strategy.
        if ((yesL[q] || (hi - mj) * sc <= statistic) && (yesRc[q] || sqrtN * (hi - mj) <= rcStatistic)) continue;
        const lo = (approx - e) / n;
        let exact = NaN; // the runs path's m, computed only when a comparison is undecided
        if (!yesU[q] && (hi - mj) * sc > statistic) {
          if ((lo - mj) * sc > statistic) yesU[q] = 1;
          else if (((exact = exactSum(j, q) / n) - mj) * sc > statistic) yesU[q] = 1;
        }
        if (yesU[q] && !yesC[q] && (hi - mc) * sc > statistic) {
          if ((lo - mc) * sc > statistic) yesC[q] = 1;
          else if (((Number.isNaN(exact) ? (exact = exactSum(j, q) / n) : exact) - mc) * sc > statistic) yesC[q] = 1;
        }
        if (yesC[q] && !yesL[q] && (hi - ml) * sc > statistic) {
          if ((lo - ml) * sc > statistic) yesL[q] = 1;
          else if (((Number.isNaN(exact) ? (exact = exactSum(j, q) / n) : exact) - ml) * sc > statistic) yesL[q] = 1;
        }
        if (!yesRc[q] && sqrtN * (hi - mj) > rcStatistic) {
          if (sqrtN * (lo - mj) > rcStatistic) yesRc[q] = 1;
          else if (sqrtN * ((Number.isNaN(exact) ? (exact = exactSum(j, q) / n) : exact) - mj) > rcStatistic) yesRc[q] = 1;
        }
        if (yesL[q] && yesRc[q]) open--;
      }
    }
    for (let q = 0; q < nb; q++) {
      out.lower += yesL[q]!;
      out.consistent += yesC[q]!;
      out.upper += yesU[q]!;
      out.rc += yesRc[q]!;
    }
  }
  return out;
}
