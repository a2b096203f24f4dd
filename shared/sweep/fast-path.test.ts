/**
 * The fast sweep path (shared prepare, combos reordered to share it, lazy reasons) against the reference path
 * (each combo from scratch) on every bundled single-series strategy of the registry, on real candles: the chunk
 * outputs must be identical — same summaries (every cost view's trade and equity metrics), same per-combo hashes
 * (sweep-summary/2.0.0: the same fills, params and config), same PBO block statistics and SPA daily returns.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../backtest/hash';
import type { CandleSeries } from '../candles/candle';
import { randomCombos, runSweepChunk, type SweepRunConfig } from '../research/sweep';
import { sweepBlockEdges } from '../research/sweep-pbo';
import type { Strategy } from '../strategies/types';
import { describeWithData } from '../testing/data';
import { realSweepFixtures } from './real-series.test-util';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { PrepareCache } from './prepare-cache';
import { fastSweepOrder } from './order';

describeWithData('fast sweep path == reference path for every bundled strategy (real data)', () => {
  const { singles, seriesFor } = realSweepFixtures();

  it('covers every single-series strategy in the registry', () => {
    expect(singles.length).toBeGreaterThanOrEqual(10);
  });

  for (const strategy of singles) {
    it(`${strategy.id}: same chunk output (summaries, result hashes, PBO blocks, SPA returns)`, () => {
      const series = seriesFor(strategy);
      const combos = randomCombos(strategy, 8, 3).combos;
      expect(combos.length).toBeGreaterThanOrEqual(2);
      const from = series.openTime[Math.floor(series.length / 3)]!;
      const tf = series.openTime[1]! - series.openTime[0]!;
      const to = series.openTime[series.length - 1]! + tf; // the window runs to the end of the data, like a sweep's
      const cfg: SweepRunConfig = { mode: 'single', backtest: { from, to }, blocks: { edges: sweepBlockEdges(from, to, tf) }, periods: { from, to } };
      const chunk = { index: 0, of: 1, combos };
      const fast = runSweepChunk(series, strategy, chunk, { ...cfg, shareWork: true });
      const ref = runSweepChunk(series, strategy, chunk, { ...cfg, shareWork: false });
      expect(fast.combos.map((c) => c.resultHash)).toEqual(ref.combos.map((c) => c.resultHash));
      expect(canonicalJson(fast)).toBe(canonicalJson(ref));
      expect(fast.combos.some((c) => c.trades > 0)).toBe(true);
    });
  }
});

describe('prepare cache', () => {
  const n = 600;
  const series: CandleSeries = {
    timeframe: '4h',
    symbol: 'SYN/USDT',
    length: n,
    openTime: Float64Array.from({ length: n }, (_, i) => i * 14_400_000),
    open: Float64Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 17)),
    high: Float64Array.from({ length: n }, (_, i) => 101 + 10 * Math.sin(i / 17)),
    low: Float64Array.from({ length: n }, (_, i) => 99 + 10 * Math.sin(i / 17)),
    close: Float64Array.from({ length: n }, (_, i) => 100.5 + 10 * Math.sin(i / 17)),
    volume: new Float64Array(n).fill(5),
  };

  it('prepares once per distinct (fast, slow, atr) input of the dsta grid: stopAtr is read by evaluate only', () => {
    const cache = new PrepareCache(dstaSmaCrossover);
    const base = dstaSmaCrossover.defaults;
    const grid = [5, 10].flatMap((fastPeriod) => [50, 100].flatMap((slowPeriod) => [2, 3, 4].map((stopAtr) => ({ ...base, fastPeriod, slowPeriod, stopAtr }))));
    for (const k of fastSweepOrder(grid)) {
      const got = cache.prepare(series, grid[k]!);
      const want = dstaSmaCrossover.prepare(series, grid[k]!);
      expect(got.fast).toEqual(want.fast);
      expect(got.slow).toEqual(want.slow);
      expect(got.atr).toEqual(want.atr);
    }
    expect(cache.stats).toEqual({ calls: 12, hits: 8, uncacheable: 0 });
  });

  it('a prepare that keeps its params, or enumerates them, is never shared between combos', () => {
    const keeps: Strategy<{ a: number; b: number }, { p: { a: number; b: number } }> = {
      ...(dstaSmaCrossover as unknown as Strategy<{ a: number; b: number }, { p: { a: number; b: number } }>),
      prepare: (_s, p) => ({ p }),
    };
    const c1 = new PrepareCache(keeps);
    expect(c1.prepare(series, { a: 1, b: 2 }).p.b).toBe(2);
    expect(c1.prepare(series, { a: 1, b: 3 }).p.b).toBe(3);
    expect(c1.stats.hits).toBe(0);
    const enumerates: Strategy<{ a: number; b: number }, { sum: number }> = {
      ...(dstaSmaCrossover as unknown as Strategy<{ a: number; b: number }, { sum: number }>),
      prepare: (_s, p) => ({ sum: Object.values(p).reduce((x, y) => x + y, 0) }),
    };
    const c2 = new PrepareCache(enumerates);
    expect(c2.prepare(series, { a: 1, b: 2 }).sum).toBe(3);
    expect(c2.prepare(series, { a: 1, b: 3 }).sum).toBe(4);
    expect(c2.stats.uncacheable).toBe(2);
  });

  it('evicts the oldest entries beyond its byte budget', () => {
    const cache = new PrepareCache(dstaSmaCrossover, 3 * 3 * n * 8 + 1);
    const base = dstaSmaCrossover.defaults;
    for (const fastPeriod of [5, 6, 7, 8, 5]) cache.prepare(series, { ...base, fastPeriod });
    expect(cache.stats.hits).toBe(0); // 5 was evicted by 8 (room for about three entries)
  });
});
