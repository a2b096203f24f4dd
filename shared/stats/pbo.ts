/**
 * Probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation (CSCV).
 *
 * Reference: Bailey, D. H., Borwein, J. M., López de Prado, M. & Zhu, Q. J. (2017), "The Probability of Backtest
 * Overfitting", Journal of Computational Finance 20(4), §2.2 (the CSCV procedure) and §2.3 (the statistics):
 *   1. The T × N performance matrix M (T observations, N strategy configurations = combos) is cut along time into
 *      S (even) disjoint blocks M_1..M_S.
 *   2. For each of the C(S, S/2) sets C of S/2 blocks: J = the blocks in C (in-sample), J̄ = the others (out of
 *      sample). R = performance of every combo on J, R̄ = on J̄.
 *   3. n* = argmax R (the in-sample winner); ω̄_c = rank of R̄_{n*} among R̄ divided by (N + 1) (rank 1 = worst);
 *      λ_c = ln(ω̄_c / (1 − ω̄_c)) — the logit.
 *   4. PBO = ∫_{−∞}^{0} f(λ) dλ, estimated as the share of splits with λ_c ≤ 0: the in-sample winner ranked at or
 *      below the out-of-sample median.
 *   Performance degradation: the OLS fit R̄_{n*} = α + β·R_{n*} + ε over the splits (β < 0: the better the
 *   in-sample result, the worse out of sample). Probability of loss: the share of splits with R̄_{n*} < 0 (a
 *   configurable threshold).
 *
 * Our choices where the paper leaves room (and where we deliberately differ from the R `pbo` package,
 * mrbcuda/pbo, R/pbo.R): ω̄ uses the paper's N + 1 (R pbo divides by N, which puts the top rank at λ = +∞); ties
 * in R̄ get the average rank (R's `rank` default) and ties in R go to the first (lowest-index) combo (`which.max`);
 * the regression is R̄ on R (R pbo's `lm(rn_pairs)` regresses R on R̄). Block boundaries are ⌈s·T/S⌉, so T need
 * not be a multiple of S (R pbo requires it). The performance of a combo on a set of blocks is computed from
 * per-block sufficient statistics (count, Σx, Σx²) pooled over the blocks — 'sharpe' (pooled mean / pooled sample
 * sd, non-annualised), 'mean' or 'sum' — so the Sharpe ratio on J is exactly the Sharpe of the concatenated
 * observations, and a split costs O(N·S/2).
 *
 * Chunking: `pboSplits(matrix, { from, to })` computes splits [from, to) and returns a compact JSON-safe partial
 * (≈ 55 bytes per split) that names the input by a sha256 digest; `mergePboPartials` checks that partials share the input and settings,
 * cover every split exactly once (an identical duplicate is tolerated), and gives the same summary, byte for
 * byte, as one call over all splits.
 */
import { z } from 'zod';
import { binomial, nextCombination, unrankCombination } from './combinations';
import { MAX_CSCV_BLOCKS, checkBlocks, cscvDigest, type CscvMatrix } from './cscv-matrix';
import { InsufficientDataError, StatsInputError, assertFinite } from './errors';

export const pboMetricSchema = z.enum(['sharpe', 'mean', 'sum']);
export type PboMetric = z.infer<typeof pboMetricSchema>;

export const pboSparseSchema = z.enum(['error', 'zero']);
/**
 * What a combo with too few observations on one side of a split scores (none for 'mean', fewer than 2 for
 * 'sharpe' — e.g. a per-trade series with no trades in those blocks): 'error' (default) refuses the input,
 * 'zero' scores it 0, the performance of staying flat.
 */
export type PboSparse = z.infer<typeof pboSparseSchema>;

function metricValue(metric: PboMetric, sparse: PboSparse, n: number, s: number, ss: number): number {
  if (metric === 'sum') return s;
  if (n < 1) {
    if (sparse === 'zero') return 0;
    throw new InsufficientDataError('observations in a split', n, 1);
  }
  const mean = s / n;
  if (metric === 'mean') return mean;
  if (n < 2) {
    if (sparse === 'zero') return 0;
    throw new InsufficientDataError('observations in a split (Sharpe needs 2)', n, 2);
  }
  const v = Math.max(0, (ss - n * mean * mean) / (n - 1));
  if (v === 0) {
    if (mean === 0) return 0;
    throw new StatsInputError('a combo has zero variance and a non-zero mean on a split: its Sharpe ratio is undefined');
  }
  return mean / Math.sqrt(v);
}

/** One CSCV split: the in-sample blocks, the in-sample winner and where it landed out of sample. */
export interface PboSplit {
  index: number;
  /** The in-sample blocks (sorted). */
  inSample: number[];
  /** n*: the combo with the best in-sample performance (ties → lowest index). */
  best: number;
  /** R_{n*} and R̄_{n*}. */
  isPerformance: number;
  oosPerformance: number;
  /** Rank of R̄_{n*} among R̄ (1 = worst, N = best; ties averaged). */
  oosRank: number;
  /** ω̄ = oosRank / (N + 1). */
  omega: number;
  /** λ = ln(ω̄ / (1 − ω̄)). */
  lambda: number;
}

/**
 * Splits [from, to) of one input in a compact columnar form for a queue message (≈ 55 bytes of JSON per split:
 * 1,000 splits ≈ 55 KB): per split n*, R_{n*}, R̄_{n*} and the OOS rank; the in-sample blocks, ω̄ and λ follow
 * from the index, the rank and N (`pboSplitDetails`).
 */
export const pboPartialSchema = z
  .object({
    kind: z.literal('pbo-partial'),
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    combos: z.number().int().min(2),
    blocks: z.number().int().min(2).max(MAX_CSCV_BLOCKS).multipleOf(2),
    metric: pboMetricSchema,
    sparse: pboSparseSchema,
    totalSplits: z.number().int().positive(),
    from: z.number().int().nonnegative(),
    to: z.number().int().positive(),
    best: z.array(z.number().int().nonnegative()),
    isPerformance: z.array(z.number().finite()),
    oosPerformance: z.array(z.number().finite()),
    oosRank: z.array(z.number().min(1)),
  })
  .strict();
export type PboPartial = z.infer<typeof pboPartialSchema>;

export const pboOptionsSchema = z
  .object({
    metric: pboMetricSchema.default('sharpe'),
    sparse: pboSparseSchema.default('error'),
    /** Probability of loss counts splits with R̄_{n*} < threshold. */
    lossThreshold: z.number().finite().default(0),
    /** Width of the λ histogram's bins; edges are multiples of it. */
    histogramBinWidth: z.number().positive().finite().default(0.5),
  })
  .strict();
export type PboOptions = z.input<typeof pboOptionsSchema>;

/** Number of CSCV splits for S blocks, C(S, S/2). */
export function cscvSplitCount(blocks: number): number {
  checkBlocks(blocks);
  return binomial(blocks, blocks / 2);
}

/** Split index ranges of at most `splitsPerChunk` splits, for one queue message each. */
export function planPboChunks(blocks: number, splitsPerChunk: number): { from: number; to: number }[] {
  if (!Number.isInteger(splitsPerChunk) || splitsPerChunk < 1) throw new StatsInputError(`splitsPerChunk must be a positive integer, got ${splitsPerChunk}`);
  const total = cscvSplitCount(blocks);
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < total; from += splitsPerChunk) out.push({ from, to: Math.min(total, from + splitsPerChunk) });
  return out;
}

/** Computes CSCV splits [from, to) (default: all) of the matrix. */
export function pboSplits(m: CscvMatrix, opts: { metric?: PboMetric; sparse?: PboSparse; from?: number; to?: number } = {}): PboPartial {
  checkBlocks(m.blocks);
  const N = m.combos;
  const S = m.blocks;
  if (N < 2) throw new InsufficientDataError('combos', N, 2);
  const len = N * S;
  if (m.count.length !== len || m.sum.length !== len || m.sumSq.length !== len) throw new StatsInputError(`CSCV matrix arrays must have combos × blocks = ${len} entries`);
  assertFinite(m.count, 'count');
  assertFinite(m.sum, 'sum');
  assertFinite(m.sumSq, 'sumSq');
  const metric = pboMetricSchema.parse(opts.metric ?? 'sharpe');
  const sparse = pboSparseSchema.parse(opts.sparse ?? 'error');
  const total = binomial(S, S / 2);
  const from = opts.from ?? 0;
  const to = opts.to ?? total;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > total || from >= to)
    throw new StatsInputError(`split range [${from}, ${to}) must be a non-empty integer range within [0, ${total}]`);

  const r = new Float64Array(N);
  const rb = new Float64Array(N);
  const comb = unrankCombination(S, S / 2, from);
  const best: number[] = [];
  const isPerformance: number[] = [];
  const oosPerformance: number[] = [];
  const oosRanks: number[] = [];
  const half = S / 2;
  const rest = new Array<number>(half);
  for (let index = from; index < to; index++) {
    for (let b = 0, i = 0, j = 0; b < S; b++) {
      if (i < half && comb[i] === b) i++;
      else rest[j++] = b;
    }
    let top = 0;
    for (let c = 0; c < N; c++) {
      let n = 0;
      let s = 0;
      let ss = 0;
      const base = c * S;
      let on = 0;
      let os = 0;
      let oss = 0;
      for (let j = 0; j < half; j++) {
        const b = base + comb[j]!;
        n += m.count[b]!;
        s += m.sum[b]!;
        ss += m.sumSq[b]!;
        const o = base + rest[j]!;
        on += m.count[o]!;
        os += m.sum[o]!;
        oss += m.sumSq[o]!;
      }
      // Both sides are summed from their own blocks (no OOS = total − IS subtraction and its rounding).
      r[c] = metricValue(metric, sparse, n, s, ss);
      rb[c] = metricValue(metric, sparse, on, os, oss);
      if (r[c]! > r[top]!) top = c;
    }
    const target = rb[top]!;
    let below = 0;
    let equal = 0;
    for (let c = 0; c < N; c++) {
      if (rb[c]! < target) below++;
      else if (rb[c] === target) equal++;
    }
    best.push(top);
    isPerformance.push(r[top]!);
    oosPerformance.push(target);
    oosRanks.push(below + (equal + 1) / 2);
    nextCombination(comb, S);
  }
  return { kind: 'pbo-partial', digest: cscvDigest(m), combos: N, blocks: S, metric, sparse, totalSplits: total, from, to, best, isPerformance, oosPerformance, oosRank: oosRanks };
}

/** The splits of a partial with their in-sample blocks, ω̄ = rank/(N + 1) and λ = ln(ω̄/(1 − ω̄)). */
export function pboSplitDetails(p: PboPartial): PboSplit[] {
  const out: PboSplit[] = [];
  const comb = unrankCombination(p.blocks, p.blocks / 2, p.from);
  for (let j = 0; j < p.to - p.from; j++) {
    const omega = p.oosRank[j]! / (p.combos + 1);
    out.push({
      index: p.from + j,
      inSample: comb.slice(),
      best: p.best[j]!,
      isPerformance: p.isPerformance[j]!,
      oosPerformance: p.oosPerformance[j]!,
      oosRank: p.oosRank[j]!,
      omega,
      lambda: Math.log(omega / (1 - omega)),
    });
    nextCombination(comb, p.blocks);
  }
  return out;
}

export interface PboHistogram {
  binWidth: number;
  /** Bin i is [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
}

export interface PboResult {
  combos: number;
  blocks: number;
  metric: PboMetric;
  sparse: PboSparse;
  splits: number;
  /** Share of splits with λ ≤ 0. */
  pbo: number;
  lambdas: number[];
  histogram: PboHistogram;
  degradation: {
    /** OLS of R̄_{n*} on R_{n*}: slope β and intercept α; null when R_{n*} does not vary. */
    slope: number | null;
    intercept: number | null;
    rSquared: number | null;
    meanIs: number;
    meanOos: number;
  };
  /** Share of splits with R̄_{n*} < lossThreshold. */
  probabilityOfLoss: number;
  lossThreshold: number;
  /** Per split (in index order): (R_{n*}, R̄_{n*}) for the IS-vs-OOS scatter, n* and λ. */
  pairs: { is: number; oos: number; best: number; lambda: number }[];
  digest: string;
}

/** Histogram of λ with bins [k·w, (k+1)·w) covering every value. */
export function lambdaHistogram(lambdas: ArrayLike<number>, binWidth = 0.5): PboHistogram {
  if (!(binWidth > 0) || !Number.isFinite(binWidth)) throw new StatsInputError(`binWidth must be positive, got ${binWidth}`);
  if (lambdas.length === 0) return { binWidth, edges: [], counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < lambdas.length; i++) {
    lo = Math.min(lo, lambdas[i]!);
    hi = Math.max(hi, lambdas[i]!);
  }
  const k0 = Math.floor(lo / binWidth);
  const k1 = Math.floor(hi / binWidth);
  const counts = new Array<number>(k1 - k0 + 1).fill(0);
  for (let i = 0; i < lambdas.length; i++) counts[Math.floor(lambdas[i]! / binWidth) - k0]!++;
  const edges: number[] = [];
  for (let k = k0; k <= k1 + 1; k++) edges.push(k * binWidth);
  return { binWidth, edges, counts };
}

function summarise(p: { combos: number; blocks: number; metric: PboMetric; sparse: PboSparse; digest: string }, splits: PboSplit[], opts: PboOptions): PboResult {
  const o = pboOptionsSchema.parse(opts);
  if (opts.metric !== undefined && o.metric !== p.metric) throw new StatsInputError(`the splits were computed with metric '${p.metric}', the options ask for '${o.metric}'`);
  if (opts.sparse !== undefined && o.sparse !== p.sparse) throw new StatsInputError(`the splits were computed with sparse rule '${p.sparse}', the options ask for '${o.sparse}'`);
  const K = splits.length;
  let atOrBelow = 0;
  let losses = 0;
  let sx = 0;
  let sy = 0;
  for (const s of splits) {
    if (s.lambda <= 0) atOrBelow++;
    if (s.oosPerformance < o.lossThreshold) losses++;
    sx += s.isPerformance;
    sy += s.oosPerformance;
  }
  const mx = sx / K;
  const my = sy / K;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const s of splits) {
    const dx = s.isPerformance - mx;
    const dy = s.oosPerformance - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : null;
  const lambdas = splits.map((s) => s.lambda);
  return {
    combos: p.combos,
    blocks: p.blocks,
    metric: p.metric,
    sparse: p.sparse,
    splits: K,
    pbo: atOrBelow / K,
    lambdas,
    histogram: lambdaHistogram(lambdas, o.histogramBinWidth),
    degradation: {
      slope,
      intercept: slope === null ? null : my - slope * mx,
      rSquared: slope === null ? null : syy > 0 ? (sxy * sxy) / (sxx * syy) : 1,
      meanIs: mx,
      meanOos: my,
    },
    probabilityOfLoss: losses / K,
    lossThreshold: o.lossThreshold,
    pairs: splits.map((s) => ({ is: s.isPerformance, oos: s.oosPerformance, best: s.best, lambda: s.lambda })),
    digest: p.digest,
  };
}

/** PBO over all C(S, S/2) splits in one call. */
export function probabilityOfBacktestOverfitting(m: CscvMatrix, opts: PboOptions = {}): PboResult {
  const { metric, sparse } = pboOptionsSchema.parse(opts);
  const part = pboSplits(m, { metric, sparse });
  return summarise(part, pboSplitDetails(part), opts);
}

/**
 * Merges partial results (e.g. from queue messages, in any order) into the full PBO result. Partials are
 * validated with zod (they crossed a queue); all must share digest, shape and metric; together they must cover
 * every split exactly once (a duplicate range must be identical). Throws with the reason otherwise.
 */
export function mergePboPartials(partials: unknown[], opts: PboOptions = {}): PboResult {
  if (partials.length === 0) throw new InsufficientDataError('partial results', 0, 1);
  const parsed = partials.map((p, i) => {
    const r = pboPartialSchema.safeParse(p);
    if (!r.success) throw new StatsInputError(`partial ${i} is not a PBO partial result: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return r.data;
  });
  const first = parsed[0]!;
  const total = binomial(first.blocks, first.blocks / 2);
  const bySplit: (PboSplit | undefined)[] = new Array(total);
  for (const [i, p] of parsed.entries()) {
    if (p.digest !== first.digest || p.combos !== first.combos || p.blocks !== first.blocks || p.metric !== first.metric || p.sparse !== first.sparse || p.totalSplits !== total)
      throw new StatsInputError(`partial ${i} belongs to a different input or settings (digest, shape, metric or sparse rule differ)`);
    const len = p.to - p.from;
    if (!(len > 0) || p.to > total) throw new StatsInputError(`partial ${i} claims splits [${p.from}, ${p.to}), outside [0, ${total})`);
    for (const col of [p.best, p.isPerformance, p.oosPerformance, p.oosRank])
      if (col.length !== len) throw new StatsInputError(`partial ${i} claims splits [${p.from}, ${p.to}) but holds ${col.length} values in a column`);
    for (const s of pboSplitDetails(p)) {
      if (s.best >= p.combos || s.oosRank > p.combos) throw new StatsInputError(`partial ${i}: split ${s.index} names combo ${s.best} / rank ${s.oosRank} of ${p.combos}`);
      const prev = bySplit[s.index];
      if (prev && JSON.stringify(prev) !== JSON.stringify(s)) throw new StatsInputError(`split ${s.index} was delivered twice with different content`);
      bySplit[s.index] = s;
    }
  }
  let missing = 0;
  for (let i = 0; i < total; i++) if (bySplit[i] === undefined) missing++;
  if (missing > 0) throw new InsufficientDataError(`of ${total} splits present (${missing} missing)`, total - missing, total);
  return summarise(first, bySplit as PboSplit[], opts);
}
