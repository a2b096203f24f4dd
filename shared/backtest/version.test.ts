/** The hinted binary search (`lowerBoundFrom`) against the plain one on every hint and target of small arrays. */
import { describe, expect, it } from 'vitest';
import { lowerBound, lowerBoundFrom } from './version';

describe('lowerBoundFrom', () => {
  it('equals lowerBound for every target and every hint, including out-of-range hints and targets', () => {
    for (let n = 0; n <= 40; n++) {
      // strictly increasing open times with uneven gaps (a missing candle here and there)
      const t = Float64Array.from({ length: n }, (_, i) => i * 60 + (i > 7 ? 120 : 0) + (i > 20 ? 600 : 0));
      const targets = [-1e9, 1e9];
      for (let i = 0; i < n; i++) targets.push(t[i]! - 1, t[i]!, t[i]! + 1);
      for (const x of targets) {
        const want = lowerBound(t, x);
        for (let hint = -2; hint <= n + 2; hint++) expect(lowerBoundFrom(t, x, hint), `n ${n} t ${x} hint ${hint}`).toBe(want);
      }
    }
  });

  it('walks a year of 1m candles in time order to the same indices', () => {
    const n = 525_600;
    const t = Float64Array.from({ length: n }, (_, i) => 1_640_995_200_000 + i * 60_000);
    let hint = 0;
    for (let q = t[0]! - 30_000; q < t[n - 1]! + 90_000; q += 4_919_000) {
      const got = lowerBoundFrom(t, q, hint);
      expect(got).toBe(lowerBound(t, q));
      hint = got;
    }
  });
});
