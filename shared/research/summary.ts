/**
 * Compact summaries of a backtest (or slices / walk-forward) result — what a sweep keeps per parameter combo instead
 * of the full trade list — and the objectives that rank them ("net mean bps per trade at binance-taker with at
 * least 10 trades"). Pure and deterministic: the same result gives the same summary, byte for byte.
 */
import { z } from 'zod';
import { canonicalJson } from '../backtest/hash';
import type { Metrics, Trade } from '../backtest/types';
import type { Params } from '../strategies/types';

/** Statistics of one cost view (gross, or one cost preset). Returns are per trade, in bps (1 bps = 1e-4). */
export interface ViewSummary {
  meanBps: number | null;
  medianBps: number | null;
  /** Sample standard deviation (n − 1) of per-trade returns, bps. */
  sdBps: number | null;
  winRate: number | null;
  /** Per-trade Sharpe ratio mean / sd (not annualised): the unit of PSR / DSR and of the trial variance. */
  tradeSharpe: number | null;
  /** Annualised Sharpe of the equity curve (see shared/backtest/metrics.ts). */
  sharpe: number | null;
  sortino: number | null;
  /** Max drawdown of the mark-to-market equity curve, a fraction. */
  maxDrawdown: number;
  profitFactor: number | null;
  totalReturn: number;
  cagr: number | null;
}

/** A net view also carries the mean round-trip cost of its trades under that preset. */
export interface NetViewSummary extends ViewSummary {
  roundTripBps: number | null;
}

/** One sweep member: the params, its key, compact metrics per cost view and the full run's `resultHash`. */
export interface ComboSummary {
  /** `comboKey(params)`: canonical JSON of the full (defaults-filled) params. */
  key: string;
  params: Params;
  trades: number;
  /** Share of candles (slices) with a position. */
  exposure: number;
  gross: ViewSummary;
  net: Record<string, NetViewSummary>;
  breakEvenRoundTripBps: number | null;
  /**
   * The run's hash. Sweeps in single mode (sweep-summary/2.0.0, ../sweep/trade-summary.ts): the compact combo
   * hash `sweepComboHash`, which `comboHashOfResult` reproduces from the full run; otherwise (slices, walk-forward)
   * the full result's `resultHash`.
   */
  resultHash: string;
}

/** The minimal result shape summaries need (BacktestResult, SlicesResult and walk-forward OOS results fit). */
export interface SummarisableResult {
  trades: readonly Trade[];
  gross: Metrics;
  net: Record<string, Metrics>;
  breakEvenRoundTripBps: number | null;
  resultHash: string;
}

/** Stable id of a params object: its canonical JSON (sorted keys, shortest numbers). */
export function comboKey(params: Params): string {
  return canonicalJson(params);
}

const bps = (x: number | null): number | null => (x === null ? null : x * 1e4);

/** Mean, sample sd, and mean/sd of an array (nulls when undefined). */
export function meanSd(xs: ArrayLike<number>): { mean: number | null; sd: number | null; ratio: number | null } {
  const n = xs.length;
  if (n === 0) return { mean: null, sd: null, ratio: null };
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const m = s / n;
  if (n < 2) return { mean: m, sd: null, ratio: null };
  let q = 0;
  for (let i = 0; i < n; i++) q += (xs[i]! - m) ** 2;
  const sd = Math.sqrt(q / (n - 1));
  return { mean: m, sd, ratio: sd > 0 ? m / sd : null };
}

/** The metrics a view summary reads (a full result's `Metrics`, or sweep mode's trade + curve statistics). */
export type ViewMetrics = Pick<Metrics, 'meanReturn' | 'medianReturn' | 'winRate' | 'sharpe' | 'sortino' | 'maxDrawdownEquity' | 'profitFactor' | 'totalReturn' | 'cagr'>;

/** One view's summary from its metrics and its per-trade returns (fractions). */
export function viewSummary(m: ViewMetrics, returns: ArrayLike<number>): ViewSummary {
  const ms = meanSd(returns);
  return {
    meanBps: bps(m.meanReturn),
    medianBps: bps(m.medianReturn),
    sdBps: bps(ms.sd),
    winRate: m.winRate,
    tradeSharpe: ms.ratio,
    sharpe: m.sharpe,
    sortino: m.sortino,
    maxDrawdown: m.maxDrawdownEquity,
    profitFactor: m.profitFactor,
    totalReturn: m.totalReturn,
    cagr: m.cagr,
  };
}

/** Per-trade returns under a view: `'gross'` or a cost preset / model id. */
export function viewReturns(trades: readonly Trade[], viewId: string): number[] {
  if (viewId === 'gross') return trades.map((t) => t.grossReturn);
  return trades.map((t) => {
    const r = t.net[viewId];
    if (r === undefined) throw new Error(`trade has no net return for cost model ${viewId}`);
    return r;
  });
}

/** Summarise a result for a sweep (no trades kept). */
export function summarizeResult(result: SummarisableResult, params: Params): ComboSummary {
  const net: Record<string, NetViewSummary> = {};
  for (const id of Object.keys(result.net).sort()) {
    const rt = result.trades.map((t) => t.roundTripBps[id]!);
    net[id] = { ...viewSummary(result.net[id]!, viewReturns(result.trades, id)), roundTripBps: meanSd(rt).mean };
  }
  return {
    key: comboKey(params),
    params: { ...params },
    trades: result.trades.length,
    exposure: result.gross.exposure,
    gross: viewSummary(result.gross, viewReturns(result.trades, 'gross')),
    net,
    breakEvenRoundTripBps: result.breakEvenRoundTripBps,
    resultHash: result.resultHash,
  };
}

export const OBJECTIVE_METRICS = ['meanBps', 'medianBps', 'tradeSharpe', 'sharpe', 'sortino', 'profitFactor', 'totalReturn', 'cagr'] as const;
export type ObjectiveMetric = (typeof OBJECTIVE_METRICS)[number];

/**
 * What "best" means: maximise `metric` of the `view` (`'gross'` or a cost preset id) among combos with at least
 * `minTrades` trades. Ties go to the smallest combo key, so the choice never depends on evaluation order.
 */
export const objectiveSchema = z.object({
  view: z.string().min(1).default('binance-taker'),
  metric: z.enum(OBJECTIVE_METRICS).default('meanBps'),
  minTrades: z.number().int().min(0).default(10),
});
export type Objective = z.infer<typeof objectiveSchema>;
export type ObjectiveInput = z.input<typeof objectiveSchema>;

/** `view.metric` plus `@n>=K` when a trade floor applies, e.g. `binance-taker.meanBps@n>=10`. */
export function objectiveId(o: Objective): string {
  return `${o.view}.${o.metric}${o.minTrades > 0 ? `@n>=${o.minTrades}` : ''}`;
}

/** The objective's value for a summary, or null (metric undefined, view missing, or below the trade floor). */
export function objectiveValue(s: ComboSummary, o: Objective): number | null {
  if (s.trades < o.minTrades) return null;
  const v = o.view === 'gross' ? s.gross : s.net[o.view];
  if (!v) return null;
  const x = v[o.metric];
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export interface BestCombo {
  key: string;
  params: Params;
  value: number;
}

/** Best summary by the objective (ties → smallest key), or null when none qualifies. */
export function pickBest(summaries: readonly ComboSummary[], o: Objective): BestCombo | null {
  let best: BestCombo | null = null;
  for (const s of summaries) {
    const v = objectiveValue(s, o);
    if (v === null) continue;
    if (best === null || v > best.value || (v === best.value && s.key < best.key)) best = { key: s.key, params: s.params, value: v };
  }
  return best;
}
