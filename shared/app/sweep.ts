/**
 * Parameter sweeps, shared by the Worker (fanned out over the JOBS queue, one `sweep-chunk` message per chunk) and
 * the CLI (serial, in-process). The combo list is a pure function of (strategy space, base params, method, samples,
 * seed), so a chunk is just an index range into it: chunk k holds combos [k·chunkSize, (k+1)·chunkSize).
 *
 * Every chunk loads the same data: the window plus the LARGEST warm-up any combo needs, so all chunks (and the
 * serial run) see identical candles and the sweep records one data hash.
 *
 * Exactly once under redelivery: a chunk is claimed pending → running (a done chunk is skipped), stored and
 * counted in one statement; the statement that completes the last chunk claims the merge, and the merge writes
 * the sweep only while it is not done. A merge owner that died is taken over after its lease by a redelivery.
 */
import { z } from 'zod';
import { toSeries } from '../candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../candles/timeframe';
import { parseBacktestConfig } from '../backtest/config';
import { warmupCandles } from '../backtest/engine';
import type { Params, Strategy } from '../strategies/types';
import type { Database } from '../db/database';
import type { SweepRow } from '../db/schema';
import {
  claimSweepChunk,
  completeSweepChunk,
  createSweep,
  failSweepChunk,
  finishSweep,
  getSweepRow,
  pingDb,
  reclaimSweepMerge,
  sweepChunkOutputs,
  sweepChunkStatus,
} from '../db/queries/research';
import { researchTarget, RunInputError, resolveParams, singleStrategy } from './run-backtest';
import { gridCombos, mergeSweep, planSweep, randomCombos, runSweepChunk, runTpeChunk, type ChunkOutput, type SweepResult, type SweepRunConfig } from '../research/sweep';
import { loadWindow, type LoadedWindow } from './window';
import { loadWindowCached } from './window-cache';
import { resendUnsentPbo, sendPboChunks, type PboChunkJob } from './sweep-pbo';
import { computeSweepPbo, pboChunkPlan, PBO_INLINE_BUDGET, SWEEP_PBO_BLOCKS, sweepBlockEdges, type ChunkBlockStats, type SweepPbo, type SweepPboSkipped } from '../research/sweep-pbo';
import { cscvSplitCount } from '../stats';
import { resolvableGateSetRefSchema, resolveGateSet } from '../research/gate-sets';
import { computeSweepSpa, type ChunkPeriods, type SweepSpa } from '../research/sweep-spa';
import { budgetedChunkSize } from '../sweep/budget';
import { chunkResultOrThrow, type StoredChunkResult, type StoredSweepResult } from '../research/stored-sweep-result';
import type { Clock } from './ports';
import { asRunInput, loadSweepReference, referenceProvenance, sentinelInputError, type LoadedReference } from './sentinel-reference';

export const DEFAULT_CHUNK_SIZE = 25;

/**
 * Combos per chunk from the measured cost per combo-candle, so that one chunk stays inside its share of the
 * Worker's CPU limit (shared/sweep/budget.ts: `[limits] cpu_ms` / the jobs batch size × CHUNK_CPU_SHARE).
 */
export function defaultChunkSize(timeframe: Timeframe, from: number, to: number): number {
  return budgetedChunkSize(Math.ceil(Math.max(1, (to - from) / TIMEFRAME_MS[timeframe])));
}
export const MAX_COMBOS = 10_000;
/** Largest space (grid points) a TPE sweep searches. */
export const TPE_MAX_SPACE = 50_000;

export const SweepRequest = researchTarget
  .extend({
    /** grid: every combo; random: `samples` seeded draws; tpe: `samples` seeded TPE trials (one chunk, in order). */
    method: z.enum(['grid', 'random', 'tpe']).default('grid'),
    samples: z.number().int().min(1).max(MAX_COMBOS).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** Combos per queue message; default from the window's candle count (see `defaultChunkSize`). */
    chunkSize: z.number().int().min(1).max(500).optional(),
    mode: z.enum(['portfolio', 'slices']).default('portfolio'),
    /** The gate set the best combo is judged by: a registered name or a whole set (shared/research/gate-sets.ts). */
    gates: resolvableGateSetRefSchema.optional(),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] })
  .refine((r) => r.method === 'grid' || r.samples !== undefined, { message: 'random and tpe sweeps need samples', path: ['samples'] });
export type SweepRequestInput = z.input<typeof SweepRequest>;
export type SweepRequestParsed = z.output<typeof SweepRequest>;

export interface SweepPlan {
  strategy: Strategy<Params, unknown>;
  base: Params;
  combos: Params[];
  chunkSize: number;
  /** Combos per chunk. */
  chunks: number[];
  invalid: number;
  duplicates: number;
  /** A TPE sweep: its trials are proposed while it runs (one chunk of `samples`), so `combos` is empty. */
  tpe?: { samples: number; seed: number };
  /** Combos whose warm-up bounds the sweep's data (the whole grid for TPE, which may propose any of it). */
  warmupCombos: Params[];
}

/** Combos (trials) a plan runs. */
export function planCount(plan: SweepPlan): number {
  return plan.tpe ? plan.tpe.samples : plan.combos.length;
}

/**
 * The deterministic combo list of a sweep (shared/research `gridCombos` / `randomCombos` over the strategy's
 * paramSpace, merged onto the base params) and its chunk sizes (`planSweep`).
 */
export function planSweepCombos(input: {
  strategyId: string;
  baseParams: unknown;
  method: string;
  samples?: number | null;
  seed?: number | null;
  chunkSize: number;
}): SweepPlan {
  const strategy = singleStrategy(input.strategyId);
  const base = resolveParams(strategy, input.baseParams);
  const sweepable = { defaults: base, paramsSchema: strategy.paramsSchema, paramSpace: strategy.paramSpace } as Parameters<typeof gridCombos>[0];
  let set;
  try {
    if (input.method === 'tpe') {
      // TPE may propose any grid point: the data's warm-up is the grid's largest (a space it can search is one we can list).
      const space = gridCombos(sweepable, { maxCombos: TPE_MAX_SPACE });
      const samples = Math.min(input.samples ?? 100, space.combos.length);
      return { strategy, base, combos: [], chunkSize: samples, chunks: [samples], invalid: space.invalid, duplicates: space.duplicates, tpe: { samples, seed: input.seed ?? 1 }, warmupCombos: space.combos };
    }
    set = input.method === 'random' ? randomCombos(sweepable, input.samples ?? 100, input.seed ?? 1) : gridCombos(sweepable, { maxCombos: MAX_COMBOS });
  } catch (err) {
    throw new RunInputError((err as Error).message);
  }
  const chunks = planSweep(set.combos, input.chunkSize).map((c) => c.combos.length);
  return { strategy, base, combos: set.combos, chunkSize: input.chunkSize, chunks, invalid: set.invalid, duplicates: set.duplicates, warmupCombos: set.combos };
}

/** Plans by their inputs, per isolate: a plan is a pure function of them, and each chunk of a sweep needs it. */
const planMemo = new Map<string, SweepPlan>();

function planOf(row: SweepRow): SweepPlan {
  const space = row.space as { samples?: number | null };
  const input = { strategyId: row.strategyId, baseParams: row.baseParams, method: row.method, samples: space.samples ?? null, seed: row.seed, chunkSize: row.chunkSize ?? DEFAULT_CHUNK_SIZE };
  const id = JSON.stringify(input);
  const memo = planMemo.get(id);
  if (memo) return memo;
  const plan = planSweepCombos(input);
  if (planMemo.size >= 4) planMemo.delete(planMemo.keys().next().value!);
  planMemo.set(id, plan);
  return plan;
}

const warmupMemo = new WeakMap<SweepPlan, number>();

/**
 * The sweep's data: its window plus the largest warm-up over all combos (identical for every chunk). `load` is
 * `loadWindow`, or the chunk job's isolate cache (./window-cache.ts).
 */
export async function loadSweepWindow(
  db: Database,
  plan: SweepPlan,
  key: { venue: string; symbol: string; timeframe: Timeframe },
  from: number,
  to: number,
  load: typeof loadWindow = loadWindow,
): Promise<LoadedWindow> {
  let warm = warmupMemo.get(plan);
  if (warm === undefined) {
    const config = parseBacktestConfig({});
    warm = 0;
    for (const p of plan.warmupCombos) {
      const parsed = plan.strategy.paramsSchema.safeParse(p);
      if (parsed.success) warm = Math.max(warm, warmupCandles(plan.strategy, parsed.data, config));
    }
    warmupMemo.set(plan, warm);
  }
  return load(db, key, from, to, warm);
}

/** A chunk's window through the isolate's cache: served only while the stored data is provably unchanged. */
const cachedWindow: typeof loadWindow = async (db, key, from, to, warmup) => (await loadWindowCached(db, key, from, to, warmup)).window;

export interface CreatedSweep {
  sweep: SweepRow;
  messages: { kind: 'sweep-chunk'; key: string; sweepId: string; chunkIndex: number }[];
}

/** Create the sweep row and its chunk rows (idempotent by id); returns the messages to send, one per chunk. */
export async function createSweepRows(db: Database, req: SweepRequestParsed, opts: { id?: string; codeVersion: string }): Promise<CreatedSweep> {
  const plan = planSweepCombos({ strategyId: req.strategy, baseParams: req.params, method: req.method, samples: req.samples, seed: req.seed, chunkSize: req.chunkSize ?? defaultChunkSize(req.timeframe, req.from, req.to) });
  if (planCount(plan) === 0) throw new RunInputError('the sweep has no combos');
  const id = opts.id ?? crypto.randomUUID();
  const sweep = await createSweep(
    db,
    {
      id,
      strategyId: plan.strategy.id,
      venue: req.venue,
      symbol: req.symbol,
      timeframe: req.timeframe,
      windowFrom: req.from,
      windowTo: req.to,
      method: req.method,
      seed: req.seed,
      space: { ranges: plan.strategy.paramSpace, samples: req.samples ?? null, strategyVersion: plan.strategy.version, invalid: plan.invalid, duplicates: plan.duplicates },
      combos: planCount(plan),
      chunksTotal: plan.chunks.length,
      chunkSize: plan.chunkSize,
      baseParams: plan.base,
      mode: req.mode,
      options: req.gates !== undefined ? { gates: resolveGateSet(req.gates) } : null,
      codeVersion: opts.codeVersion,
      status: 'queued',
    },
    plan.chunks,
  );
  return {
    sweep,
    messages: plan.chunks.map((_, chunkIndex) => ({ kind: 'sweep-chunk' as const, key: `sweep:${id}:${chunkIndex}`, sweepId: id, chunkIndex })),
  };
}

export type ChunkOutcome =
  | { status: 'skipped'; reason: string; merged?: boolean; running?: boolean }
  | { status: 'done'; wallMs: number; merged: boolean; chunksDone: number; chunksTotal: number }
  | { status: 'failed'; error: string; merged?: false };

/** Compute one chunk (pure given the window and the Sentinel reference its combos need, `loadSweepReference`). */
export function computeChunk(plan: SweepPlan, win: LoadedWindow, chunkIndex: number, mode: 'portfolio' | 'slices', ref: LoadedReference | null = null): ChunkOutput {
  const series = toSeries(win.candles, win.key.timeframe, win.key.symbol);
  const combos = plan.combos.slice(chunkIndex * plan.chunkSize, (chunkIndex + 1) * plan.chunkSize);
  const window = { from: win.from, to: win.to };
  const blocks = { edges: sweepBlockEdges(win.from, win.to, TIMEFRAME_MS[win.key.timeframe]) };
  const periods = window;
  const reference = ref ? { reference: { series: ref.series, provenance: referenceProvenance(ref) } } : {};
  const config: SweepRunConfig = mode === 'slices' ? { mode: 'slices', slices: window, blocks, periods } : { mode: 'single', backtest: window, blocks, periods, ...reference };
  if (plan.tpe) return runTpeChunk(series, plan.strategy, { index: chunkIndex, of: plan.chunks.length, samples: plan.tpe.samples, seed: plan.tpe.seed, base: plan.base }, config);
  return runSweepChunk(series, plan.strategy, { index: chunkIndex, of: plan.chunks.length, combos }, config);
}

/** SPA / Reality Check of the sweep's combos (daily returns vs flat and buy-and-hold), or why there is none. */
export function sweepSpaOf(outputs: readonly ChunkOutput[], seed: number): SweepSpa | { status: 'insufficient-data' | 'failed'; reason: string } {
  const p = outputs.map((o) => o.periodReturns);
  if (p.some((x) => x === undefined)) return { status: 'insufficient-data', reason: 'chunks carry no daily returns (computed before SPA was kept)' };
  try {
    return computeSweepSpa(p as ChunkPeriods[], { seed });
  } catch (err) {
    return { status: 'failed', reason: (err as Error).message };
  }
}

export type SweepPboOutcome = (SweepPbo & { wallMs: number }) | SweepPboSkipped | SweepPboDeferred;

/** A PBO too large for one invocation: `ranges` split ranges, one `pbo-chunk` job each (see ./sweep-pbo.ts). */
export interface SweepPboDeferred {
  status: 'deferred';
  reason: string;
  ranges: { from: number; to: number }[];
}

/**
 * The sweep's PBO from its chunks' block statistics, in-process when combos × C(16, 8) splits fits the budget
 * (default `PBO_INLINE_BUDGET`; measured in workerd at ≈ 0.3 µs per combo-split — 200 combos ≈ 0.8 s, see the
 * sweep-chunk test), otherwise deferred to `pbo-chunk` queue jobs over `pboChunkPlan` ranges. Never throws: a
 * failure is recorded with its reason, the sweep still merges.
 */
export function sweepPboOf(outputs: readonly ChunkOutput[], now: Clock, inlineBudget = PBO_INLINE_BUDGET, chunkBudget?: number): SweepPboOutcome {
  const stats = outputs.map((o) => o.blockStats);
  if (stats.some((b) => b === undefined)) return { status: 'insufficient-data', reason: 'chunks carry no block statistics (computed before PBO was kept)' };
  const combos = stats.reduce((a, b) => a + b!.rows.length, 0);
  const splits = cscvSplitCount(SWEEP_PBO_BLOCKS);
  if (combos >= 2 && combos * splits > inlineBudget) {
    const ranges = pboChunkPlan(combos, SWEEP_PBO_BLOCKS, chunkBudget);
    return { status: 'deferred', reason: `${combos} combos × ${splits} splits exceeds the in-process budget of ${inlineBudget}: ${ranges.length} pbo-chunk jobs`, ranges };
  }
  try {
    const t0 = now();
    const res = computeSweepPbo(stats as ChunkBlockStats[]);
    return res.status === 'done' ? { ...res, wallMs: now() - t0 } : res;
  } catch (err) {
    return { status: 'failed', reason: (err as Error).message };
  }
}

/** How a merge hands a large PBO to the queue (the job passes the JOBS binding; absent → computed in-process). */
export interface MergeOptions {
  /** The host's clock, for the chunk's and the PBO's recorded wall time. */
  now: Clock;
  enqueue?: (messages: PboChunkJob[]) => Promise<void>;
  pboInlineBudget?: number;
  /** combo × split evaluations per pbo-chunk job (default PBO_CHUNK_BUDGET). */
  pboChunkBudget?: number;
}

/**
 * The `sweep-chunk` job. Returns what happened (tests count merges). `merged: true` only for the one caller that
 * wrote the sweep's result.
 */
export async function executeSweepChunk(db: Database, sweepId: string, chunkIndex: number, opts: MergeOptions): Promise<ChunkOutcome> {
  const sweep = await getSweepRow(db, sweepId);
  if (!sweep) return { status: 'skipped', reason: 'no such sweep' };
  if (sweep.status === 'done' && opts.enqueue) {
    // The merge wrote the sweep but sending its deferred PBO's messages failed: this redelivery sends them.
    const resent = await resendUnsentPbo(db, sweepId, opts.enqueue);
    if (resent > 0) return { status: 'skipped', reason: `sweep is done; re-sent ${resent} pbo-chunk message(s)` };
  }
  if (sweep.status === 'done' || sweep.status === 'failed') return { status: 'skipped', reason: `sweep is ${sweep.status}` };
  const claimed = await claimSweepChunk(db, sweepId, chunkIndex);
  if (!claimed) {
    // Done already (a redelivery) or running elsewhere. If every chunk is done but the merge owner died, take over.
    if (await reclaimSweepMerge(db, sweepId)) return { status: 'skipped', reason: 'chunk already done', merged: await mergeSweepNow(db, sweepId, opts) };
    const status = await sweepChunkStatus(db, sweepId, chunkIndex);
    return { status: 'skipped', reason: status === 'running' ? 'chunk is running under a live lease' : `chunk is ${status ?? 'missing'}`, running: status === 'running' };
  }
  let plan: SweepPlan;
  let win: LoadedWindow;
  let ref: LoadedReference | null;
  const mode = sweep.mode === 'slices' ? 'slices' : 'portfolio';
  try {
    plan = planOf(sweep);
    win = await loadSweepWindow(db, plan, { venue: sweep.venue, symbol: sweep.symbol, timeframe: sweep.timeframe as Timeframe }, sweep.windowFrom, sweep.windowTo, cachedWindow);
    if (win.windowCount === 0) throw new RunInputError(`no candles for ${sweep.venue}:${sweep.symbol}:${sweep.timeframe} in the window`);
    // Once per chunk, for the window: the reference a combo's Sentinel watches (a missing one is a RunInputError).
    ref = await loadSweepReference(db, plan.strategy, plan.warmupCombos, mode, win);
  } catch (err) {
    if (err instanceof RunInputError) {
      await failSweepChunk(db, sweepId, chunkIndex, err.message, true);
      return { status: 'failed', error: err.message };
    }
    await failSweepChunk(db, sweepId, chunkIndex, (err as Error).message);
    throw err;
  }
  // Wall time of the chunk's compute, in ms. A deployed Worker's clocks (Date.now and performance.now) are frozen
  // during synchronous execution and only advance across I/O, so the compute is bracketed by I/O: t0 after the
  // data load, t1 after one cheap database round trip. The stored figure is compute + one round trip — an upper
  // bound on the chunk's CPU time, never an underestimate (locally, workerd's clock advances normally).
  const t0 = opts.now();
  let out: ChunkOutput;
  try {
    out = computeChunk(plan, win, chunkIndex, mode, ref);
  } catch (err) {
    // A run refused its Sentinel input (no or the wrong reference): bad input, not transient — the sweep fails with it.
    const input = sentinelInputError(err);
    if (input) {
      await failSweepChunk(db, sweepId, chunkIndex, input.message, true);
      return { status: 'failed', error: input.message };
    }
    // Free the claim (failed → re-claimable) so the queue's retry recomputes it.
    await failSweepChunk(db, sweepId, chunkIndex, (err as Error).message);
    throw err;
  }
  await pingDb(db);
  const wallMs = opts.now() - t0;
  const done = await completeSweepChunk(db, sweepId, chunkIndex, { ...out, dataHash: win.dataHash, candleCount: win.windowCount }, wallMs);
  if (!done) return { status: 'skipped', reason: 'chunk completed concurrently' };
  const merged = done.last ? await mergeSweepNow(db, sweepId, opts) : false;
  return { status: 'done', wallMs, merged, chunksDone: done.chunksDone, chunksTotal: done.chunksTotal };
}

/**
 * What the merge stores in `sweeps.result` (shared/research/stored-sweep-result.ts) from the done chunks' stored
 * results: the merged sweep, its PBO (in-process within `pboInlineBudget`, else deferred), SPA and chunk wall times.
 * Pure given the clock; the Lab fixtures build their sweeps with it too.
 */
export function storedSweepResultOf(
  chunks: readonly StoredChunkResult[],
  o: { seed: number; now: Clock; chunkWallMs: number[]; pboInlineBudget: number; pboChunkBudget?: number },
): StoredSweepResult & { pbo: SweepPboOutcome } {
  const merged = mergeSweep(chunks.map(({ index, of, context, combos }) => ({ index, of, context, combos })));
  const spa = sweepSpaOf(chunks, o.seed);
  const pbo = sweepPboOf(chunks, o.now, o.pboInlineBudget, o.pboChunkBudget);
  const wall = o.chunkWallMs;
  return { ...merged, pbo, spa, timing: { chunkWallMs: wall, maxChunkWallMs: Math.max(0, ...wall), totalWallMs: wall.reduce((a, b) => a + b, 0) } };
}

/** Merge every chunk output in chunk order and write the sweep (only if not already done). */
export async function mergeSweepNow(db: Database, sweepId: string, opts: MergeOptions): Promise<boolean> {
  const outputs = await sweepChunkOutputs(db, sweepId);
  // Every chunk through the one schema: a chunk whose stored layout is not a ChunkOutput fails the merge, naming why.
  const chunkOut = outputs.map((o) => chunkResultOrThrow(o.result, `sweep ${sweepId} chunk ${o.chunkIndex}`));
  const result = storedSweepResultOf(chunkOut, {
    seed: (await getSweepRow(db, sweepId))?.seed ?? 1,
    now: opts.now,
    chunkWallMs: outputs.map((o) => o.cpuMs ?? 0),
    pboInlineBudget: opts.enqueue ? (opts.pboInlineBudget ?? PBO_INLINE_BUDGET) : Infinity,
    pboChunkBudget: opts.pboChunkBudget,
  });
  const pbo = result.pbo;
  const first = chunkOut[0];
  const written = await finishSweep(db, sweepId, { result, resultHash: result.resultHash, dataHash: first?.dataHash ?? null, candleCount: first?.candleCount ?? null });
  if (written && pbo.status === 'deferred' && opts.enqueue) {
    // A failed send throws (the chunk message is retried: its redelivery re-sends, see executeSweepChunk).
    await sendPboChunks(db, sweepId, pbo.ranges, opts.enqueue);
  }
  // The caller of a merge that wrote the sweep judges it and applies promotion (shared/app/promote-after.ts).
  return written;
}

/** The whole sweep in-process, serially (CLI, and the reference the distributed merge must equal). */
export async function runSweepSerial(
  db: Database,
  req: SweepRequestParsed,
  now: Clock,
  onProgress?: (done: number, total: number) => void,
): Promise<{ merged: SweepResult; pbo: SweepPboOutcome; spa: ReturnType<typeof sweepSpaOf>; window: LoadedWindow; plan: SweepPlan; chunkWallMs: number[] }> {
  const plan = planSweepCombos({ strategyId: req.strategy, baseParams: req.params, method: req.method, samples: req.samples, seed: req.seed, chunkSize: req.chunkSize ?? defaultChunkSize(req.timeframe, req.from, req.to) });
  const win = await loadSweepWindow(db, plan, { venue: req.venue, symbol: req.symbol, timeframe: req.timeframe }, req.from, req.to);
  if (win.windowCount === 0) throw new RunInputError('no candles in the window');
  const ref = await loadSweepReference(db, plan.strategy, plan.warmupCombos, req.mode, win);
  const outputs: ChunkOutput[] = [];
  const chunkWallMs: number[] = [];
  for (let k = 0; k < plan.chunks.length; k++) {
    const t0 = now();
    outputs.push(asRunInput(() => computeChunk(plan, win, k, req.mode, ref)));
    chunkWallMs.push(now() - t0);
    onProgress?.(k + 1, plan.chunks.length);
    await Promise.resolve();
  }
  return { merged: mergeSweep(outputs), pbo: sweepPboOf(outputs, now, Infinity), spa: sweepSpaOf(outputs, req.seed), window: win, plan, chunkWallMs };
}
