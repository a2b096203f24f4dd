import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../backtest/hash';
import { tradesFromGross } from './fixtures.test-util';
import { equityReturns, runMonteCarlo } from './run-monte-carlo';

describe('Monte Carlo of a run (shared/stats/monte-carlo.ts on the run\'s primary view)', () => {
  const gross = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -0.02 : 0.012));
  const trades = tradesFromGross(gross);
  const view = Object.keys(trades[0]!.net)[0]!;

  it('permutation keeps the final equity on every path; resample and block bootstrap spread it; seeded and recorded', () => {
    let e = 1;
    const equity = { equity: gross.map((g) => (e *= 1 + g)) };
    const mc = runMonteCarlo(trades, equity, view, { paths: 500, seed: 9 });
    expect(mc.seed).toBe(9);
    expect(mc.ruinDrawdown).toBe(0.3);
    const p = mc.tradeReshuffle;
    if (p.status !== 'done') throw new Error(p.reason);
    // A reshuffle only moves the path (the product of 1 + r is order-free).
    expect(p.finalEquity.p5).toBeCloseTo(p.finalEquity.p95, 12);
    expect(p.maxDrawdown.p95).toBeGreaterThan(p.maxDrawdown.p5);
    const s = mc.tradeResample;
    if (s.status !== 'done') throw new Error(s.reason);
    expect(s.finalEquity.p95).toBeGreaterThan(s.finalEquity.p5);
    const b = mc.blockBootstrap;
    if (b.status !== 'done') throw new Error(b.reason);
    expect(b.blockLength).toBeGreaterThanOrEqual(1);
    expect(b.blockLengthSource).toBe('politis-white');
    expect(b.fan!.p50).toHaveLength(21);
    expect(canonicalJson(runMonteCarlo(trades, equity, view, { paths: 500, seed: 9 }))).toBe(canonicalJson(mc));
    expect(canonicalJson(runMonteCarlo(trades, equity, view, { paths: 500, seed: 10 }))).not.toBe(canonicalJson(mc));
  });

  it('a stricter ruin drawdown never lowers the probability of ruin', () => {
    const a = runMonteCarlo(trades, undefined, view, { seed: 3, ruinDrawdown: 0.3 }).tradeResample;
    const b = runMonteCarlo(trades, undefined, view, { seed: 3, ruinDrawdown: 0.1 }).tradeResample;
    if (a.status !== 'done' || b.status !== 'done') throw new Error('insufficient');
    expect(b.probabilityOfRuin).toBeGreaterThanOrEqual(a.probabilityOfRuin);
    expect(b.probabilityOfRuin).toBeGreaterThan(0);
  });

  it('too few trades or periods are recorded with the count; bad options are refused', () => {
    const mc = runMonteCarlo(trades.slice(0, 1), { equity: [1, 1.01] }, view);
    expect(mc.tradeReshuffle).toEqual({ status: 'insufficient-data', reason: expect.stringMatching(/trades/) });
    expect(mc.blockBootstrap.status).toBe('insufficient-data');
    expect(() => runMonteCarlo(trades, undefined, view, { ruinDrawdown: 0 })).toThrow();
    expect(equityReturns({ equity: [1, 1.1, 0.99] })).toEqual([1.1 - 1, 0.99 / 1.1 - 1]);
  });
});
