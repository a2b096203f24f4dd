/**
 * White's Reality Check and Hansen's SPA for a sweep (issue 13 item 2, within one sweep): each chunk keeps, per
 * combo, its per-trade net returns under the PBO's view summed by exit time into daily periods of the window
 * (sparse: only the days with an exit), and the underlying's buy-and-hold return per day (close-to-close,
 * assigned by candle close time). The merge stacks them into a combos × days matrix and runs
 * `superiorPredictiveAbility` (stationary bootstrap, Politis–Romano 1994; block length by Politis–White,
 * recorded) against flat (0 every day) and against buy-and-hold, reporting the SPA lower / consistent / upper and
 * the Reality Check p-values. Summing a day's trade returns is the day's P&L under full-equity sizing (additive).
 *
 * `familySpa` widens it to every trial the family recorded on the same series and window (other sweeps' combos and
 * single runs), computed on request so it always counts the trials recorded so far.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { TIMEFRAME_MS } from '../candles/timeframe';
import type { Trade } from '../backtest/types';
import { superiorPredictiveAbility, InsufficientDataError, StatsInputError, type SpaResult } from '../stats';
import { viewReturns } from './summary';

export const DAY_MS = 86_400_000;
export const SWEEP_SPA_REPS = 1000;

/** Daily grid of a window: period k is [from + k·day, from + (k+1)·day); the last one also takes exits up to to + one candle. */
export interface PeriodGrid {
  from: number;
  step: number;
  count: number;
}

export function dailyGrid(from: number, to: number): PeriodGrid {
  if (!(to > from)) throw new Error(`dailyGrid: window [${from}, ${to}) is empty`);
  return { from, step: DAY_MS, count: Math.ceil((to - from) / DAY_MS) };
}

function periodOf(g: PeriodGrid, t: number): number {
  const k = Math.floor((t - g.from) / g.step);
  return Math.min(g.count - 1, Math.max(0, k));
}

export const comboPeriodsSchema = z.object({ key: z.string(), idx: z.array(z.number().int().nonnegative()), val: z.array(z.number().finite()) }).strict();
export type ComboPeriods = z.infer<typeof comboPeriodsSchema>;
export const chunkPeriodsSchema = z
  .object({
    view: z.string(),
    grid: z.object({ from: z.number(), step: z.number().positive(), count: z.number().int().positive() }).strict(),
    benchmark: z.array(z.number().finite()),
    rows: z.array(comboPeriodsSchema),
  })
  .strict();
export type ChunkPeriods = z.infer<typeof chunkPeriodsSchema>;

/** A combo's daily returns, sparse (days with at least one exit, ascending). */
export function comboPeriods(key: string, trades: readonly Trade[], view: string, g: PeriodGrid): ComboPeriods {
  const r = trades.length ? viewReturns(trades, view) : [];
  const by = new Map<number, number>();
  trades.forEach((t, i) => {
    if (t.exitTime < g.from) throw new Error(`comboPeriods: exit at ${t.exitTime} before the window start ${g.from}`);
    const k = periodOf(g, t.exitTime);
    by.set(k, (by.get(k) ?? 0) + r[i]!);
  });
  const idx = [...by.keys()].sort((a, b) => a - b);
  return { key, idx, val: idx.map((k) => by.get(k)!) };
}

/** Buy-and-hold return per day: the product of candle close-to-close returns whose close time falls in the day. */
export function buyAndHoldPeriods(series: CandleSeries, g: PeriodGrid, to: number): number[] {
  const tf = TIMEFRAME_MS[series.timeframe];
  const growth = new Array<number>(g.count).fill(1);
  for (let i = 1; i < series.length; i++) {
    const open = series.openTime[i]!;
    if (open < g.from || open >= to) continue;
    const prev = series.close[i - 1]!;
    if (!(prev > 0)) continue;
    const k = periodOf(g, open + tf - 1);
    growth[k]! *= series.close[i]! / prev;
  }
  return growth.map((x) => x - 1);
}

export interface SweepSpaSide {
  benchmark: 'flat' | 'buy-and-hold';
  status: 'done';
  spa: { lower: number; consistent: number; upper: number; statistic: number };
  realityCheck: { pValue: number; statistic: number };
  best: string;
  blockLength: number;
  blockLengthSource: SpaResult['blockLengthSource'];
}
export type SweepSpaOutcome = SweepSpaSide | { benchmark: 'flat' | 'buy-and-hold'; status: 'insufficient-data' | 'failed'; reason: string };

export interface SweepSpa {
  view: string;
  strategies: number;
  observations: number;
  period: 'day';
  reps: number;
  seed: number;
  vsFlat: SweepSpaOutcome;
  vsBuyAndHold: SweepSpaOutcome;
  scope: 'this-sweep' | 'family';
}

/** Dense combos × days matrix (rows by combo key) and the benchmark, from chunk outputs. */
export function sweepPeriodMatrix(chunks: readonly ChunkPeriods[]): { keys: string[]; rows: Float64Array[]; benchmark: number[]; view: string; grid: PeriodGrid } {
  if (!chunks.length) throw new StatsInputError('no chunk period returns');
  const parsed = chunks.map((c) => chunkPeriodsSchema.parse(c));
  const { view, grid, benchmark } = parsed[0]!;
  const sig = JSON.stringify([view, grid, benchmark]);
  const by = new Map<string, ComboPeriods>();
  for (const [i, c] of parsed.entries()) {
    if (JSON.stringify([c.view, c.grid, c.benchmark]) !== sig) throw new StatsInputError(`chunk ${i} used a different view, period grid or benchmark`);
    for (const r of c.rows) by.set(r.key, r);
  }
  const keys = [...by.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = keys.map((k) => {
    const r = by.get(k)!;
    const out = new Float64Array(grid.count);
    r.idx.forEach((d, j) => (out[d] = r.val[j]!));
    return out;
  });
  return { keys, rows, benchmark, view, grid };
}

function side(benchmark: 'flat' | 'buy-and-hold', f: () => SpaResult, keys: readonly string[]): SweepSpaOutcome {
  try {
    const r = f();
    return {
      benchmark,
      status: 'done',
      spa: { ...r.spa.pValues, statistic: r.spa.statistic },
      realityCheck: { pValue: r.realityCheck.pValue, statistic: r.realityCheck.statistic },
      best: keys[r.best]!,
      blockLength: r.blockLength,
      blockLengthSource: r.blockLengthSource,
    };
  } catch (err) {
    if (err instanceof InsufficientDataError) return { benchmark, status: 'insufficient-data', reason: err.message };
    if (err instanceof StatsInputError) return { benchmark, status: 'failed', reason: err.message };
    throw err;
  }
}

/** SPA and Reality Check of the sweep's combos vs flat and vs buy-and-hold (seeded; block length automatic). */
export function computeSweepSpa(chunks: readonly ChunkPeriods[], opts: { seed?: number; reps?: number } = {}): SweepSpa {
  const m = sweepPeriodMatrix(chunks);
  const seed = opts.seed ?? 1;
  const reps = opts.reps ?? SWEEP_SPA_REPS;
  return {
    view: m.view,
    strategies: m.keys.length,
    observations: m.grid.count,
    period: 'day',
    reps,
    seed,
    vsFlat: side('flat', () => superiorPredictiveAbility({ series: m.rows, kind: 'returns', benchmark: 'flat' }, { reps, seed }), m.keys),
    vsBuyAndHold: side('buy-and-hold', () => superiorPredictiveAbility({ series: m.rows, kind: 'returns', benchmark: m.benchmark }, { reps, seed }), m.keys),
    scope: 'this-sweep',
  };
}

/** One family trial for SPA across the family: a sweep chunk's rows or a recorded run's trades. */
export interface FamilyTrialsInput {
  /** The sweep whose grid, view and benchmark define the comparison. */
  reference: ChunkPeriods;
  sweepChunks: { sweepId: string; strategyId: string; periods: ChunkPeriods }[];
  runs: { strategyId: string; params: unknown; trades: { exitTime: number; net: Record<string, number> }[] }[];
}

/**
 * SPA / Reality Check across every trial the family recorded on the reference sweep's series and window (Hansen
 * 2005: the p-value must account for every model tried): each sweep's combos and each single run, keyed by
 * strategy and params (the same trial recorded twice counts once), on the reference's daily grid and benchmark.
 * Sweeps scored on another view or grid are left out and counted.
 */
export function familySpa(input: FamilyTrialsInput, opts: { seed?: number; reps?: number } = {}): SweepSpa & { scope: 'family'; sweepsUsed: number; runsUsed: number; leftOut: number } {
  const ref = chunkPeriodsSchema.parse(input.reference);
  const sig = JSON.stringify([ref.view, ref.grid, ref.benchmark]);
  const chunks: ChunkPeriods[] = [];
  const left = new Set<string>();
  const used = new Set<string>();
  for (const c of input.sweepChunks) {
    const p = chunkPeriodsSchema.parse(c.periods);
    if (JSON.stringify([p.view, p.grid, p.benchmark]) !== sig) {
      left.add(c.sweepId);
      continue;
    }
    used.add(c.sweepId);
    chunks.push({ ...p, rows: p.rows.map((r) => ({ ...r, key: `${c.strategyId} ${r.key}` })) });
  }
  const runRows = input.runs.map((r) => {
    const trades = r.trades.filter((t) => typeof t.net[ref.view] === 'number' || ref.view === 'gross').map((t) => ({ exitTime: t.exitTime, grossReturn: 0, net: t.net }) as unknown as Trade);
    const params = r.params && typeof r.params === 'object' ? Object.fromEntries(Object.entries(r.params as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : r.params;
    return comboPeriods(`${r.strategyId} ${JSON.stringify(params)}`, trades, ref.view, ref.grid);
  });
  if (runRows.length) chunks.push({ view: ref.view, grid: ref.grid, benchmark: ref.benchmark, rows: runRows });
  const spa = computeSweepSpa(chunks.length ? chunks : [ref], opts);
  return { ...spa, scope: 'family', sweepsUsed: used.size, runsUsed: runRows.length, leftOut: left.size };
}
