import { describe, expect, it } from 'vitest';
import { autocovariances, fft } from './autocovariance';
import { ar1 } from './test-series.test-util';

describe('autocovariances', () => {
  it('the FFT path (Wiener–Khinchin) equals the direct biased sums', () => {
    const x = ar1(1500, 0.5, 2);
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const e = x.map((v) => v - m);
    const g = autocovariances(e, 1499);
    for (const lag of [0, 1, 7, 100, 800, 1499]) {
      let s = 0;
      for (let t = 0; t + lag < e.length; t++) s += e[t]! * e[t + lag]!;
      expect(g[lag]! - s / e.length).toBeCloseTo(0, 12);
    }
    expect(autocovariances(e, 10)[3]).toBeCloseTo(g[3]!, 12);
  });

  it('fft then inverse fft returns the input times n', () => {
    const re = new Float64Array([1, 2, 3, 4, 0, -1, 0.5, 2]);
    const im = new Float64Array(8);
    const orig = re.slice();
    fft(re, im);
    // DC term = sum of the inputs.
    expect(re[0]).toBeCloseTo(11.5, 12);
    fft(re, im, true);
    for (let i = 0; i < 8; i++) expect(re[i]! / 8).toBeCloseTo(orig[i]!, 12);
  });
});
