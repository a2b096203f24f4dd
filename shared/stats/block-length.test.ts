import { describe, expect, it } from 'vitest';
import { flatTopKernel, optimalBlockLength } from './block-length';
import { InsufficientDataError, StatsInputError } from './errors';
import { ar1 } from './test-series.test-util';

describe('Politis–White (2004) / Patton–Politis–White (2009) automatic block length', () => {
  it('matches arch.bootstrap.optimal_block_length (arch 8.0.0) on the same series', () => {
    // Reference values: arch 8.0.0, `optimal_block_length(x)` columns `stationary` / `circular`, run on the
    // series below (exported from ar1(...) as JSON). Same algorithm, so equal to rounding.
    const cases: [number[], number, number][] = [
      [ar1(500, 0.5, 11), 10.223967418285339, 11.703521119112445],
      [ar1(1000, 0, 12), 1.8594557366167945, 2.128545465102742],
      [ar1(2000, 0.9, 13), 56.05047618895015, 64.16177839538764],
    ];
    for (const [x, sb, cb] of cases) {
      const b = optimalBlockLength(x);
      expect(b.stationary).toBeCloseTo(sb, 10);
      expect(b.circular).toBeCloseTo(cb, 10);
    }
  });

  it('tracks the AR(1) optimum b_SB = (2φ/(1−φ²))^{2/3}·n^{1/3} (PW 2004 §3 with R(k) = σ²φ^|k|)', () => {
    for (const [phi, seed] of [[0.5, 1], [0.7, 2], [0.9, 3]] as const) {
      const n = 20000;
      const theory = (2 * phi / (1 - phi * phi)) ** (2 / 3) * Math.cbrt(n);
      const b = optimalBlockLength(ar1(n, phi, seed));
      expect(b.stationary / theory).toBeGreaterThan(0.75);
      expect(b.stationary / theory).toBeLessThan(1.25);
      // D_CB = (4/3)ĝ² vs D_SB = 2ĝ² (the PPW 2009 correction): b_CB / b_SB = (3/2)^{1/3} when neither is capped.
      expect(b.circular / b.stationary).toBeCloseTo(Math.cbrt(1.5), 12);
    }
  });

  it('the flat-top kernel is 1 on |t| ≤ ½, linear to 0 at |t| = 1', () => {
    expect([0, 0.5, -0.5, 0.75, 1, 1.2].map(flatTopKernel)).toEqual([1, 1, 1, 0.5, 0, 0]);
  });

  it('refuses too short or constant series', () => {
    expect(() => optimalBlockLength([1, 2, 3])).toThrow(InsufficientDataError);
    expect(() => optimalBlockLength(new Array(50).fill(2))).toThrow(StatsInputError);
    expect(() => optimalBlockLength([1, 2, 3, 4, 5, 6, 7, 8, Infinity])).toThrow(/not a finite number/);
  });
});
