/**
 * The half-spread distribution on hand-built quote series: event weighting pinned to Hyndman & Fan (1996)
 * definition 7 with NumPy's documented `np.percentile` example (a = [[10, 7, 4], [3, 2, 1]] → median 3.5), time
 * weighting as the inverse of the time-weighted empirical CDF computed by hand; "insufficient data" with the
 * count; bad series refused.
 */
import { describe, expect, it } from 'vitest';
import { halfSpreadBps, spreadDistribution, weightedQuantileSorted, type QuoteSeries } from './spread-distribution';

/** Quotes around 10000 with the given half-spreads in bps: bid 10000 − h, ask 10000 + h → (2h / 20000) · 1e4 = h. */
function series(hs: number[], times: number[] = hs.map((_, i) => i * 1000)): QuoteSeries {
  return { time: Float64Array.from(times), bid: Float64Array.from(hs.map((h) => 10000 - h)), ask: Float64Array.from(hs.map((h) => 10000 + h)) };
}

describe('spread distribution', () => {
  it('halfSpreadBps: (ask − bid) / (2 · mid) · 1e4', () => {
    expect(halfSpreadBps(9999, 10001)).toBe(1);
    expect(halfSpreadBps(99.9, 100.1)).toBeCloseTo(10, 11);
  });

  it('event weighting: NumPy example [10, 7, 4, 3, 2, 1] → median 3.5; p90 by type 7 = 7 + 0.5 · (10 − 7) = 8.5', () => {
    const r = spreadDistribution(series([10, 7, 4, 3, 2, 1]), { weighting: 'event', minSamples: 2 });
    expect(r).toEqual({ ok: true, weighting: 'event', n: 6, spanMs: 5000, median: 3.5, p90: 8.5, mean: 27 / 6, min: 1, max: 10 });
  });

  it('time weighting: 1 bps for 3 s, 2 bps for 2 s, 1 bps for 5 s (last sample has no duration)', () => {
    // weights: 1 bps → 8000 ms, 2 bps → 2000 ms; median 1 (8000 ≥ 5000); p90 needs 9000 → 2; mean (8000 + 4000) / 10000
    const r = spreadDistribution(series([1, 2, 1, 5], [0, 3000, 5000, 10000]), { minSamples: 2 });
    expect(r).toEqual({ ok: true, weighting: 'time', n: 3, spanMs: 10000, median: 1, p90: 2, mean: 1.2, min: 1, max: 2 });
  });

  it('weightedQuantileSorted reaches the target weight exactly at a boundary', () => {
    expect(weightedQuantileSorted([1, 2], [9, 1], 0.9)).toBe(1);
    expect(weightedQuantileSorted([1, 2], [9, 1], 0.91)).toBe(2);
    expect(weightedQuantileSorted([], [], 0.5)).toBeNaN();
  });

  it('too few samples: "insufficient data" with the count, never a number', () => {
    expect(spreadDistribution(series([1, 2, 3]))).toEqual({ ok: false, reason: 'insufficient data', count: 3, needed: 10 });
    expect(spreadDistribution(series([1, 2, 3], [5, 5, 5]), { minSamples: 3 })).toMatchObject({ ok: false, count: 3 }); // zero span
  });

  it('refuses crossed quotes and time going backwards, with the reason', () => {
    const crossed = series([1, 2]);
    crossed.bid[1] = 10005;
    expect(() => spreadDistribution(crossed, { minSamples: 2 })).toThrow(/sample 1 .* not a positive uncrossed quote/);
    expect(() => spreadDistribution(series([1, 2], [10, 5]), { minSamples: 2 })).toThrow(/backwards/);
  });

  it('is deterministic', () => {
    const s = series([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]);
    expect(JSON.stringify(spreadDistribution(s))).toBe(JSON.stringify(spreadDistribution(s)));
  });
});
