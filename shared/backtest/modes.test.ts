import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Params, RankEntry, RankingStrategy, Signal } from '../strategies/types';
import { flatRows, mkSeries, scripted, T0 } from './fixtures.test-util';
import { runRanking } from './ranking';
import { runSlices } from './slices';

const H = 3_600_000;

describe('sliding-slice mode', () => {
  const rows = flatRows(24);
  rows[4] = [100, 101, 99, 100];
  rows[7] = [102, 103, 101, 102]; // slice 04:00–08:00: 100 → 102
  rows[10] = [100, 101, 98, 98];
  rows[13] = [97, 98, 96, 97]; // slice 10:00–14:00: 100 → 97
  const s = mkSeries(rows);
  const sig: Record<number, Signal> = { 3: { action: 'BUY', reason: 'b' }, 9: { action: 'SELL', reason: 's' } };

  it('decides on the last candle closed before each slice and holds open → close', () => {
    const r = runSlices(s, scripted(s, sig), {}, { costs: ['stress-31'] });
    // starts 02:00 … 20:00 every 2 h (the first decision candle needs no warm-up)
    expect(r.slices).toBe(10);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect(t.signalTime).toBe(T0 + 3 * H);
    expect(t.entryTime).toBe(T0 + 4 * H);
    expect(t.entryPrice).toBe(100);
    expect(t.exitPrice).toBe(102);
    expect(t.exitTime).toBe(T0 + 8 * H);
    expect(r.coverage).toBeCloseTo(0.1, 15);
    expect(r.gross.coverage).toBeCloseTo(0.1, 15);
    expect(r.net['stress-31']!.meanReturn).toBeCloseTo((1.02 * (1 - 0.0031)) / (1 + 0.0031) - 1, 15); // cash-account fees
    // no compounding: equity = initial × (1 + Σ returns)
    expect(r.gross.totalReturn).toBeCloseTo(0.02, 12);
  });

  it('SELL shorts a slice only when the strategy allows shorts', () => {
    const r = runSlices(s, scripted(s, sig, { allowShort: true }), {}, { costs: ['stress-31'] });
    expect(r.trades).toHaveLength(2);
    expect(r.trades[1]!.side).toBe('short');
    expect(r.trades[1]!.grossReturn).toBeCloseTo(0.03, 15);
    expect(r.coverage).toBeCloseTo(0.2, 15);
    expect(r.gross.totalReturn).toBeCloseTo(0.05, 12);
    const again = runSlices(s, scripted(s, sig, { allowShort: true }), {}, { costs: ['stress-31'] });
    expect(again.resultHash).toBe(r.resultHash);
  });

  it('configurable window and shift', () => {
    const r = runSlices(s, scripted(s, sig), {}, { windowMs: 2 * H, shiftMs: H, costs: ['stress-31'] });
    expect(r.slices).toBe(22); // starts 01:00 … 22:00
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]!.exitTime).toBe(T0 + 6 * H);
  });
});

describe('ranking mode', () => {
  // Three aligned series; opens chosen so period returns are exact.
  const opens: Record<string, number[]> = {
    A: [100, 100, 110, 110, 121, 121],
    B: [100, 100, 100, 100, 90, 99],
    C: [50, 50, 50, 50, 50, 50],
  };
  const universe = Object.entries(opens).map(([sym, o]) => ({ ...mkSeries(o.map((p) => [p, p, p, p] as [number, number, number, number])), symbol: sym }));
  // Score table per decision candle: A best at 0..1, B best at 2.., C never first.
  const scores = [
    { A: 3, B: 2, C: 1 },
    { A: 3, B: 2, C: 1 },
    { A: 1, B: 3, C: 2 },
    { A: 1, B: 3, C: 2 },
    { A: 1, B: 3, C: 2 },
  ];
  const ranker: RankingStrategy<Params, null> = {
    id: 'table-ranker',
    version: '0.0.1',
    family: 'test',
    origin: 'test',
    title: 't',
    description: 't',
    timeframes: ['1h'],
    paramsSchema: z.object({}) as unknown as z.ZodType<Params>,
    defaults: {},
    paramSpace: {},
    startupCandles: () => 0,
    kind: 'ranking',
    prepare: () => null,
    rank: (_p, i): RankEntry[] =>
      Object.entries(scores[i]!).map(([symbol, score]) => ({ symbol, score, weight: 0, reason: `score ${score}` })),
  };

  it('top-1 rebalanced each candle: holds the leader from the next open; turnover and costs', () => {
    const r = runRanking(universe, ranker, {}, { topN: 1, costs: ['stress-31'] });
    expect(r.periods.map((p) => p.holdings.map((h) => h.symbol).join())).toEqual(['A', 'A', 'B', 'B', 'B']);
    const g = r.periods.map((p) => p.grossReturn);
    expect(g[0]).toBeCloseTo(0.1, 15); // A 100 → 110
    expect(g[1]).toBeCloseTo(0, 15); // A 110 → 110
    expect(g[2]).toBeCloseTo(-0.1, 15); // B 100 → 90
    expect(g[3]).toBeCloseTo(0.1, 15); // B 90 → 99
    expect(g[4]).toBeCloseTo(0, 15); // B 99 → 99 (last close)
    expect(r.periods.map((p) => p.turnover)).toEqual([1, 0, 2, 0, 0]);
    expect(r.periods[4]!.exitTurnover).toBe(1);
    expect(r.periods[2]!.net['stress-31']).toBeCloseTo(-0.1 - 2 * 0.0031, 15);
    expect(r.gross.totalReturn).toBeCloseTo(1.1 * 0.9 * 1.1 - 1, 12);
    expect(r.breakEvenSideBps).toBeCloseTo((0.1 / 4) * 1e4, 9);
  });

  it('top-2 equal weight with drift', () => {
    const r = runRanking(universe, ranker, {}, { topN: 2, costs: ['binance-taker'] });
    expect(r.periods[0]!.holdings.map((h) => [h.symbol, h.weight])).toEqual([
      ['A', 0.5],
      ['B', 0.5],
    ]);
    expect(r.periods[0]!.grossReturn).toBeCloseTo(0.05, 15);
    // after period 0 the drifted weights are A 0.55/1.05, B 0.5/1.05; period 1 targets A, B at 0.5 again
    expect(r.periods[1]!.turnover).toBeCloseTo(2 * (0.55 / 1.05 - 0.5), 12);
  });
});
