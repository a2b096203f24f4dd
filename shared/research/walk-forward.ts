/**
 * Walk-forward evaluation, two kinds:
 *
 * (a) `slidingWalkForward` — the 4h platform's sliding evaluation cut into consecutive windows (e.g. 30 days):
 *     `runSlices` per window (slices assigned to the window containing their START, so the windows partition the
 *     slices of one whole run exactly), with per-window and pooled coverage and returns. No optimisation.
 *
 * (b) `walkForward` — rolling (or anchored) in-sample optimisation with out-of-sample testing over N folds. For
 *     each fold the combo maximising the objective on the in-sample window is chosen, then traded, unchanged, on
 *     the following out-of-sample window. Only OUT-OF-SAMPLE trades are reported as the result (concatenated over
 *     folds, priced and measured like any backtest); in-sample figures appear only per fold, as the selection
 *     record and for the walk-forward efficiency.
 *
 * Leakage rules: each in-sample run sees the series truncated at its window's end (a position open there closes
 * at that candle's close), so no in-sample figure uses a later price; each out-of-sample run sees the series
 * truncated at its window's end too, so fold trades never overlap the next fold. Warm-up history before a window
 * is used (the strategies are causal), never trades.
 *
 * Walk-forward efficiency (Pardo): WFE = annualised OOS return / annualised IS return, where a window's annualised
 * return = Σ per-trade returns of the objective's view (net at its preset, or gross) ÷ the window's length in
 * years (simple, non-compounded, full equity per trade; a year = 365 days). Aggregate WFE pools all folds:
 * (Σ OOS returns / Σ OOS years) ÷ (Σ IS returns of the chosen combos / Σ IS years). Null when the IS figure is ≤ 0.
 * WFE ≥ 0.5 is the usual rule of thumb for a robust optimisation; negative means the OOS lost money.
 */
import { z } from 'zod';
import { parseBacktestConfig, parsedWithStrategyRisk, type BacktestConfig, type BacktestConfigInput } from '../backtest/config';
import { emptySkips, runBacktest, warmupCandles } from '../backtest/engine';
import { hashCanonical } from '../backtest/hash';
import { YEAR_MS, tradeStats } from '../backtest/metrics';
import { buildResult } from '../backtest/result';
import { runSlices, slicesConfigSchema, type SlicesConfigInput } from '../backtest/slices';
import type { BacktestResult, RawTrade, SkipCounts, Trade } from '../backtest/types';
import { lowerBound } from '../backtest/version';
import { sliceSeries, type CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import type { Params, Strategy } from '../strategies/types';
import type { SweepableStrategy } from './sweep';
import { tpeSearch } from './tpe';
import {
  meanSd,
  objectiveSchema,
  objectiveValue,
  pickBest,
  summarizeResult,
  viewReturns,
  type BestCombo,
  type ComboSummary,
  type NetViewSummary,
  type Objective,
  type ViewSummary,
} from './summary';

/** Pooled statistics of a list of per-trade returns. */
export interface PooledStats {
  trades: number;
  meanBps: number | null;
  medianBps: number | null;
  sdBps: number | null;
  winRate: number | null;
  tradeSharpe: number | null;
  /** Σ returns (non-compounded). */
  sumReturn: number;
  compoundedReturn: number;
}

export function pooledStats(returns: readonly number[]): PooledStats {
  const t = tradeStats(returns);
  const ms = meanSd(returns);
  return {
    trades: t.trades,
    meanBps: t.meanReturn === null ? null : t.meanReturn * 1e4,
    medianBps: t.medianReturn === null ? null : t.medianReturn * 1e4,
    sdBps: ms.sd === null ? null : ms.sd * 1e4,
    winRate: t.winRate,
    tradeSharpe: ms.ratio,
    sumReturn: returns.reduce((a, b) => a + b, 0),
    compoundedReturn: t.compoundedReturn,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// (a) Sliding evaluation per window (4h platform)

export interface SlidingWindowReport {
  /** Window [from, to): slices STARTING in it belong to it (ms). */
  from: number;
  to: number;
  slices: number;
  slicesMissingData: number;
  trades: number;
  coverage: number;
  gross: ViewSummary;
  net: Record<string, NetViewSummary>;
  resultHash: string;
}

export interface SlidingWalkResult {
  strategy: { id: string; version: string; params: Params };
  windowMs: number;
  windows: SlidingWindowReport[];
  aggregate: {
    slices: number;
    slicesMissingData: number;
    trades: number;
    coverage: number;
    gross: PooledStats;
    net: Record<string, PooledStats>;
    /** Share of windows with at least one trade whose mean return (per view) is > 0. */
    positiveWindowShare: Record<string, number | null>;
  };
  resultHash: string;
}

/**
 * The sliding-slice evaluation cut into windows of `windowMs` on the UTC grid (multiples of `windowMs` since the
 * epoch; must be a multiple of the slice shift). Each window calls `runSlices` with `from` = window start and
 * `to` = window end + slice window − shift, so every slice belongs to exactly one window (its start) and the
 * pooled trades equal one whole `runSlices` run's.
 */
export function slidingWalkForward<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  opts: { windowMs: number; slices?: SlicesConfigInput },
): SlidingWalkResult {
  const cfg = slicesConfigSchema.parse(opts.slices ?? {});
  const { windowMs } = opts;
  if (!(windowMs > 0) || windowMs % cfg.shiftMs !== 0) throw new Error(`windowMs ${windowMs} must be a positive multiple of the slice shift ${cfg.shiftMs}`);
  const n = series.length;
  const tf = timeframeMs(series.timeframe);
  const windows: SlidingWindowReport[] = [];
  const pooled: Trade[] = [];
  let slices = 0;
  let missing = 0;
  if (n > 0) {
    const first = Math.max(series.openTime[0]!, cfg.from ?? -Infinity);
    const end = Math.min(series.openTime[n - 1]! + tf, cfg.to ?? Infinity);
    for (let a = Math.floor(first / windowMs) * windowMs; a < end; a += windowMs) {
      const b = a + windowMs;
      const r = runSlices(series, strategy, params, {
        ...cfg,
        from: Math.max(a, cfg.from ?? a),
        to: Math.min(b + cfg.windowMs - cfg.shiftMs, end),
      });
      const s = summarizeResult(r, params);
      windows.push({
        from: a,
        to: b,
        slices: r.slices,
        slicesMissingData: r.slicesMissingData,
        trades: r.trades.length,
        coverage: r.coverage,
        gross: s.gross,
        net: s.net,
        resultHash: r.resultHash,
      });
      slices += r.slices;
      missing += r.slicesMissingData;
      pooled.push(...r.trades);
    }
  }
  const views = ['gross', ...Object.keys(windows[0]?.net ?? {}).sort()];
  const net: Record<string, PooledStats> = {};
  const positiveWindowShare: Record<string, number | null> = {};
  for (const v of views) {
    if (v !== 'gross') net[v] = pooledStats(viewReturns(pooled, v));
    const traded = windows.filter((w) => w.trades > 0);
    const pos = traded.filter((w) => ((v === 'gross' ? w.gross : w.net[v])?.meanBps ?? 0) > 0).length;
    positiveWindowShare[v] = traded.length > 0 ? pos / traded.length : null;
  }
  const body = {
    strategy: { id: strategy.id, version: strategy.version, params: { ...params } },
    windowMs,
    windows,
    aggregate: {
      slices,
      slicesMissingData: missing,
      trades: pooled.length,
      coverage: slices > 0 ? pooled.length / slices : 0,
      gross: pooledStats(viewReturns(pooled, 'gross')),
      net,
      positiveWindowShare,
    },
  };
  return { ...body, resultHash: hashCanonical(body) };
}

// ---------------------------------------------------------------------------------------------------------------
// (b) In-sample optimisation, out-of-sample test

export const walkForwardOptionsSchema = z.object({
  folds: z.number().int().min(1).default(5),
  /** rolling: IS is the fixed-length window just before each OOS; anchored: IS runs from the start. */
  scheme: z.enum(['rolling', 'anchored']).default('rolling'),
  /** In-sample length as a multiple of the out-of-sample length (rolling; anchored's first IS has this length). */
  isToOos: z.number().positive().default(3),
  /**
   * Purge/embargo gap in candles between each in-sample window's end and its out-of-sample start (no candle of
   * the gap is used for selection or testing), so a position or indicator state straddling the boundary cannot
   * leak the OOS start into the selection. Absent = 0 (kept absent so older results hash the same).
   */
  gap: z.number().int().min(0).optional(),
  /** The selection rule on the in-sample window (also the view used for WFE). */
  objective: objectiveSchema.prefault({}),
  /** Limit the walk to candles with open time in [from, to) (ms); default the whole series after warm-up. */
  from: z.number().optional(),
  to: z.number().optional(),
});
export type WalkForwardOptions = z.infer<typeof walkForwardOptionsSchema>;
export type WalkForwardOptionsInput = z.input<typeof walkForwardOptionsSchema>;

/** Candle index ranges of one fold: IS [isStart, isEnd), OOS [oosStart, oosEnd); isEnd = oosStart − gap. */
export interface FoldLayout {
  isStart: number;
  isEnd: number;
  oosStart: number;
  oosEnd: number;
}

/**
 * Fold layout over candle indices [start, end): OOS length L = ⌊(end − start) / (folds + isToOos)⌋, IS length
 * ⌊isToOos·L⌋; fold f tests [start + IS + f·L, + L) (the last fold runs to `end`); its IS is the IS-length window
 * just before (rolling) or everything from `start` (anchored).
 */
export function walkForwardFolds(start: number, end: number, opts: { folds: number; scheme: 'rolling' | 'anchored'; isToOos: number; gap?: number }): FoldLayout[] {
  const gap = opts.gap ?? 0;
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`walk-forward: gap must be a non-negative integer of candles, got ${gap}`);
  const L = Math.floor((end - start - gap) / (opts.folds + opts.isToOos));
  const isLen = Math.floor(opts.isToOos * L);
  if (L < 1 || isLen < 1) throw new Error(`walk-forward: ${end - start} candles are too few for ${opts.folds} folds with IS = ${opts.isToOos}×OOS${gap ? ` and a ${gap}-candle gap` : ''}`);
  const out: FoldLayout[] = [];
  for (let f = 0; f < opts.folds; f++) {
    const oosStart = start + isLen + gap + f * L;
    const oosEnd = f === opts.folds - 1 ? end : oosStart + L;
    out.push({ isStart: opts.scheme === 'anchored' ? start : oosStart - gap - isLen, isEnd: oosStart - gap, oosStart, oosEnd });
  }
  return out;
}

export interface FoldReport {
  index: number;
  /** Window bounds as times: [from, to) with `to` the close time of the window's last candle. */
  is: { from: number; to: number; candles: number };
  oos: { from: number; to: number; candles: number };
  /** The combo chosen in-sample, or null when none met the objective's trade floor (the fold then stays flat). */
  chosen: BestCombo | null;
  /** Combos that met the trade floor in-sample. */
  qualifying: number;
  /** In-sample summary of the chosen combo (selection record; NOT part of the reported performance). */
  inSample: ComboSummary | null;
  /** Out-of-sample summary of the chosen combo on this fold. */
  outOfSample: ComboSummary | null;
  /** Annualised simple return on the objective's view (see module doc). */
  isAnnualReturn: number | null;
  oosAnnualReturn: number;
  wfe: number | null;
}

export interface WalkForwardResult {
  strategy: { id: string; version: string };
  options: WalkForwardOptions;
  combos: number;
  folds: FoldReport[];
  /**
   * The OUT-OF-SAMPLE result: all folds' OOS trades concatenated and measured over the span of the OOS windows
   * (a BacktestResult; its `strategy.params` is {} because params change per fold — see `folds[].chosen`).
   */
  oos: BacktestResult;
  /** Aggregate walk-forward efficiency on the objective's view (see module doc). */
  wfe: number | null;
  isAnnualReturn: number | null;
  oosAnnualReturn: number;
  /** Share of folds with at least one OOS trade whose mean return on the objective's view is > 0. */
  oosPositiveFoldShare: number | null;
  /** A TPE in-sample search: its settings and the distinct combos it tried over all folds (absent for grid / random). */
  search?: { method: 'tpe'; samples: number; seed: number; trials: number };
  resultHash: string;
}

const stripTrade = (t: Trade): RawTrade => {
  const { roundTripBps: _r, net: _n, ...raw } = t;
  return raw;
};

function sumOnView(s: ComboSummary | null, o: Objective): number {
  if (!s || s.trades === 0) return 0;
  const v = o.view === 'gross' ? s.gross : s.net[o.view];
  return v && v.meanBps !== null ? (v.meanBps / 1e4) * s.trades : 0;
}

/** A TPE in-sample search (./tpe.ts): per fold, `samples` seeded trials over the strategy's space on `base`. */
export interface WalkForwardTpe<P extends Params = Params> {
  samples: number;
  seed: number;
  base: Readonly<P>;
}

/**
 * Walk-forward optimisation over `combos` (e.g. from `gridCombos`). Every combo is backtested on every fold's IS
 * window (cost: combos × folds backtests); the best by `objective` (ties → smallest key) is then run on the OOS
 * window. Folds start after the largest warm-up among the combos, so all combos see the same windows. With `tpe`
 * the in-sample step is a seeded TPE search of `tpe.samples` trials per fold instead (seed + fold index), and
 * `combos` is the space it may propose from (for the warm-up); the result then records `search` with the number
 * of distinct trials run (what the trial registry counts). Every IS and OOS run applies the combo's declared
 * risk rules; `inputs.reference` is the Sentinel's series when they watch another symbol (as for `runBacktest`).
 */
export function walkForward<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  combos: readonly P[],
  optsInput: WalkForwardOptionsInput = {},
  backtest: BacktestConfigInput = {},
  tpe?: WalkForwardTpe<P>,
  inputs: { reference?: CandleSeries } = {},
): WalkForwardResult {
  if (combos.length === 0) throw new Error('walk-forward: no combos');
  const opts = walkForwardOptionsSchema.parse(optsInput);
  const o = opts.objective;
  const baseInput = { ...backtest, from: undefined, to: undefined };
  const base = parseBacktestConfig(baseInput);
  const n = series.length;
  const tf = timeframeMs(series.timeframe);
  const { openTime } = series;
  const warm = Math.max(...combos.map((p) => warmupCandles(strategy, p, base)));
  const start = Math.max(warm, opts.from !== undefined ? lowerBound(openTime, opts.from) : 0);
  const end = opts.to !== undefined ? Math.min(n, lowerBound(openTime, opts.to)) : n;
  const layout = walkForwardFolds(start, end, opts);
  const timeOf = (i: number): number => (i < n ? openTime[i]! : openTime[n - 1]! + tf);
  const years = (a: number, b: number): number => ((b - a) * tf) / YEAR_MS;
  const run = (p: P, a: number, b: number): BacktestResult => {
    const cfg: BacktestConfig = { ...parsedWithStrategyRisk(strategy, p, baseInput, base), from: openTime[a]!, to: undefined };
    return runBacktest(sliceSeries(series, 0, b), strategy, p, cfg, inputs);
  };

  const folds: FoldReport[] = [];
  const oosRaw: RawTrade[] = [];
  const skipped: SkipCounts = emptySkips();
  let isSum = 0;
  let isYears = 0;
  let oosSum = 0;
  let oosYears = 0;
  let traded = 0;
  let positive = 0;
  const tried = new Set<string>();
  const inSampleOf = (L: FoldLayout, index: number): { p: P; s: ComboSummary }[] => {
    if (!tpe) return combos.map((p) => ({ p, s: summarizeResult(run(p, L.isStart, L.isEnd), p) }));
    const out: { p: P; s: ComboSummary }[] = [];
    const sweepable = { defaults: tpe.base, paramsSchema: strategy.paramsSchema, paramSpace: strategy.paramSpace } as SweepableStrategy<P>;
    tpeSearch(
      sweepable,
      (p) => {
        const s = summarizeResult(run(p, L.isStart, L.isEnd), p);
        out.push({ p, s });
        tried.add(s.key);
        return objectiveValue(s, o);
      },
      { seed: tpe.seed + index, nTrials: tpe.samples },
    );
    return out;
  };
  layout.forEach((L, index) => {
    const evaluated = inSampleOf(L, index);
    const summaries = evaluated.map((e) => e.s);
    const chosen = pickBest(summaries, o);
    const inSample = chosen ? summaries.find((s) => s.key === chosen.key)! : null;
    let outOfSample: ComboSummary | null = null;
    if (chosen) {
      const p = evaluated.find((e) => e.s.key === chosen.key)!.p;
      const r = run(p, L.oosStart, L.oosEnd);
      outOfSample = summarizeResult(r, p);
      oosRaw.push(...r.trades.map(stripTrade));
      for (const k of Object.keys(skipped) as (keyof SkipCounts)[]) skipped[k] += r.skipped[k];
    }
    const isY = years(L.isStart, L.isEnd);
    const oosY = years(L.oosStart, L.oosEnd);
    const isR = sumOnView(inSample, o);
    const oosR = sumOnView(outOfSample, o);
    isSum += isR;
    isYears += isY;
    oosSum += oosR;
    oosYears += oosY;
    if (outOfSample && outOfSample.trades > 0) {
      traded++;
      const v = o.view === 'gross' ? outOfSample.gross : outOfSample.net[o.view];
      if ((v?.meanBps ?? 0) > 0) positive++;
    }
    const isAnnual = inSample ? isR / isY : null;
    const oosAnnual = oosR / oosY;
    folds.push({
      index,
      is: { from: openTime[L.isStart]!, to: timeOf(L.isEnd), candles: L.isEnd - L.isStart },
      oos: { from: openTime[L.oosStart]!, to: timeOf(L.oosEnd), candles: L.oosEnd - L.oosStart },
      chosen,
      qualifying: summaries.filter((s) => s.trades >= o.minTrades).length,
      inSample,
      outOfSample,
      isAnnualReturn: isAnnual,
      oosAnnualReturn: oosAnnual,
      wfe: isAnnual !== null && isAnnual > 0 ? oosAnnual / isAnnual : null,
    });
  });
  const first = layout[0]!.oosStart;
  const window = { from: openTime[first]!, to: timeOf(end) };
  const oos = buildResult(series, strategy, {} as P, { ...base, from: window.from, to: window.to }, window, oosRaw, skipped);
  const isAnnualReturn = isYears > 0 && folds.some((f) => f.chosen) ? isSum / isYears : null;
  const oosAnnualReturn = oosYears > 0 ? oosSum / oosYears : 0;
  const body = {
    strategy: { id: strategy.id, version: strategy.version },
    options: opts,
    combos: combos.length,
    folds,
    oos,
    wfe: isAnnualReturn !== null && isAnnualReturn > 0 ? oosAnnualReturn / isAnnualReturn : null,
    isAnnualReturn,
    oosAnnualReturn,
    oosPositiveFoldShare: traded > 0 ? positive / traded : null,
    // Only TPE walks carry it (grid / random results hash as before).
    ...(tpe ? { search: { method: 'tpe' as const, samples: tpe.samples, seed: tpe.seed, trials: tried.size } } : {}),
  };
  return { ...body, resultHash: hashCanonical(body) };
}

