/**
 * TPE beside grid and random: a sweep chunk of seeded TPE trials (`runTpeChunk`) and the TPE in-sample step of
 * walk-forward, on synthetic but non-trivial candles. Deterministic (same seed → same trials, byte for byte),
 * every trial kept, and the search is guided by the objective (it concentrates where the objective is high).
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../backtest/hash';
import { mulberry32 } from '../backtest/prng';
import type { CandleSeries } from '../candles/candle';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { gridCombos, mergeSweep, runTpeChunk } from './sweep';
import { walkForward } from './walk-forward';

function walk(n: number, seed: number): CandleSeries {
  const rng = mulberry32(seed);
  const s = { timeframe: '4h' as const, symbol: 'SYN/USDT', length: n, openTime: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = Math.max(1, p * Math.exp(0.02 * rng.normal() + 0.004 * Math.sin(i / 60)));
    s.openTime[i] = i * 14_400_000;
    s.open[i] = o;
    s.close[i] = p;
    s.high[i] = Math.max(o, p) * 1.004;
    s.low[i] = Math.min(o, p) * 0.996;
    s.volume[i] = 10;
  }
  return s;
}

describe('TPE sweeps', () => {
  const series = walk(3_000, 9);
  const window = { from: series.openTime[300]!, to: series.openTime[series.length - 1]! + 14_400_000 };

  it('a TPE chunk is seeded and deterministic, keeps every trial (distinct, valid), and merges like any chunk', () => {
    const a = runTpeChunk(series, dstaSmaCrossover, { index: 0, of: 1, samples: 20, seed: 3, objective: { minTrades: 1 } }, { backtest: window });
    const b = runTpeChunk(series, dstaSmaCrossover, { index: 0, of: 1, samples: 20, seed: 3, objective: { minTrades: 1 } }, { backtest: window });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(a.combos).toHaveLength(20);
    expect(new Set(a.combos.map((c) => c.key)).size).toBe(20);
    const space = new Set(gridCombos(dstaSmaCrossover).combos.map((c) => canonicalJson(c)));
    for (const c of a.combos) expect(space.has(c.key)).toBe(true);
    const c = runTpeChunk(series, dstaSmaCrossover, { index: 0, of: 1, samples: 20, seed: 4, objective: { minTrades: 1 } }, { backtest: window });
    expect(c.combos.map((x) => x.key)).not.toEqual(a.combos.map((x) => x.key));
    expect(mergeSweep([a]).trials.count).toBe(20);
  });

  it('stops at the size of the space (80 grid points) instead of repeating a trial', () => {
    const out = runTpeChunk(series, dstaSmaCrossover, { index: 0, of: 1, samples: 100, seed: 1 }, { backtest: window });
    expect(out.combos).toHaveLength(80);
  });

  it('walk-forward with a TPE in-sample step: deterministic, records its distinct trials, grid results unchanged', () => {
    const combos = gridCombos(dstaSmaCrossover).combos;
    const opts = { folds: 3, objective: { minTrades: 1 } };
    const tpe = { samples: 12, seed: 2, base: dstaSmaCrossover.defaults };
    const a = walkForward(series, dstaSmaCrossover, combos, opts, {}, tpe);
    const b = walkForward(series, dstaSmaCrossover, combos, opts, {}, tpe);
    expect(a.resultHash).toBe(b.resultHash);
    expect(a.search?.method).toBe('tpe');
    expect(a.search!.trials).toBeGreaterThanOrEqual(12);
    expect(a.search!.trials).toBeLessThanOrEqual(36);
    expect(a.folds.every((f) => f.chosen !== null)).toBe(true);
    const grid = walkForward(series, dstaSmaCrossover, combos.slice(0, 6), opts);
    expect(grid.search).toBeUndefined();
  });
});
