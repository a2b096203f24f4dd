/**
 * Rolling spread windows: each window must equal the single-shot estimator on that slice, byte for byte (the
 * consistency the `bidask` reference tests between `edge_rolling` and `edge`, python/tests/test_edge.py
 * `test_edge_rolling_consistency`, there to 1e-8), windows that cannot estimate are refused with a status, and bad
 * window arguments throw.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../backtest/prng';
import { abdiRanaldoSpread } from './abdi-ranaldo';
import { corwinSchultzSpread } from './corwin-schultz';
import { edgeSpread } from './edge';
import { ROLLING_INSUFFICIENT, rollingSpread } from './rolling';
import { simulateBidAskCandles } from './simulate';

const x = simulateBidAskCandles(mulberry32(42), { n: 300, trades: 50, prob: 0.2 });
const slice = (from: number, to: number) => ({
  open: x.open.subarray(from, to),
  high: x.high.subarray(from, to),
  low: x.low.subarray(from, to),
  close: x.close.subarray(from, to),
});

describe('rollingSpread', () => {
  it.each([3, 4, 42])('EDGE window %i equals edgeSpread on each slice', (w) => {
    const r = rollingSpread(x, { estimator: 'edge' }, { window: w });
    expect(r.end.length).toBe(300 - w + 1);
    for (let i = 0; i < r.end.length; i += 7) {
      const one = edgeSpread(slice(r.end[i]! - w + 1, r.end[i]! + 1));
      if (one.ok) expect(Object.is(r.spread[i], one.spread) && Object.is(r.signed[i], one.signed)).toBe(true);
      else expect(r.status[i]).not.toBe(0);
    }
  });

  it('Corwin–Schultz and Abdi–Ranaldo windows with step equal their single-shot slices', () => {
    const cs = rollingSpread(x, { estimator: 'corwin-schultz', negative: 'clip-mean' }, { window: 60, step: 60 });
    const ar = rollingSpread(x, { estimator: 'abdi-ranaldo' }, { window: 60, step: 60 });
    expect(Array.from(cs.end)).toEqual([59, 119, 179, 239, 299]);
    cs.end.forEach((end, i) => {
      const a = corwinSchultzSpread(slice(end - 59, end + 1), { negative: 'clip-mean' });
      const b = abdiRanaldoSpread(slice(end - 59, end + 1));
      expect(a.ok && a.spread).toBe(cs.spread[i]);
      expect(b.ok && b.spread).toBe(ar.spread[i]);
    });
  });

  it('a window of flat candles is refused with its status, not given a number', () => {
    const p = [1, 1, 1, 1, 1.1, 1.05, 1.2, 1.1, 1.15];
    const hi = p.map((v, i) => (i < 4 ? v : v * 1.01));
    const r = rollingSpread({ open: p, high: hi, low: p, close: p }, { estimator: 'edge' }, { window: 3 });
    expect(r.status[0]).toBe(ROLLING_INSUFFICIENT);
    expect(Number.isNaN(r.spread[0])).toBe(true);
    expect(r.refused).toBeGreaterThan(0);
  });

  it('rejects windows too small for the estimator and bad steps; fewer candles than a window gives no windows', () => {
    expect(() => rollingSpread(x, { estimator: 'edge' }, { window: 2 })).toThrow(/≥ 3/);
    expect(() => rollingSpread(x, { estimator: 'abdi-ranaldo' }, { window: 1 })).toThrow(/≥ 2/);
    expect(() => rollingSpread(x, { estimator: 'edge' }, { window: 10, step: 0 })).toThrow(/step/);
    expect(rollingSpread(slice(0, 5), { estimator: 'edge' }, { window: 10 }).end.length).toBe(0);
  });
});
