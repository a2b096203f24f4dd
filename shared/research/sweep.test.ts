import { describe, expect, it } from 'vitest';
import { randomWalk } from '../backtest/fixtures.test-util';
import { canonicalJson } from '../backtest/hash';
import { mulberry32 } from '../backtest/prng';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { comboKey, objectiveId, objectiveSchema, pickBest } from './summary';
import { gridCombos, mergeSweep, planSweep, randomCombos, rangeValues, runSweepChunk, sweepNeighbours, type ChunkOutput } from './sweep';

const series = randomWalk(1500, 11, '4h', 0.012);
const space = {
  fastPeriod: { kind: 'choice', values: [5, 10, 20, 50] },
  slowPeriod: { kind: 'int', min: 30, max: 60, step: 30 },
  stopAtr: { kind: 'float', min: 2, max: 3, step: 0.5 },
} as const;

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = mulberry32(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(0, i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('combo generation', () => {
  it('range values are exact on the step grid', () => {
    expect(rangeValues({ kind: 'float', min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(rangeValues({ kind: 'int', min: 5, max: 20, step: 5 })).toEqual([5, 10, 15, 20]);
    expect(rangeValues({ kind: 'float', min: 2, max: 6, step: 1 })).toEqual([2, 3, 4, 5, 6]);
    expect(rangeValues({ kind: 'choice', values: ['a', true, 3] })).toEqual(['a', true, 3]);
    expect(() => rangeValues({ kind: 'int', min: 5, max: 1, step: 1 })).toThrow();
  });

  it('grid: cartesian product over sorted names, merged onto defaults, invalid combos dropped and counted', () => {
    const g = gridCombos(dstaSmaCrossover, { space });
    expect(g.names).toEqual(['fastPeriod', 'slowPeriod', 'stopAtr']);
    expect(g.generated).toBe(4 * 2 * 3);
    // fast 50 ≥ slow 30 and fast 50 ≥ slow 60? no: 50 < 60 is valid; so only (50, 30) × 3 stops are invalid.
    expect(g.invalid).toBe(3);
    expect(g.combos).toHaveLength(21);
    expect(g.invalidSamples[0]!.error).toMatch(/fastPeriod must be below slowPeriod/);
    for (const c of g.combos) expect(c.atrPeriod).toBe(14);
    expect(new Set(g.combos.map(comboKey)).size).toBe(21);
    // Last name varies fastest.
    expect(g.combos.slice(0, 3).map((c) => c.stopAtr)).toEqual([2, 2.5, 3]);
    // The registry's own space: 4 × 4 × 5, all valid.
    expect(gridCombos(dstaSmaCrossover).combos).toHaveLength(80);
    expect(() => gridCombos(dstaSmaCrossover, { maxCombos: 50 })).toThrow(/80 combos/);
  });

  it('random: seeded, de-duplicated, capped by the space size', () => {
    const a = randomCombos(dstaSmaCrossover, 10, 42);
    const b = randomCombos(dstaSmaCrossover, 10, 42);
    expect(a.combos).toEqual(b.combos);
    expect(a.combos).toHaveLength(10);
    expect(new Set(a.combos.map(comboKey)).size).toBe(10);
    expect(randomCombos(dstaSmaCrossover, 10, 43).combos).not.toEqual(a.combos);
    const all = randomCombos(dstaSmaCrossover, 500, 1, { space });
    expect(all.combos).toHaveLength(21);
    expect(all.duplicates).toBeGreaterThan(0);
  });

  it('comboKey is canonical JSON (key order irrelevant)', () => {
    expect(comboKey({ b: 1, a: 2.5 })).toBe('{"a":2.5,"b":1}');
    expect(comboKey({ a: 2.5, b: 1 })).toBe(comboKey({ b: 1, a: 2.5 }));
  });

  it('planSweep splits in order', () => {
    const chunks = planSweep([1, 2, 3, 4, 5, 6, 7].map((x) => ({ x })), 3);
    expect(chunks.map((c) => [c.index, c.of, c.combos.length])).toEqual([
      [0, 3, 3],
      [1, 3, 3],
      [2, 3, 1],
    ]);
    expect(() => planSweep([], 0)).toThrow();
  });
});

describe('sweep run and merge', () => {
  const { combos } = gridCombos(dstaSmaCrossover, { space });
  const config = { backtest: { costs: ['binance-taker', 'binance-maker', 'kraken-taker', 'stress-31'] as const } };
  const cfg = { backtest: { costs: [...config.backtest.costs] } };
  const serial = mergeSweep([runSweepChunk(series, dstaSmaCrossover, { index: 0, of: 1, combos }, cfg)]);
  const chunks = planSweep(combos, 4);
  const outputs: ChunkOutput[] = chunks.map((c) => runSweepChunk(series, dstaSmaCrossover, c, cfg));

  it('chunk outputs are compact summaries, deterministic', () => {
    expect(outputs).toHaveLength(6);
    const c = outputs[0]!.combos[0]!;
    expect(Object.keys(c).sort()).toEqual(['breakEvenRoundTripBps', 'exposure', 'gross', 'key', 'net', 'params', 'resultHash', 'trades']);
    expect(Object.keys(c.net).sort()).toEqual(['binance-maker', 'binance-taker', 'kraken-taker', 'stress-31']);
    expect(c.trades).toBeGreaterThan(0);
    expect(c.net['kraken-taker']!.roundTripBps).toBe(80);
    expect(canonicalJson(runSweepChunk(series, dstaSmaCrossover, chunks[0]!, cfg))).toBe(canonicalJson(outputs[0]));
  });

  it('merged N chunks == serial run, in any arrival order (same hash, same JSON)', () => {
    expect(serial.combos).toHaveLength(21);
    expect(serial.complete).toBe(true);
    for (const seed of [1, 2, 3]) {
      const m = mergeSweep(shuffled(outputs, seed));
      expect(m.resultHash).toBe(serial.resultHash);
      expect(canonicalJson(m)).toBe(canonicalJson(serial));
    }
    expect(mergeSweep([...outputs].reverse()).resultHash).toBe(serial.resultHash);
    // Different chunk sizes too.
    const other = planSweep(combos, 7).map((c) => runSweepChunk(series, dstaSmaCrossover, c, cfg));
    expect(mergeSweep(other).resultHash).toBe(serial.resultHash);
    // Chunk outputs read back from JSON storage (jsonb reorders keys) merge to the same hash.
    expect(mergeSweep(outputs.map((o) => JSON.parse(JSON.stringify(o)) as ChunkOutput)).resultHash).toBe(serial.resultHash);
    // Sorted by key.
    const keys = serial.combos.map((c) => c.key);
    expect(keys).toEqual([...keys].sort());
  });

  it('redelivered chunks are tolerated when identical; conflicts, mismatched contexts and gaps are refused', () => {
    expect(mergeSweep([...outputs, outputs[2]!]).resultHash).toBe(serial.resultHash);
    const bad = { ...outputs[2]!, combos: outputs[2]!.combos.map((c) => ({ ...c, trades: c.trades + 1 })) };
    expect(() => mergeSweep([...outputs, bad])).toThrow(/twice/);
    expect(() => mergeSweep([bad, ...outputs])).toThrow(/twice/);
    // The same combo in two different chunks with two results is refused; with one result it merges once.
    const moved = { ...outputs[1]!, combos: [...outputs[1]!.combos, { ...outputs[2]!.combos[0]!, trades: outputs[2]!.combos[0]!.trades + 1 }] };
    expect(() => mergeSweep([outputs[0]!, moved, ...outputs.slice(2)])).toThrow(/two different results/);
    const copied = { ...outputs[1]!, combos: [...outputs[1]!.combos, outputs[2]!.combos[0]!] };
    expect(mergeSweep([outputs[0]!, copied, ...outputs.slice(2)]).resultHash).toBe(serial.resultHash);
    expect(() => mergeSweep(outputs.slice(1))).toThrow(/missing/);
    const partial = mergeSweep(outputs.slice(1), { allowPartial: true });
    expect(partial.complete).toBe(false);
    expect(partial.combos.length).toBeLessThan(21);
    const otherCtx = { ...outputs[1]!, context: { ...outputs[1]!.context, configHash: 'x' } };
    expect(() => mergeSweep([outputs[0]!, otherCtx])).toThrow(/context/);
    expect(() => mergeSweep([])).toThrow();
  });

  it('best per objective and trial variance', () => {
    const o = objectiveSchema.parse({ view: 'binance-taker', metric: 'meanBps', minTrades: 1 });
    const m = mergeSweep(outputs, { objectives: [o, { view: 'nope', metric: 'sharpe' }] });
    expect(Object.keys(m.best)).toEqual([objectiveId(o)]);
    const manual = Math.max(...m.combos.filter((c) => c.trades >= 1).map((c) => c.net['binance-taker']!.meanBps!));
    expect(m.best[objectiveId(o)]!.value).toBe(manual);
    expect(pickBest(m.combos, o)).toEqual(m.best[objectiveId(o)]);
    expect(m.trials.count).toBe(21);
    expect(m.trials.tradeSharpeVariance['binance-taker']).toBeGreaterThan(0);
    // Default objectives skip presets that were not run (binance-maker, stress-31 present; gross always).
    expect(Object.keys(serial.best).sort()).toEqual(
      ['binance-maker.meanBps@n>=10', 'binance-taker.meanBps@n>=10', 'binance-taker.sharpe@n>=10', 'gross.sharpe@n>=10', 'stress-31.meanBps@n>=10'].sort(),
    );
  });

  it('grid neighbours: one step along one swept param', () => {
    const centre = serial.combos.find((c) => c.params.fastPeriod === 10 && c.params.slowPeriod === 30 && c.params.stopAtr === 2.5)!;
    const nb = sweepNeighbours(serial.combos, centre.key);
    const desc = nb.map((c) => `${c.params.fastPeriod}/${c.params.slowPeriod}/${c.params.stopAtr}`).sort();
    expect(desc).toEqual(['10/30/2', '10/30/3', '10/60/2.5', '20/30/2.5', '5/30/2.5'].sort());
    // A corner with an invalid neighbour (50/30) just lacks it.
    const corner = serial.combos.find((c) => c.params.fastPeriod === 20 && c.params.slowPeriod === 30 && c.params.stopAtr === 2)!;
    expect(sweepNeighbours(serial.combos, corner.key).map((c) => `${c.params.fastPeriod}/${c.params.slowPeriod}/${c.params.stopAtr}`).sort()).toEqual(
      ['10/30/2', '20/30/2.5', '20/60/2'].sort(),
    );
    expect(() => sweepNeighbours(serial.combos, '{}')).toThrow();
  });

  it('slices mode runs the 4h platform evaluation per combo', () => {
    const s1h = randomWalk(800, 5, '1h', 0.006);
    const out = runSweepChunk(s1h, dstaSmaCrossover, { index: 0, of: 1, combos: combos.slice(0, 2) }, { mode: 'slices', slices: { costs: ['binance-taker'] } });
    expect(out.context.mode).toBe('slices');
    expect(out.combos).toHaveLength(2);
    expect(mergeSweep([out]).combos).toHaveLength(2);
  });
});
