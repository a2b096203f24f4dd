/**
 * The O(n) rolling EDGE (the moment form of the `bidask` reference's rolling estimator, JFE 2024) against the
 * single-shot EDGE on every window — the consistency the reference tests in python/tests/test_edge.py
 * `test_edge_rolling_consistency` (windows 3, 42, 1000 on ohlc.csv, to 1e-8); we hold 1e-9 relative.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../backtest/prng';
import { describeWithData } from '../../testing/data';
import { readEstimatorReference } from './reference-data.test-util';
import { edgeSpread } from './edge';
import { edgeRolling, SHORT_WINDOW } from './edge-rolling';
import { rollingSpread, type RollingSpread } from './rolling';
import { simulateBidAskCandles } from './simulate';
import type { Ohlc } from './types';

function worstRelative(a: RollingSpread, b: RollingSpread): number {
  expect(Array.from(b.end)).toEqual(Array.from(a.end));
  expect(Array.from(b.status)).toEqual(Array.from(a.status));
  let worst = 0;
  for (let i = 0; i < a.end.length; i++) if (a.status[i] === 0) worst = Math.max(worst, Math.abs(b.signed[i]! / a.signed[i]! - 1));
  return worst;
}

describe('edgeRolling (sliding moments)', () => {
  const x = simulateBidAskCandles(mulberry32(3), { n: 12_000, trades: 30, prob: 0.3, spread: 0.002, volatility: 0.01 });

  it.each([
    [100, 3],
    [500, 7],
    [1440, 60],
  ])('window %i, step %i: every window equals the single-shot EDGE to 1e-9', (window, step) => {
    const exact = rollingSpread(x, { estimator: 'edge' }, { window, step });
    const fast = edgeRolling(x, { window, step });
    expect(exact.end.length).toBeGreaterThan(100);
    expect(worstRelative(exact, fast)).toBeLessThan(1e-9);
  });

  it(`windows up to ${SHORT_WINDOW} candles are computed exactly (same bits as the single-shot)`, () => {
    const fast = edgeRolling(x, { window: 21 });
    const exact = rollingSpread(x, { estimator: 'edge' }, { window: 21 });
    expect(Buffer.from(fast.signed.buffer).equals(Buffer.from(exact.signed.buffer))).toBe(true);
  });

  it('refuses flat windows with a status and rejects bad arguments', () => {
    const flat = new Float64Array(200).fill(100);
    const moving = Float64Array.from({ length: 200 }, (_, i) => 100 + (i % 7));
    const p: Ohlc = { open: moving, high: moving, low: moving, close: moving }; // points: po = pc = 0
    const r = edgeRolling(p, { window: 100, step: 50 });
    expect(Array.from(r.status)).toEqual([2, 2, 2]);
    expect(edgeRolling({ open: flat, high: flat, low: flat, close: flat }, { window: 100 }).status[0]).toBe(1);
    expect(() => edgeRolling(p, { window: 2 })).toThrow(/≥ 3/);
    expect(() => edgeRolling(p, { window: 100, step: 1.5 })).toThrow(/step/);
  });
});

describeWithData('edgeRolling on the bidask reference files (PROVENANCE §8)', () => {
  it('ohlc.csv, windows 3, 42, 1000 (test_edge_rolling_consistency): each sampled window equals edgeSpread on its slice', () => {
    const x = readEstimatorReference('ohlc.csv');
    for (const w of [3, 42, 1000]) {
      const r = edgeRolling(x, { window: w });
      expect(r.end.length).toBe(10_000 - w + 1);
      for (let i = 0; i < r.end.length; i += 97) {
        const [a, b] = [r.end[i]! - w + 1, r.end[i]! + 1];
        const one = edgeSpread({ open: x.open.subarray(a, b), high: x.high.subarray(a, b), low: x.low.subarray(a, b), close: x.close.subarray(a, b) });
        if (!one.ok) expect(r.status[i]).not.toBe(0);
        else expect(Math.abs(r.signed[i]! / one.signed - 1)).toBeLessThan(1e-9);
      }
    }
  });

  it('ohlc-miss.csv: windows with missing values take the single-shot path, so they match it exactly', () => {
    const x = readEstimatorReference('ohlc-miss.csv');
    const fast = edgeRolling(x, { window: 100, step: 3 });
    const exact = rollingSpread(x, { estimator: 'edge' }, { window: 100, step: 3 });
    expect(Buffer.from(fast.signed.buffer).equals(Buffer.from(exact.signed.buffer))).toBe(true);
  });
});
