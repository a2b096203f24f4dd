import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import type { Trade } from '../backtest/types';
import { toSeries } from '../candles/candle';
import { buyAndHoldPeriods, comboPeriods, computeSweepSpa, dailyGrid, DAY_MS, familySpa, type ChunkPeriods } from './sweep-spa';

const FROM = Date.UTC(2021, 0, 1);
const TO = FROM + 200 * DAY_MS;
const grid = dailyGrid(FROM, TO);

/** One trade per day exiting at noon, returns N(mu, sd). */
function daily(mu: number, sd: number, seed: number): Trade[] {
  const r = mulberry32(seed);
  return Array.from({ length: grid.count }, (_, d) => {
    const x = mu + sd * r.normal();
    return { exitTime: FROM + d * DAY_MS + DAY_MS / 2, grossReturn: x, net: { v: x } } as unknown as Trade;
  });
}

describe('sweep SPA / Reality Check on daily returns (Hansen 2005; White 2000 via shared/stats/spa.ts)', () => {
  it('trades are summed into their exit day; buy-and-hold compounds the closes of the day', () => {
    const t = [FROM + 1000, FROM + 2000, FROM + 3 * DAY_MS].map((exitTime, i) => ({ exitTime, grossReturn: 0, net: { v: [0.01, 0.02, -0.03][i] } }) as unknown as Trade);
    expect(comboPeriods('k', t, 'v', grid)).toEqual({ key: 'k', idx: [0, 3], val: [0.01 + 0.02, -0.03] });
    // 1d candles, one warm-up candle before the window: day 0's return is its close over the warm-up close.
    const closes = [100, 110, 121, 121];
    const s = toSeries(closes.map((c, i) => ({ openTime: FROM - DAY_MS + i * DAY_MS, open: c, high: c, low: c, close: c, volume: 1 })), '1d', 'X/Y');
    const bh = buyAndHoldPeriods(s, grid, TO);
    expect(bh[0]).toBeCloseTo(0.1, 12);
    expect(bh[1]).toBeCloseTo(0.1, 12);
    expect(bh[2]).toBe(0);
    expect(bh).toHaveLength(200);
  });

  it('pure noise: large p-values; one combo with a real daily edge: small SPA and RC p-values vs flat, recorded block length', () => {
    const noise = Array.from({ length: 30 }, (_, k) => comboPeriods(`n${k}`, daily(0, 0.01, k + 1), 'v', grid));
    const bench = new Array<number>(grid.count).fill(0);
    const chunk = (rows: ChunkPeriods['rows']): ChunkPeriods => ({ view: 'v', grid, benchmark: bench, rows });
    const a = computeSweepSpa([chunk(noise)], { seed: 3, reps: 500 });
    if (a.vsFlat.status !== 'done') throw new Error(a.vsFlat.reason);
    expect(a.vsFlat.spa.consistent).toBeGreaterThan(0.1);
    const b = computeSweepSpa([chunk([...noise, comboPeriods('edge', daily(0.004, 0.01, 99), 'v', grid)])], { seed: 3, reps: 500 });
    if (b.vsFlat.status !== 'done') throw new Error(b.vsFlat.reason);
    expect(b.vsFlat.spa.consistent).toBeLessThan(0.01);
    expect(b.vsFlat.realityCheck.pValue).toBeLessThan(0.01);
    expect(b.vsFlat.best).toBe('edge');
    expect(b.vsFlat.blockLengthSource).toBe('politis-white');
    expect(b.vsFlat.spa.lower).toBeLessThanOrEqual(b.vsFlat.spa.consistent);
    expect(b.vsFlat.spa.consistent).toBeLessThanOrEqual(b.vsFlat.spa.upper);
    // Deterministic in the seed; chunking and order do not matter.
    const split = computeSweepSpa([chunk(noise.slice(10)), chunk([comboPeriods('edge', daily(0.004, 0.01, 99), 'v', grid), ...noise.slice(0, 10)])], { seed: 3, reps: 500 });
    expect(JSON.stringify(split)).toBe(JSON.stringify(b));
  });

  it('too few days is insufficient data with the count, not a p-value', () => {
    const g = dailyGrid(FROM, FROM + 5 * DAY_MS);
    const out = computeSweepSpa([{ view: 'v', grid: g, benchmark: [0, 0, 0, 0, 0], rows: [{ key: 'a', idx: [1], val: [0.01] }, { key: 'b', idx: [2], val: [0.02] }] }]);
    expect(out.vsFlat).toMatchObject({ status: 'insufficient-data' });
  });
});

describe('SPA across the family: every recorded trial on the same series and window', () => {
  const bench = new Array<number>(grid.count).fill(0);
  const chunk = (rows: ChunkPeriods['rows']): ChunkPeriods => ({ view: 'v', grid, benchmark: bench, rows });
  it('adding the family\'s other trials (noise) can only raise the SPA p-value of a lucky best; duplicates count once; mismatched sweeps are left out', () => {
    const lucky = comboPeriods('a', daily(0.0012, 0.01, 5), 'v', grid);
    const own = chunk([lucky, comboPeriods('b', daily(0, 0.01, 6), 'v', grid)]);
    const alone = computeSweepSpa([own], { seed: 4, reps: 500 });
    const others = Array.from({ length: 40 }, (_, k) => comboPeriods(`x${k}`, daily(0, 0.01, 50 + k), 'v', grid));
    const fam = familySpa({
      reference: own,
      sweepChunks: [
        { sweepId: 's1', strategyId: 'div', periods: own },
        { sweepId: 's1', strategyId: 'div', periods: own },
        { sweepId: 's2', strategyId: 'div', periods: chunk(others) },
        { sweepId: 's3', strategyId: 'div', periods: { ...chunk(others), view: 'gross' } },
      ],
      runs: [{ strategyId: 'div-b', params: { p: 1 }, trades: daily(0, 0.01, 77).map((t) => ({ exitTime: t.exitTime, net: t.net })) }],
    }, { seed: 4, reps: 500 });
    expect(fam.strategies).toBe(2 + 40 + 1);
    expect(fam).toMatchObject({ scope: 'family', sweepsUsed: 2, runsUsed: 1, leftOut: 1 });
    if (alone.vsFlat.status !== 'done' || fam.vsFlat.status !== 'done') throw new Error('SPA did not run');
    expect(fam.vsFlat.spa.consistent).toBeGreaterThanOrEqual(alone.vsFlat.spa.consistent);
  });
});
