/**
 * EDGE pinned to its authors' reference implementation (Ardia, Guidotti & Kroencke, JFE 2024; eguidotti/bidask):
 * the documented test values of `python/tests/test_edge.py` and `r/tests/testthat/test-edge.R` on the reference
 * inputs in ../shared/data/estimator-reference (PROVENANCE.md §8), plus its edge cases and our input checks.
 */
import { describe, expect, it } from 'vitest';
import { describeWithData } from '../../testing/data';
import { readEstimatorReference, type OhlcColumns } from './reference-data.test-util';
import { edgeSpread } from './edge';
import { SpreadEstimatorInputError, type SpreadResult } from './types';

const head = (x: OhlcColumns, k: number) => ({
  open: x.open.subarray(0, k),
  high: x.high.subarray(0, k),
  low: x.low.subarray(0, k),
  close: x.close.subarray(0, k),
});

function value(r: SpreadResult): { spread: number; signed: number; pairs: number } {
  if (!r.ok) throw new Error(`expected an estimate, got ${r.reason}: ${r.detail}`);
  return r;
}

describeWithData('EDGE on the bidask reference data (PROVENANCE §8)', () => {
  // bidask python/tests/test_edge.py and r/tests/testthat/test-edge.R: expect 0.0101849034905478 on ohlc.csv
  // (10,000 simulated rows, true spread 1 %). R's expect_equal tolerance is 1.5e-8; we hold 1e-12 relative.
  it('ohlc.csv: 0.0101849034905478 (test_edge.py / test-edge.R "edge")', () => {
    const r = value(edgeSpread(readEstimatorReference('ohlc.csv')));
    expect(r.spread).toBeCloseTo(0.0101849034905478, 14);
    expect(Math.abs(r.spread / 0.0101849034905478 - 1)).toBeLessThan(1e-12);
    expect(r.pairs).toBe(9999);
  });

  it('first 10 rows, signed: −0.016889917516422 (test_edge.py, sign = True)', () => {
    const r = value(edgeSpread(head(readEstimatorReference('ohlc.csv'), 10)));
    expect(Math.abs(r.signed / -0.016889917516422 - 1)).toBeLessThan(1e-12);
    expect(r.spread).toBeCloseTo(0.016889917516422, 14); // unsigned = |signed|, the reference default
    const clipped = value(edgeSpread(head(readEstimatorReference('ohlc.csv'), 10), { negative: 'clip' }));
    expect(clipped.spread).toBe(0);
    expect(clipped.signed).toBe(r.signed);
  });

  it('ohlc-miss.csv (blanks = missing): 0.01013284969780197 (test-edge.R "edge-miss")', () => {
    const x = readEstimatorReference('ohlc-miss.csv');
    expect(Array.from(x.open).filter(Number.isNaN).length).toBeGreaterThan(900); // the file really has gaps (950 opens)
    const r = value(edgeSpread(x));
    expect(Math.abs(r.spread / 0.01013284969780197 - 1)).toBeLessThan(1e-12);
    expect(r.pairs).toBeLessThan(9999);
  });

  it('sim(prob = 0.01) with set.seed(123): 0.011211623772355 (test-edge.R "spread", method EDGE)', () => {
    const r = value(edgeSpread(readEstimatorReference('sim_seed123_prob0.01.csv')));
    expect(Math.abs(r.spread / 0.011211623772355 - 1)).toBeLessThan(1e-12);
  });

  it('same input, byte-identical output', () => {
    const x = readEstimatorReference('ohlc-miss.csv');
    expect(Object.is(value(edgeSpread(x)).spread, value(edgeSpread(x)).spread)).toBe(true);
  });
});

describe('EDGE refusals and input checks', () => {
  it('flat prices: insufficient data with the count (test-edge.R "edge-na": NaN)', () => {
    const r = edgeSpread({ open: [18.21, 17.61, 17.61], high: [18.21, 17.61, 17.61], low: [17.61, 17.61, 17.61], close: [17.61, 17.61, 17.61] });
    expect(r).toMatchObject({ ok: false, reason: 'insufficient-data', count: 0, required: 2 });
  });

  it('fewer than 3 candles: insufficient data, count = candles', () => {
    expect(edgeSpread({ open: [1, 1.1], high: [1.2, 1.2], low: [0.9, 1], close: [1.1, 1.05] })).toMatchObject({
      ok: false,
      reason: 'insufficient-data',
      count: 2,
      required: 3,
    });
    expect(edgeSpread({ open: [], high: [], low: [], close: [] })).toMatchObject({ ok: false, count: 0 });
  });

  it('opens always at the high and the low cannot identify the spread', () => {
    // every bar is a point (o = h = l = c) but prices move between bars: τ = 1 yet po = 0
    const p = [1, 1.01, 1.02, 1.01, 1.03];
    expect(edgeSpread({ open: p, high: p, low: p, close: p })).toMatchObject({ ok: false, reason: 'not-identifiable' });
  });

  it('rejects unequal lengths, non-positive prices and inconsistent bars with the reason', () => {
    expect(() => edgeSpread({ open: [1, 2, 3], high: [1, 2], low: [1, 2, 3], close: [1, 2, 3] })).toThrow(/same length/);
    expect(() => edgeSpread({ open: [1, 0, 1], high: [1, 1, 1], low: [1, 0, 1], close: [1, 1, 1] })).toThrow(SpreadEstimatorInputError);
    expect(() => edgeSpread({ open: [1, 1, 1], high: [1, 0.9, 1], low: [1, 1, 1], close: [1, 1, 1] })).toThrow(/candle 1: high 0.9 < low 1/);
    expect(() => edgeSpread({ open: [1, 1.2, 1], high: [1, 1.1, 1], low: [1, 1, 1], close: [1, 1, 1] })).toThrow(/above high/);
  });
});
