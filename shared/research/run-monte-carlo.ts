/**
 * Monte Carlo stored with every backtest run (issue 13 item 3), on the run's primary cost view: a trade-order
 * reshuffle (permutation: same final equity, the path and its drawdown move), a trade resample (with
 * replacement: a final-equity distribution) and a moving-block bootstrap of the run's periodic equity returns
 * (block length Politis–White, recorded). Each gives 5/50/95 % bands of final equity and max drawdown and the
 * probability of ruin at a configurable drawdown (default 30 %). Seeded (the seed is recorded; each method uses
 * seed, seed + 1, seed + 2), deterministic; too few trades or periods are recorded with the count, never a number.
 * The statistics themselves are shared/stats/monte-carlo.ts.
 */
import { z } from 'zod';
import { blockBootstrapMonteCarlo, InsufficientDataError, tradeMonteCarlo, type MonteCarloResult } from '../stats';
import type { EquityCurve, Trade } from '../backtest/types';
import { viewReturns } from './summary';

export const monteCarloRequestSchema = z
  .object({
    paths: z.number().int().min(100).max(20_000).default(1000),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** A path is ruined once its drawdown from the running peak reaches this fraction. */
    ruinDrawdown: z.number().gt(0).max(1).default(0.3),
    /** Equity bands kept at this many evenly spaced steps for a fan chart. */
    fanPoints: z.number().int().min(0).max(200).default(21),
  })
  .strict();
export type MonteCarloRequest = z.input<typeof monteCarloRequestSchema>;

export type MonteCarloPart = (MonteCarloResult & { status: 'done' }) | { status: 'insufficient-data'; reason: string };

export interface RunMonteCarlo {
  view: string;
  seed: number;
  paths: number;
  ruinDrawdown: number;
  trades: number;
  periods: number;
  tradeReshuffle: MonteCarloPart;
  tradeResample: MonteCarloPart;
  blockBootstrap: MonteCarloPart;
}

function guarded(f: () => MonteCarloResult): MonteCarloPart {
  try {
    return { status: 'done', ...f() };
  } catch (err) {
    if (err instanceof InsufficientDataError) return { status: 'insufficient-data', reason: err.message };
    throw err;
  }
}

/** Periodic simple returns of an equity curve (e_t / e_{t−1} − 1), from the start equity `initial` (default e_0). */
export function equityReturns(curve: Pick<EquityCurve, 'equity'>, initial?: number): number[] {
  const e = curve.equity;
  const out: number[] = [];
  let prev = initial ?? e[0];
  for (let i = initial === undefined ? 1 : 0; i < e.length; i++) {
    out.push(prev! > 0 ? e[i]! / prev! - 1 : 0);
    prev = e[i];
  }
  return out;
}

/** The run's Monte Carlo on `view` (per-trade net returns and the view's equity curve). */
export function runMonteCarlo(trades: readonly Trade[], equity: Pick<EquityCurve, 'equity'> | undefined, view: string, request: MonteCarloRequest = {}): RunMonteCarlo {
  const o = monteCarloRequestSchema.parse(request);
  const r = trades.length ? viewReturns(trades, view) : [];
  const periods = equity ? equityReturns(equity) : [];
  const common = { paths: o.paths, ruinDrawdown: o.ruinDrawdown, fanPoints: o.fanPoints };
  return {
    view,
    seed: o.seed,
    paths: o.paths,
    ruinDrawdown: o.ruinDrawdown,
    trades: r.length,
    periods: periods.length,
    tradeReshuffle: guarded(() => tradeMonteCarlo(r, { ...common, seed: o.seed, method: 'permutation' })),
    tradeResample: guarded(() => tradeMonteCarlo(r, { ...common, seed: o.seed + 1, method: 'resample' })),
    blockBootstrap: guarded(() => blockBootstrapMonteCarlo(periods, { ...common, seed: o.seed + 2 })),
  };
}
