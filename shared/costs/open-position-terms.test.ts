/** `openPositionTerms` gives `openPositionPnl` bit for bit (Object.is) when the terms are reused across marks. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../research/prng';
import { openPositionPnl, openPositionTerms } from './cost-model';

describe('openPositionTerms', () => {
  it('fee + dirNotional × (m − 1) equals openPositionPnl exactly, long and short, over seeded inputs', () => {
    const rng = mulberry32(7);
    let checked = 0;
    for (let k = 0; k < 2_000; k++) {
      const capital = 10 + rng.next() * 1e5;
      const entryCost = [0, 0.0001, 0.001, 0.0031, rng.next() * 0.01][k % 5]!;
      const dir = k % 2 === 0 ? 1 : -1;
      const t = openPositionTerms(capital, entryCost, dir);
      for (const m of [1, 0.5 + rng.next(), 1 + 1e-12, 0.9]) {
        expect(Object.is(t.fee + t.dirNotional * (m - 1), openPositionPnl(capital, entryCost, dir, m))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(8_000);
  });
});
