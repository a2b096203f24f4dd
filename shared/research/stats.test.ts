import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import {
  bootstrapMeanCi,
  deflatedSharpe,
  expectedMaxSharpe,
  minTrackRecordLength,
  moments,
  normCdf,
  normInv,
  probabilisticSharpe,
  quantileSorted,
  sharpeInput,
} from './stats';

describe('normal distribution', () => {
  it('Φ and Φ⁻¹ match reference values', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    expect(normCdf(8)).toBeCloseTo(1, 14);
    expect(normInv(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normInv(0.001)).toBeCloseTo(-3.090232306167813, 10);
    expect(normInv(0.5)).toBe(0);
    expect(normInv(0)).toBe(-Infinity);
    for (const p of [1e-9, 0.01, 0.3, 0.7, 0.99, 1 - 1e-9]) expect(normCdf(normInv(p))).toBeCloseTo(p, 12);
  });
});

describe('moments and quantiles', () => {
  it('computes population skewness and non-excess kurtosis', () => {
    const m = moments([1, 2, 3, 4])!;
    expect(m.mean).toBe(2.5);
    expect(m.sd).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(m.skew).toBeCloseTo(0, 14);
    expect(m.kurtosis).toBeCloseTo(1.64, 14);
    expect(moments([1])).toBeNull();
    expect(moments([2, 2, 2])).toBeNull();
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe('bootstrap CI of the mean', () => {
  const draw = (n: number, seed: number): number[] => {
    const r = mulberry32(seed);
    return Array.from({ length: n }, () => 0.001 + 0.01 * r.normal());
  };
  it('contains the sample mean, is deterministic per seed, and narrows with n', () => {
    const small = draw(25, 7);
    const big = draw(400, 7);
    const a = bootstrapMeanCi(small, { confidence: 0.9, resamples: 2000, seed: 3 })!;
    const b = bootstrapMeanCi(small, { confidence: 0.9, resamples: 2000, seed: 3 })!;
    expect(a).toEqual(b);
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    const c = bootstrapMeanCi(big, { seed: 3 })!;
    expect(c.lo).toBeLessThan(c.mean);
    expect(c.hi).toBeGreaterThan(c.mean);
    expect(c.hi - c.lo).toBeLessThan((a.hi - a.lo) / 2);
    // Roughly the normal-theory width: 2 × 1.645 × sd / √n.
    const sd = moments(big)!.sd;
    expect((c.hi - c.lo) / ((2 * 1.645 * sd) / Math.sqrt(400))).toBeGreaterThan(0.85);
    expect((c.hi - c.lo) / ((2 * 1.645 * sd) / Math.sqrt(400))).toBeLessThan(1.15);
    expect(bootstrapMeanCi(small, { seed: 4 })).not.toEqual(bootstrapMeanCi(small, { seed: 3 }));
    // A wider confidence gives a wider interval.
    const w = bootstrapMeanCi(big, { seed: 3, confidence: 0.99 })!;
    expect(w.hi - w.lo).toBeGreaterThan(c.hi - c.lo);
    expect(bootstrapMeanCi([])).toBeNull();
  });
});

describe('PSR, DSR, MinTRL', () => {
  it('PSR of SR 0 against benchmark 0 is 0.5, and grows with n for a positive SR', () => {
    expect(probabilisticSharpe({ sr: 0, n: 50, skew: -1, kurtosis: 8 }, 0)).toBe(0.5);
    expect(probabilisticSharpe({ sr: 0, n: 2 })).toBe(0.5);
    const a = probabilisticSharpe({ sr: 0.1, n: 50 })!;
    const b = probabilisticSharpe({ sr: 0.1, n: 500 })!;
    expect(a).toBeGreaterThan(0.5);
    expect(b).toBeGreaterThan(a);
    // Normal returns: PSR = Φ(SR·√(n−1)/√(1 + SR²/2)).
    expect(a).toBeCloseTo(normCdf((0.1 * 7) / Math.sqrt(1 + 0.005)), 14);
    // Negative skew and fat tails lower the PSR of a positive SR.
    expect(probabilisticSharpe({ sr: 0.1, n: 50, skew: -2, kurtosis: 10 })!).toBeLessThan(a);
  });

  it('expected max Sharpe rises with N; DSR falls as N grows', () => {
    const s = { sr: 0.2, n: 120, skew: 0, kurtosis: 3 };
    let prevMax = -1;
    let prevDsr = 2;
    for (const N of [1, 2, 5, 10, 50, 100, 1000, 10000]) {
      const e = expectedMaxSharpe(N, 0.01);
      expect(e).toBeGreaterThan(prevMax);
      prevMax = e;
      const d = deflatedSharpe(s, N, 0.01)!;
      expect(d.dsr).toBeLessThan(prevDsr);
      prevDsr = d.dsr;
    }
    expect(expectedMaxSharpe(1, 0.01)).toBe(0);
    expect(deflatedSharpe(s, 1, 0.01)!.dsr).toBe(probabilisticSharpe(s, 0));
    // E[max of N standard normals] for N = 100 is about 2.51; the approximation is within a few %.
    expect(expectedMaxSharpe(100, 1)).toBeGreaterThan(2.4);
    expect(expectedMaxSharpe(100, 1)).toBeLessThan(2.6);
    const fb = deflatedSharpe(s, 10)!;
    expect(fb.varianceSource).toBe('null-fallback');
    expect(fb.trialSharpeVariance).toBeCloseTo(1 / 119, 15);
  });

  it('MinTRL is the length at which PSR reaches the confidence', () => {
    const s = { sr: 0.15, skew: -0.5, kurtosis: 5 };
    const L = minTrackRecordLength(s, 0, 0.95)!;
    expect(probabilisticSharpe({ ...s, n: L }, 0)).toBeCloseTo(0.95, 10);
    expect(minTrackRecordLength({ sr: 0 }, 0)).toBeNull();
  });

  it('sharpeInput reads a return series', () => {
    const si = sharpeInput([0.01, -0.005, 0.02, 0.0])!;
    expect(si.n).toBe(4);
    expect(si.sr).toBeCloseTo(0.00625 / moments([0.01, -0.005, 0.02, 0.0])!.sd, 14);
    expect(sharpeInput([0.01])).toBeNull();
  });
});
