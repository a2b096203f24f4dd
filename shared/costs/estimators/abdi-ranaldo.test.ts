/**
 * Abdi–Ranaldo (RFS 2017) pinned to the paper's Eq. 7–8 by a hand-worked sample and to the `bidask` reference
 * value (r/tests/testthat/test-edge.R "spread", method "AR": 0.00874585212811397 on sim(prob = 0.01),
 * set.seed(123) — PROVENANCE.md §8).
 */
import { describe, expect, it } from 'vitest';
import { describeWithData } from '../../testing/data';
import { readEstimatorReference } from './reference-data.test-util';
import { abdiRanaldoSpread } from './abdi-ranaldo';

describe('Abdi–Ranaldo (paper Eq. 7–8)', () => {
  it('matches 4·E[(c_{t−1} − η_{t−1})(c_{t−1} − η_t)] worked by hand', () => {
    const high = [101, 102, 101.5];
    const low = [99, 100, 99.8];
    const close = [100.8, 100.2, 100];
    const ln = Math.log;
    const eta = high.map((h, i) => (ln(h) + ln(low[i]!)) / 2);
    const s2 = [1, 2].map((t) => 4 * (ln(close[t - 1]!) - eta[t - 1]!) * (ln(close[t - 1]!) - eta[t]!));
    const mean = (s2[0]! + s2[1]!) / 2;
    const r = abdiRanaldoSpread({ open: close, high, low, close });
    if (!r.ok) throw new Error(r.detail);
    expect(r.signed).toBeCloseTo(Math.sign(mean) * Math.sqrt(Math.abs(mean)), 15);
    expect(r.spread).toBeCloseTo(Math.sqrt(Math.max(0, mean)), 15);
    const two = abdiRanaldoSpread({ open: close, high, low, close }, { negative: 'clip-pairs' });
    if (!two.ok) throw new Error(two.detail);
    expect(two.spread).toBeCloseTo((Math.sqrt(Math.max(0, s2[0]!)) + Math.sqrt(Math.max(0, s2[1]!))) / 2, 15);
  });

  it('too few candles: insufficient data with the count', () => {
    expect(abdiRanaldoSpread({ open: [1], high: [1], low: [1], close: [1] })).toMatchObject({ ok: false, reason: 'insufficient-data', count: 0 });
  });
});

describeWithData('Abdi–Ranaldo on the bidask reference simulation (PROVENANCE §8)', () => {
  it('reproduces spread(method = "AR") = 0.00874585212811397 (test-edge.R)', () => {
    const r = abdiRanaldoSpread(readEstimatorReference('sim_seed123_prob0.01.csv'), { negative: 'abs-mean' });
    if (!r.ok) throw new Error(r.detail);
    expect(Math.abs(r.spread / 0.00874585212811397 - 1)).toBeLessThan(1e-12);
    expect(r.pairs).toBe(9999);
  });
});
