/**
 * Corwin–Schultz (JF 2012) pinned to the paper's Eq. 14 and 18–21 by a hand-worked pair, and to the `bidask`
 * reference value (r/tests/testthat/test-edge.R "spread", method "CS": 0.00273953769016127 on sim(prob = 0.01),
 * set.seed(123) — PROVENANCE.md §8), which is |mean of the raw two-day estimates| with the overnight adjustment.
 */
import { describe, expect, it } from 'vitest';
import { describeWithData } from '../../testing/data';
import { readEstimatorReference } from './reference-data.test-util';
import { corwinSchultzSpread, csTwoDay } from './corwin-schultz';

describe('Corwin–Schultz two-day estimate (paper Eq. 14, 18–21)', () => {
  it('matches the formula worked by hand', () => {
    // day 1: H = 101, L = 99; day 2: H = 101.5, L = 99.5 (no gap: previous close 100 inside day 2's range)
    const [h1, l1, h2, l2] = [101, 99, 101.5, 99.5].map(Math.log) as [number, number, number, number];
    const beta = (h2 - l2) ** 2 + (h1 - l1) ** 2;
    const gamma = (Math.log(101.5) - Math.log(99)) ** 2;
    const k = 3 - 2 * Math.sqrt(2);
    const alpha = (Math.sqrt(2 * beta) - Math.sqrt(beta)) / k - Math.sqrt(gamma / k);
    const s = (2 * (Math.exp(alpha) - 1)) / (1 + Math.exp(alpha));
    expect(csTwoDay(h1, l1, Math.log(100), h2, l2, true)).toBe(s);
    expect(s).toBeGreaterThan(0.005); // ≈ 0.0134 for these ranges (a 2 % range with 0.5 % drift)
    expect(s).toBeLessThan(0.02);
  });

  it('overnight adjustment (paper §II.B): a gap up shifts day 2 down to the previous close', () => {
    const ln = Math.log;
    // previous close 100; day 2 trades 102..104 entirely above it → shifted by −2 (in logs: c1 − l2)
    const adjusted = csTwoDay(ln(101), ln(99), ln(100), ln(104), ln(102), true);
    const gap = ln(100) - ln(102);
    const manual = csTwoDay(ln(101), ln(99), 0, ln(104) + gap, ln(102) + gap, false);
    expect(adjusted).toBeCloseTo(manual, 15);
    expect(csTwoDay(ln(101), ln(99), ln(100), ln(104), ln(102), false)).toBeLessThan(adjusted); // the gap inflates γ
  });
});

describeWithData('Corwin–Schultz on the bidask reference simulation (PROVENANCE §8)', () => {
  const x = readEstimatorReference('sim_seed123_prob0.01.csv');
  it('abs-mean reproduces spread(method = "CS") = 0.00273953769016127 (test-edge.R)', () => {
    const r = corwinSchultzSpread(x, { negative: 'abs-mean' });
    if (!r.ok) throw new Error(r.detail);
    expect(Math.abs(r.spread / 0.00273953769016127 - 1)).toBeLessThan(1e-12);
    expect(r.signed).toBeLessThan(0); // the reference's |·| hides a negative mean on this sparse-trading sample
  });

  it('the negative-value rules are what they say', () => {
    const pairs = corwinSchultzSpread(x); // default: clip each two-day estimate at 0
    const mean = corwinSchultzSpread(x, { negative: 'clip-mean' });
    if (!pairs.ok || !mean.ok) throw new Error('expected estimates');
    expect(mean.spread).toBe(0); // mean is negative → floored
    expect(pairs.spread).toBeGreaterThan(0);
    expect(pairs.signed).toBe(mean.signed);
  });
});

describe('Corwin–Schultz refusals', () => {
  it('one candle, or no complete pair: insufficient data with the count', () => {
    expect(corwinSchultzSpread({ open: [1], high: [1.1], low: [0.9], close: [1] })).toMatchObject({ ok: false, reason: 'insufficient-data', count: 0, required: 1 });
    expect(corwinSchultzSpread({ open: [1, NaN, 1], high: [1.1, NaN, 1.1], low: [0.9, NaN, 0.9], close: [1, NaN, 1] })).toMatchObject({ ok: false, count: 0 });
  });
});
