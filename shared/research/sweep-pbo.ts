/**
 * PBO for every sweep (issue 13 item 1): each sweep chunk keeps, per combo, the per-block sufficient statistics
 * (count, Σx, Σx²) of its per-trade returns under the sweep's primary cost view, bucketed by exit time into
 * S = 16 shared time blocks of the window (`blockStatsByTime`); the merge assembles the combos × blocks CSCV
 * matrix (rows in combo-key order, so the chunking never shows) and computes the probability of backtest
 * overfitting (Bailey, Borwein, López de Prado & Zhu 2017) over all C(16, 8) = 12,870 splits — in one call, or in
 * split ranges (`planPboChunks` / `pboSplits` / `mergePboPartials`) when combos × splits is large.
 *
 * Performance of a combo on a set of blocks is the per-trade Sharpe ratio (pooled mean / pooled sample sd of the
 * net per-trade returns on those blocks, not annualised). A combo with fewer than 2 trades on one side of a split
 * scores 0 there — the flat outcome (`sparse: 'zero'`, recorded) — because sparse trading is normal in a sweep.
 */
import { z } from 'zod';
import {
  blockStatsByTime,
  cscvDigest,
  cscvFromBlockStats,
  cscvSplitCount,
  mergePboPartials,
  pboSplits,
  planPboChunks,
  type CscvMatrix,
  type PboPartial,
  type PboResult,
} from '../stats';
import type { Trade } from '../backtest/types';
import { viewReturns } from './summary';

/** Shared time blocks per sweep (S): C(16, 8) = 12,870 CSCV splits. */
export const SWEEP_PBO_BLOCKS = 16;
/** The view the sweep's PBO is computed on: the default objective's (net at binance-taker), else gross. */
export const SWEEP_PBO_VIEW = 'binance-taker';
export const SWEEP_PBO_METRIC = 'sharpe' as const;
export const SWEEP_PBO_SPARSE = 'zero' as const;
/** Split-pairs kept for the IS-vs-OOS scatter (every k-th split, evenly; the full list is 12,870). */
export const SWEEP_PBO_SCATTER_POINTS = 500;

/**
 * S + 1 increasing block edges over the window [from, to): S equal time spans (integer ms), the last edge moved
 * to `to + timeframeMs` so that an end-of-data exit (the close time of the last candle, ≤ `to` + one candle)
 * falls into the last block instead of outside.
 */
export function sweepBlockEdges(from: number, to: number, timeframeMs: number, blocks = SWEEP_PBO_BLOCKS): number[] {
  if (!(to > from)) throw new Error(`sweepBlockEdges: window [${from}, ${to}) is empty`);
  if (!(timeframeMs > 0)) throw new Error(`sweepBlockEdges: timeframe must be positive, got ${timeframeMs}`);
  if (to - from < blocks) throw new Error(`sweepBlockEdges: window of ${to - from} ms cannot hold ${blocks} blocks`);
  const edges: number[] = [];
  for (let s = 0; s < blocks; s++) edges.push(from + Math.floor(((to - from) * s) / blocks));
  edges.push(to + timeframeMs);
  return edges;
}

/** One combo's block statistics, keyed like its summary. */
export const comboBlockStatsSchema = z
  .object({ key: z.string(), count: z.array(z.number().int().nonnegative()), sum: z.array(z.number().finite()), sumSq: z.array(z.number().finite()) })
  .strict();
export type ComboBlockStats = z.infer<typeof comboBlockStatsSchema>;

/** What a chunk keeps for the PBO: the view, the edges and one row per combo. */
export const chunkBlockStatsSchema = z
  .object({ view: z.string(), edges: z.array(z.number().finite()).min(3), rows: z.array(comboBlockStatsSchema) })
  .strict();
export type ChunkBlockStats = z.infer<typeof chunkBlockStatsSchema>;

/** The view a run's trades are scored under for the PBO: `preferred` when the trades carry it, else gross. */
export function pboViewOf(trades: readonly Trade[], preferred = SWEEP_PBO_VIEW, configured?: readonly string[]): string {
  if (configured) return configured.includes(preferred) ? preferred : 'gross';
  const t = trades[0];
  if (!t) return preferred;
  return t.net[preferred] !== undefined ? preferred : 'gross';
}

/** Block statistics of one combo's per-trade returns under `view`, by exit time. */
export function comboBlockStats(key: string, trades: readonly Trade[], view: string, edges: readonly number[]): ComboBlockStats {
  const returns = trades.length ? viewReturns(trades, view) : [];
  const times = trades.map((t) => t.exitTime);
  const st = blockStatsByTime(returns, times, edges);
  return { key, count: st.count, sum: st.sum, sumSq: st.sumSq };
}

/** The CSCV matrix of a sweep from its chunks' block statistics (rows sorted by combo key, duplicates must agree). */
export function sweepCscvMatrix(chunks: readonly ChunkBlockStats[]): { matrix: CscvMatrix; keys: string[]; view: string; edges: number[] } {
  if (chunks.length === 0) throw new Error('sweepCscvMatrix: no chunk block statistics');
  const parsed = chunks.map((c, i) => {
    const r = chunkBlockStatsSchema.safeParse(c);
    if (!r.success) throw new Error(`sweepCscvMatrix: chunk ${i} block statistics are malformed: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return r.data;
  });
  const { view, edges } = parsed[0]!;
  const edgesJson = JSON.stringify(edges);
  const byKey = new Map<string, ComboBlockStats>();
  for (const [i, c] of parsed.entries()) {
    if (c.view !== view || JSON.stringify(c.edges) !== edgesJson) throw new Error(`sweepCscvMatrix: chunk ${i} used a different view or block edges`);
    for (const row of c.rows) {
      const prev = byKey.get(row.key);
      if (prev && JSON.stringify(prev) !== JSON.stringify(row)) throw new Error(`sweepCscvMatrix: combo ${row.key} has two different block statistics`);
      byKey.set(row.key, row);
    }
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { matrix: cscvFromBlockStats(keys.map((k) => byKey.get(k)!)), keys, view, edges };
}

/** What a sweep stores about its PBO (compact: histogram, degradation, a thinned scatter; no per-split λ list). */
export interface SweepPbo {
  status: 'done';
  view: string;
  metric: typeof SWEEP_PBO_METRIC;
  sparse: typeof SWEEP_PBO_SPARSE;
  blocks: number;
  edges: number[];
  combos: number;
  splits: number;
  pbo: number;
  probabilityOfLoss: number;
  lossThreshold: number;
  degradation: PboResult['degradation'];
  histogram: PboResult['histogram'];
  /** λ quantiles over splits (5/50/95 %). */
  lambda: { p5: number; p50: number; p95: number };
  /** Every k-th split's (R_{n*}, R̄_{n*}, n* as combo key index, λ), at most SWEEP_PBO_SCATTER_POINTS. */
  scatter: { stride: number; points: { is: number; oos: number; best: number; lambda: number }[] };
  /** How many splits' winner was each combo key (top 10). */
  winners: { key: string; splits: number }[];
  /** Split ranges the computation ran in (1 = in-process). */
  pboChunks: number;
  digest: string;
}

/** Why a sweep has no PBO (e.g. fewer than 2 combos). Never a silent number. */
export interface SweepPboSkipped {
  status: 'insufficient-data' | 'failed';
  reason: string;
}

function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The compact stored form of a PBO result. */
export function summariseSweepPbo(res: PboResult, keys: readonly string[], view: string, edges: readonly number[], pboChunks: number): SweepPbo {
  const stride = Math.max(1, Math.ceil(res.pairs.length / SWEEP_PBO_SCATTER_POINTS));
  const points = res.pairs.filter((_, i) => i % stride === 0);
  const sorted = [...res.lambdas].sort((a, b) => a - b);
  const wins = new Map<number, number>();
  for (const p of res.pairs) wins.set(p.best, (wins.get(p.best) ?? 0) + 1);
  const winners = [...wins.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 10)
    .map(([c, n]) => ({ key: keys[c]!, splits: n }));
  return {
    status: 'done',
    view,
    metric: SWEEP_PBO_METRIC,
    sparse: SWEEP_PBO_SPARSE,
    blocks: res.blocks,
    edges: [...edges],
    combos: res.combos,
    splits: res.splits,
    pbo: res.pbo,
    probabilityOfLoss: res.probabilityOfLoss,
    lossThreshold: res.lossThreshold,
    degradation: res.degradation,
    histogram: res.histogram,
    lambda: { p5: quantile(sorted, 0.05), p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) },
    scatter: { stride, points },
    winners,
    pboChunks,
    digest: res.digest,
  };
}

/**
 * combo × split evaluations a sweep's merge does in-process (≈ 230 combos × 12,870 splits ≈ 1 s in workerd at the
 * measured ≈ 0.3 µs per combo-split); larger PBOs run as queue jobs of `PBO_CHUNK_BUDGET` each.
 */
export const PBO_INLINE_BUDGET = 3_000_000;
/** combo × split evaluations per `pbo-chunk` job (≈ 1.2 s in workerd; far inside the 30 s CPU limit). */
export const PBO_CHUNK_BUDGET = 4_000_000;

/** Split ranges for queue chunks: at most `budget` combo-splits each (and ≥ 1 split). */
export function pboChunkPlan(combos: number, blocks = SWEEP_PBO_BLOCKS, budget = PBO_CHUNK_BUDGET): { from: number; to: number }[] {
  const per = Math.max(1, Math.floor(budget / Math.max(1, combos)));
  return planPboChunks(blocks, Math.min(per, cscvSplitCount(blocks)));
}

/** One split range of a sweep's PBO (what a `pbo-chunk` job computes). */
export function sweepPboPartial(matrix: CscvMatrix, range: { from: number; to: number }): PboPartial {
  return pboSplits(matrix, { metric: SWEEP_PBO_METRIC, sparse: SWEEP_PBO_SPARSE, from: range.from, to: range.to });
}

/**
 * The sweep's PBO from its chunks' block statistics, in-process (split ranges of `splitsPerChunk`, merged exactly
 * as queue partials are; default one range). Fewer than 2 combos → `insufficient-data` with the count.
 */
export function computeSweepPbo(chunks: readonly ChunkBlockStats[], opts: { splitsPerChunk?: number } = {}): SweepPbo | SweepPboSkipped {
  const rows = chunks.reduce((a, c) => a + c.rows.length, 0);
  if (rows < 2) return { status: 'insufficient-data', reason: `PBO needs at least 2 combos, the sweep has ${rows}` };
  const { matrix, keys, view, edges } = sweepCscvMatrix(chunks);
  if (keys.length < 2) return { status: 'insufficient-data', reason: `PBO needs at least 2 distinct combos, the sweep has ${keys.length}` };
  const ranges = planPboChunks(matrix.blocks, opts.splitsPerChunk ?? cscvSplitCount(matrix.blocks));
  const partials = ranges.map((r) => sweepPboPartial(matrix, r));
  return summariseSweepPbo(mergePboPartials(partials), keys, view, edges, ranges.length);
}

/** Merge queue partials of a sweep's PBO (validated) into the stored form. */
export function mergeSweepPbo(partials: unknown[], matrix: CscvMatrix, keys: readonly string[], view: string, edges: readonly number[]): SweepPbo {
  const res = mergePboPartials(partials);
  if (res.digest !== cscvDigest(matrix)) throw new Error('mergeSweepPbo: partials were computed on a different matrix');
  return summariseSweepPbo(res, keys, view, edges, partials.length);
}
