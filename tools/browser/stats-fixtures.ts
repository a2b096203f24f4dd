/**
 * Issue-13 statistics for the Lab fixtures, computed with the real functions on the fixture trades and candles
 * (never hand-typed numbers): a run's Monte Carlo (runMonteCarlo), lookahead audit (auditLookahead of the registry's
 * SMA crossover on the same candles), the gate set and study gates (evaluateStudyGates), and a sweep's PBO
 * (comboBlockStats → computeSweepPbo) and SPA / Reality Check (comboPeriods + buyAndHoldPeriods → computeSweepSpa).
 * Pure TypeScript (no Node APIs), deterministic: seeded, same inputs give the same JSON.
 */
import type { Candle } from '../../shared/candles/candle';
import { toSeries } from '../../shared/candles/candle';
import type { Timeframe } from '../../shared/candles/timeframe';
import type { Trade } from '../../shared/backtest/types';
import { auditLookahead, type LookaheadAudit } from '../../shared/backtest/lookahead-audit';
import { getStrategy } from '../../shared/strategies/registry';
import { runMonteCarlo, type RunMonteCarlo } from '../../shared/research/run-monte-carlo';
import { comboBlockStats, computeSweepPbo, sweepBlockEdges, type SweepPbo, type SweepPboSkipped } from '../../shared/research/sweep-pbo';
import { buyAndHoldPeriods, comboPeriods, computeSweepSpa, dailyGrid, type SweepSpa } from '../../shared/research/sweep-spa';
import { evaluateStudyGates, GATE_SETS, type GateSet, type StudyGateCheck } from '../../shared/research/gate-sets';
import type { FixtureTrade } from './lab-fixtures';

const TF_MS: Record<string, number> = { '1m': 60e3, '5m': 300e3, '15m': 900e3, '1h': 3600e3, '4h': 14400e3, '1d': 86400e3 };

/** The engine's trade shape from a fixture trade (net per cost model under `net`). */
export function asEngineTrade(t: FixtureTrade): Trade {
  return { ...t, net: t.netReturns, roundTripBps: {} } as unknown as Trade;
}

export interface RunStats {
  monteCarlo: RunMonteCarlo;
  lookahead: LookaheadAudit;
  gateSet: GateSet;
  studyGates: StudyGateCheck[];
}

/** Monte Carlo on the trades at `view`, the lookahead audit of the SMA crossover on `candles`, and the gates. */
export function runStats(o: { trades: readonly FixtureTrade[]; candles: readonly Candle[]; timeframe: Timeframe; view: string; pbo?: number | null; spaPValue?: number | null; gateSet?: string }): RunStats {
  const trades = o.trades.map(asEngineTrade);
  // Trade-closed equity (each trade's net return compounded at its exit) as the periodic curve for the block bootstrap.
  let e = 1;
  const equity = { equity: [1, ...trades.map((t) => (e *= 1 + t.net[o.view]!))] };
  const monteCarlo = runMonteCarlo(trades, equity, o.view, { paths: 500, seed: 7 });
  const sma = getStrategy('dsta-sma-crossover');
  if (!sma || sma.kind !== 'single') throw new Error('runStats: dsta-sma-crossover is not a registered single-series strategy');
  const lookahead = auditLookahead(sma, toSeries(o.candles, o.timeframe), sma.defaults, { seed: 1 });
  const gateSet = GATE_SETS[o.gateSet ?? 'default']!;
  const rs = monteCarlo.tradeResample;
  const studyGates = evaluateStudyGates(gateSet, { pbo: o.pbo ?? null, spaPValue: o.spaPValue ?? null, mcDrawdownP95: rs.status === 'done' ? rs.maxDrawdown.p95 : null });
  return { monteCarlo, lookahead, gateSet, studyGates };
}

/** PBO and SPA of a sweep's combos (each combo's trades at `view`) over the candles' window. */
export function sweepStats(o: { combos: { key: string; trades: readonly FixtureTrade[] }[]; candles: readonly Candle[]; timeframe: Timeframe; view: string }): { pbo: SweepPbo | SweepPboSkipped; spa: SweepSpa } {
  const from = o.candles[0]!.openTime;
  const to = o.candles.at(-1)!.openTime + TF_MS[o.timeframe]!;
  const edges = sweepBlockEdges(from, to, TF_MS[o.timeframe]!);
  const rows = o.combos.map((c) => comboBlockStats(c.key, c.trades.map(asEngineTrade), o.view, edges));
  const pbo = computeSweepPbo([{ view: o.view, edges, rows }]);
  const grid = dailyGrid(from, to);
  const benchmark = buyAndHoldPeriods(toSeries(o.candles, o.timeframe), grid, to);
  const spa = computeSweepSpa([{ view: o.view, grid, benchmark, rows: o.combos.map((c) => comboPeriods(c.key, c.trades.map(asEngineTrade), o.view, grid)) }], { seed: 1, reps: 500 });
  return { pbo, spa };
}
