import { describe, expect, it } from 'vitest';
import { netReturnOfCosts, notionalOfCapital, openPositionPnl } from '../costs/cost-model';
import { CurveAccumulator, median, singleSeriesCurve, stepsPerYear, tradeStats, type CurveSizing, type CurveTrade } from './metrics';
import { mulberry32 } from './prng';

/** The single-series curve pushed one candle at a time (the loop before issue 14's in-locals run), as the reference. */
function curveStepByStep(openTime: Float64Array, close: Float64Array, w0: number, w1: number, trades: CurveTrade[], sizing: CurveSizing, initial: number, maxPoints: number) {
  const acc = new CurveAccumulator(initial, 1, w1 - w0, maxPoints);
  let e = initial;
  let traded = 0;
  let j = w0;
  for (const t of trades) {
    for (; j < Math.min(t.entryBar, w1); j++) acc.push(openTime[j]!, e);
    const capital = sizing.kind === 'fixed-notional' ? sizing.notional : sizing.fraction * e;
    const e0 = e;
    for (; j < t.exitBar && j < w1; j++) acc.push(openTime[j]!, e0 + openPositionPnl(capital, t.entryCost, t.dir, close[j]! * (1 / t.entryPrice)));
    const ratio = t.exitPrice / t.entryPrice;
    e = e0 + capital * netReturnOfCosts(t.grossReturn, t.entryCost, t.exitCost, ratio);
    traded += notionalOfCapital(capital, t.entryCost) * (1 + ratio);
    if (j === t.exitBar && j < w1) acc.push(openTime[j++]!, e);
  }
  for (; j < w1; j++) acc.push(openTime[j]!, e);
  return { ...acc.finish(), turnover: traded / initial };
}

describe('metrics', () => {
  it('trade statistics on a hand-computed example', () => {
    const s = tradeStats([0.1, -0.05, 0.2, -0.1]);
    expect(s.trades).toBe(4);
    expect(s.winRate).toBe(0.5);
    expect(s.meanReturn).toBeCloseTo(0.0375, 15);
    expect(s.medianReturn).toBeCloseTo(0.025, 15);
    expect(s.avgWin).toBeCloseTo(0.15, 15);
    expect(s.avgLoss).toBeCloseTo(-0.075, 15);
    expect(s.profitFactor).toBeCloseTo(2, 12);
    expect(s.expectancy).toBeCloseTo(0.0375, 15);
    expect(s.compoundedReturn).toBeCloseTo(1.1 * 0.95 * 1.2 * 0.9 - 1, 12);
    expect(s.maxDrawdownTrades).toBeCloseTo(0.1, 12); // peak 1.254 → 1.1286
    const none = tradeStats([]);
    expect(none.winRate).toBeNull();
    expect(none.profitFactor).toBeNull();
    expect(tradeStats([0.1]).profitFactor).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
  });

  it('curve statistics: Sharpe, Sortino, CAGR, Calmar annualised per step', () => {
    const acc = new CurveAccumulator(100, 4, 3, 10);
    acc.push(1, 110);
    acc.push(2, 99);
    acc.push(3, 121);
    const { stats, curve } = acc.finish();
    const r = [0.1, -0.1, 121 / 99 - 1];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    expect(stats.totalReturn).toBeCloseTo(0.21, 12);
    expect(stats.maxDrawdownEquity).toBeCloseTo(0.1, 12);
    expect(stats.sharpe).toBeCloseTo((mean / sd) * 2, 10);
    expect(stats.sortino).toBeCloseTo((mean / Math.sqrt(0.01 / 3)) * 2, 10);
    expect(stats.cagr).toBeCloseTo(1.21 ** (4 / 3) - 1, 12);
    expect(stats.calmar).toBeCloseTo((1.21 ** (4 / 3) - 1) / 0.1, 10);
    expect(curve.equity).toEqual([110, 99, 121]);
    expect(stepsPerYear(3_600_000)).toBe(8760);
  });

  it('downsampling keeps the last equity and the worst drawdown of each bucket', () => {
    const acc = new CurveAccumulator(100, 1, 10, 5);
    const eq = [101, 102, 90, 103, 104, 100, 105, 106, 107, 108];
    eq.forEach((e, i) => acc.push(i, e));
    const { curve, stats } = acc.finish();
    expect(curve.time).toEqual([1, 3, 5, 7, 9]);
    expect(curve.equity).toEqual([102, 103, 100, 106, 108]);
    expect(curve.drawdown[1]).toBeCloseTo(1 - 90 / 102, 12);
    expect(curve.drawdown[2]).toBeCloseTo(1 - 100 / 104, 12);
    expect(stats.maxDrawdownEquity).toBeCloseTo(1 - 90 / 102, 12);
  });

  it('the single-series curve equals the candle-by-candle accumulator exactly (random paths, deep drops, equity below zero)', () => {
    const rng = mulberry32(14);
    for (let trial = 0; trial < 12; trial++) {
      const n = 3000;
      const openTime = Float64Array.from({ length: n }, (_, i) => i * 60_000);
      const close = new Float64Array(n);
      let p = 100;
      for (let i = 0; i < n; i++) close[i] = p *= Math.exp((trial % 3 === 0 ? 0.05 : 0.01) * rng.normal());
      const trades: CurveTrade[] = [];
      for (let j = 5 + Math.floor(rng.next() * 20); j < n - 10; ) {
        const exitBar = j + 1 + Math.floor(rng.next() * 300);
        if (exitBar >= n) break;
        const dir = rng.next() < 0.5 ? 1 : -1;
        const entryPrice = close[j - 1]!;
        const exitPrice = close[exitBar]!;
        trades.push({ entryBar: j, exitBar, dir, entryPrice, exitPrice, grossReturn: dir * (exitPrice / entryPrice - 1), entryCost: 0.001 * trial, exitCost: 0.0005 * trial });
        j = exitBar + Math.floor(rng.next() * 50);
      }
      const sizing: CurveSizing = trial % 2 === 0 ? { kind: 'percent-equity', fraction: 1 } : { kind: 'fixed-notional', notional: 4000 + 2000 * trial };
      const maxPoints = [200, 7, 3000, 2][trial % 4]!;
      const fast = singleSeriesCurve(openTime, close, 3, n - 2, trades, sizing, 1000, 1, maxPoints);
      const ref = curveStepByStep(openTime, close, 3, n - 2, trades, sizing, 1000, maxPoints);
      expect(fast.stats).toStrictEqual(ref.stats);
      expect(fast.curve).toStrictEqual(ref.curve);
      expect(fast.turnover).toBe(ref.turnover);
    }
  });

  it('single-series curve marks open positions at each close and realises costs', () => {
    const openTime = Float64Array.from([0, 1, 2, 3, 4]);
    const close = Float64Array.from([100, 105, 95, 110, 110]);
    // long entered at candle 1 open 100, exits at candle 3 at 110, 10 bps per side
    const c = singleSeriesCurve(
      openTime,
      close,
      0,
      5,
      [{ entryBar: 1, exitBar: 3, dir: 1, entryPrice: 100, exitPrice: 110, grossReturn: 0.1, entryCost: 0.001, exitCost: 0.001 }],
      { kind: 'percent-equity', fraction: 0.5 },
      1000,
      1,
      100,
    );
    expect(c.curve.equity[0]).toBe(1000);
    // Cash account: 500 committed, the entry fee paid out of it → notional N = 500 / 1.001 of BTC bought at 100.
    const N = 500 / 1.001;
    expect(c.curve.equity[1]).toBeCloseTo(1000 - N * 0.001 + N * 0.05, 12);
    expect(c.curve.equity[2]).toBeCloseTo(1000 - N * 0.001 - N * 0.05, 12);
    // Realised: 500 cash untouched + the sale proceeds N × 1.1 × (1 − 0.001) = 1000 × … r(1 − f_exit)/(1 + f_entry).
    expect(c.curve.equity[3]).toBeCloseTo(500 + N * 1.1 * (1 - 0.001), 12);
    expect(c.curve.equity[3]).toBeCloseTo(1000 + 500 * ((1.1 * 0.999) / 1.001 - 1), 12);
    expect(c.curve.equity[4]).toBe(c.curve.equity[3]);
    expect(c.turnover).toBeCloseTo((N + N * 1.1) / 1000, 12);
  });
});
