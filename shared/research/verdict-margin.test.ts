import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import { costDistribution, edgeMargin } from './verdict-margin';

describe('edgeMargin: break-even cost with a percentile-bootstrap CI (Efron & Tibshirani 1993, §13.3)', () => {
  it('worked example: two trades, the bootstrap distribution and its percentile interval by hand', () => {
    // Trades: gross 0 (exit/entry 1) and gross +1 % (exit/entry 1.01). c*(sample) = 2·mean(g)/(1 + mean(r)) × 1e4.
    //   resample {0, 0}:  c* = 0                                  probability 1/4
    //   resample {0, 1}:  c* = 2·0.005/2.005·1e4 = 49.8753… bps   probability 1/2
    //   resample {1, 1}:  c* = 2·0.01/2.01·1e4   = 99.5024… bps   probability 1/4
    // The percentile interval at 90 % takes the 5 % and 95 % quantiles of the B replicates: with B = 20,000 the 5 %
    // point lies inside the mass at 0 and the 95 % point inside the mass at 99.50, so [lo, hi] = [0, 99.5024…]; the
    // point estimate is c* of the sample itself, 49.8753….
    const m = edgeMargin([0, 0.01], [1, 1.01], [20, 30], { resamples: 20_000, confidence: 0.9, seed: 7 });
    expect(m.status).toBe('ok');
    if (m.status !== 'ok') return;
    expect(m.breakEvenBps).toBeCloseTo((2 * 0.005 * 1e4) / 2.005, 10);
    expect(m.ci.lo).toBe(0);
    expect(m.ci.hi).toBeCloseTo((2 * 0.01 * 1e4) / 2.01, 10);
    expect(m.cost).toEqual({ n: 2, medianBps: 25, p90Bps: 29, meanBps: 25 });
    expect(m.clears).toBe(false);
    expect(m.marginBps).toBe(0 - 29);
  });

  it('identical trades give a degenerate interval at the break-even cost', () => {
    const m = edgeMargin([0.005, 0.005, 0.005], [1.005, 1.005, 1.005], [20, 20, 20], { resamples: 500 });
    if (m.status !== 'ok') throw new Error(m.status);
    const be = (2 * 0.005 * 1e4) / 2.005;
    expect(m.breakEvenBps).toBeCloseTo(be, 10);
    expect(m.ci.lo).toBeCloseTo(be, 10);
    expect(m.ci.hi).toBeCloseTo(be, 10);
    expect(m.clears).toBe(be > 20);
  });

  it('keeps only when the lower bound clears the p90 cost; same seed, same interval', () => {
    const r = mulberry32(3);
    const g = Array.from({ length: 300 }, () => (60 + 40 * r.normal()) / 1e4);
    const ratio = g.map((x) => 1 + x);
    const cheap = edgeMargin(g, ratio, g.map(() => 25));
    const dear = edgeMargin(g, ratio, g.map((_, k) => (k % 5 === 0 ? 200 : 25)));
    if (cheap.status !== 'ok' || dear.status !== 'ok') throw new Error('expected ok');
    expect(cheap.ci.lo).toBeGreaterThan(25);
    expect(cheap.clears).toBe(true);
    expect(dear.cost.p90Bps).toBeGreaterThan(cheap.ci.lo); // p90 sits in the 20 % of 200 bps trades
    expect(dear.clears).toBe(false);
    expect(edgeMargin(g, ratio, g.map(() => 25))).toEqual(cheap);
    const other = edgeMargin(g, ratio, g.map(() => 25), { seed: 2 });
    if (other.status !== 'ok') throw new Error('expected ok');
    expect(other.ci.lo).not.toBe(cheap.ci.lo);
  });

  it('no edge before costs: gross mean ≤ 0 gives no break-even, never a negative one', () => {
    const m = edgeMargin([-0.002, 0.001], [0.998, 1.001], [20, 20]);
    expect(m).toMatchObject({ status: 'no-edge', clears: false });
    if (m.status === 'no-edge') expect(m.grossMeanBps).toBeCloseTo(-5, 10);
    expect(edgeMargin([], [], [])).toEqual({ status: 'no-trades', clears: false });
    expect(() => edgeMargin([0.01], [1.01, 1], [1])).toThrow(/1 gross returns, 2 ratios/);
  });

  it('cost distribution: type-7 median and p90', () => {
    expect(costDistribution([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110])).toEqual({ n: 11, medianBps: 60, p90Bps: 100, meanBps: 60 });
    expect(costDistribution([])).toBeNull();
  });
});
