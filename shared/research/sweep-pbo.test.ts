import { describe, expect, it } from 'vitest';
import { randomWalk } from '../backtest/fixtures.test-util';
import { canonicalJson } from '../backtest/hash';
import { mulberry32 } from '../backtest/prng';
import type { Trade } from '../backtest/types';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { TIMEFRAME_MS } from '../candles/timeframe';
import { probabilityOfBacktestOverfitting } from '../stats';
import { gridCombos, mergeSweep, planSweep, runSweepChunk } from './sweep';
import {
  comboBlockStats,
  computeSweepPbo,
  mergeSweepPbo,
  pboChunkPlan,
  sweepBlockEdges,
  sweepCscvMatrix,
  sweepPboPartial,
  type ChunkBlockStats,
  type SweepPbo,
} from './sweep-pbo';

const H4 = TIMEFRAME_MS['4h'];

describe('sweep block edges', () => {
  it('16 equal spans over the window; the last edge covers an end-of-data exit at the last close', () => {
    const from = Date.UTC(2021, 0, 1);
    const to = Date.UTC(2022, 0, 1);
    const e = sweepBlockEdges(from, to, H4);
    expect(e).toHaveLength(17);
    expect(e[0]).toBe(from);
    expect(e[16]).toBe(to + H4);
    for (let s = 1; s < 16; s++) expect(e[s]! - e[s - 1]!).toBeGreaterThanOrEqual(Math.floor((to - from) / 16));
    expect(() => sweepBlockEdges(to, from, H4)).toThrow(/empty/);
  });
});

/** Fake trades: n trades evenly in [from, to) with returns drawn from N(mu, sd) (Box–Muller on mulberry32). */
function fakeTrades(n: number, from: number, to: number, mu: number, sd: number, seed: number): Trade[] {
  const r = mulberry32(seed);
  const out: Trade[] = [];
  for (let i = 0; i < n; i++) {
    const u = Math.max(1e-12, r.next());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.next());
    const x = mu + sd * z;
    out.push({ exitTime: from + Math.floor(((to - from) * (i + 0.5)) / n), grossReturn: x, net: { 'binance-taker': x } } as unknown as Trade);
  }
  return out;
}

describe('sweep PBO from block statistics (Bailey et al. 2017 §2.3 CSCV via shared/stats)', () => {
  const from = 0;
  const to = 16_000;
  const edges = sweepBlockEdges(from, to, 1);

  function chunk(rows: { key: string; trades: Trade[] }[]): ChunkBlockStats {
    return { view: 'binance-taker', edges, rows: rows.map((r) => comboBlockStats(r.key, r.trades, 'binance-taker', edges)) };
  }

  it('pure noise combos: PBO near 0.5; one combo with a real edge among them: PBO near 0', () => {
    const noise = Array.from({ length: 40 }, (_, k) => ({ key: `n${String(k).padStart(2, '0')}`, trades: fakeTrades(160, from, to, 0, 0.01, 100 + k) }));
    const a = computeSweepPbo([chunk(noise)]) as SweepPbo;
    expect(a.status).toBe('done');
    expect(a.splits).toBe(12_870);
    expect(a.pbo).toBeGreaterThan(0.3);
    expect(a.pbo).toBeLessThan(0.7);
    const edge = [...noise, { key: 'zz-edge', trades: fakeTrades(160, from, to, 0.006, 0.01, 999) }];
    const b = computeSweepPbo([chunk(edge)]) as SweepPbo;
    expect(b.pbo).toBeLessThan(0.02);
    expect(b.winners[0]!.key).toBe('zz-edge');
  });

  it('equals the stats library on the same matrix; any chunking of combos and of splits gives the same result', () => {
    const rows = Array.from({ length: 12 }, (_, k) => ({ key: `c${k}`, trades: fakeTrades(80, from, to, 0.0005 * (k % 3), 0.01, 7 + k) }));
    const whole = computeSweepPbo([chunk(rows)]) as SweepPbo;
    const { matrix } = sweepCscvMatrix([chunk(rows)]);
    const ref = probabilityOfBacktestOverfitting(matrix, { metric: 'sharpe', sparse: 'zero' });
    expect(whole.pbo).toBe(ref.pbo);
    expect(whole.digest).toBe(ref.digest);
    expect(whole.degradation).toEqual(ref.degradation);
    // Combos split over chunks in another order, splits computed in 13 ranges, partials through JSON, reversed.
    const split = [chunk(rows.slice(7)), chunk(rows.slice(0, 7).reverse())];
    const ranged = computeSweepPbo(split, { splitsPerChunk: 1000 }) as SweepPbo;
    expect(ranged.pboChunks).toBe(13);
    expect(canonicalJson({ ...ranged, pboChunks: 1 })).toBe(canonicalJson(whole));
    const m = sweepCscvMatrix(split);
    const partials = pboChunkPlan(12, 16, 12_000).map((r) => JSON.parse(JSON.stringify(sweepPboPartial(m.matrix, r))) as unknown);
    expect(partials).toHaveLength(13);
    const merged = mergeSweepPbo(partials.reverse(), m.matrix, m.keys, m.view, m.edges);
    expect(canonicalJson({ ...merged, pboChunks: 1 })).toBe(canonicalJson(whole));
  });

  it('bad input is refused with the reason; one combo is insufficient data with the count', () => {
    const one = chunk([{ key: 'a', trades: fakeTrades(20, from, to, 0, 0.01, 1) }]);
    expect(computeSweepPbo([one])).toEqual({ status: 'insufficient-data', reason: 'PBO needs at least 2 combos, the sweep has 1' });
    const other = { ...one, view: 'gross' };
    expect(() => sweepCscvMatrix([one, other])).toThrow(/different view/);
    expect(() => comboBlockStats('x', fakeTrades(1, to + 10, to + 20, 0, 0.01, 1), 'binance-taker', edges)).toThrow(/outside the blocks/);
  });
});

describe('sweep chunks keep block statistics for the PBO', () => {
  const series = randomWalk(1500, 11, '4h', 0.012);
  const space = { fastPeriod: { kind: 'choice', values: [5, 10, 20, 50] }, slowPeriod: { kind: 'int', min: 30, max: 60, step: 30 }, stopAtr: { kind: 'float', min: 2, max: 3, step: 0.5 } } as const;
  const { combos } = gridCombos(dstaSmaCrossover, { space });
  const edges = sweepBlockEdges(series.openTime[0]!, series.openTime[series.length - 1]! + H4, H4);
  const cfg = { backtest: { costs: ['binance-taker', 'stress-31'] as ['binance-taker', 'stress-31'] }, blocks: { edges } };

  it('chunked == serial (PBO and the sweep hash); the sweep hash does not depend on the PBO option', () => {
    const serial = runSweepChunk(series, dstaSmaCrossover, { index: 0, of: 1, combos }, cfg);
    const parts = planSweep(combos, 4).map((c) => runSweepChunk(series, dstaSmaCrossover, c, cfg));
    expect(serial.blockStats!.view).toBe('binance-taker');
    expect(serial.blockStats!.rows).toHaveLength(combos.length);
    // Every trade lands in a block.
    serial.combos.forEach((c, i) => expect(serial.blockStats!.rows[i]!.count.reduce((a, b) => a + b, 0)).toBe(c.trades));
    const a = computeSweepPbo([serial.blockStats!]);
    const b = computeSweepPbo(parts.map((p) => JSON.parse(JSON.stringify(p.blockStats)) as ChunkBlockStats).reverse());
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect((a as SweepPbo).combos).toBe(combos.length);
    const plain = runSweepChunk(series, dstaSmaCrossover, { index: 0, of: 1, combos }, { backtest: cfg.backtest });
    expect(plain.blockStats).toBeUndefined();
    expect(mergeSweep([plain]).resultHash).toBe(mergeSweep(parts).resultHash);
    // Without the preferred view the gross returns are used, and the view is recorded.
    const gross = runSweepChunk(series, dstaSmaCrossover, { index: 0, of: 1, combos: combos.slice(0, 2) }, { backtest: { costs: ['stress-31'] }, blocks: { edges } });
    expect(gross.blockStats!.view).toBe('gross');
  });
});
