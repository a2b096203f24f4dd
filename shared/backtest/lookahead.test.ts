import { describe, expect, it } from 'vitest';
import { assertNoLookahead, checkLookahead, checkTruncation, checkWarmup } from './lookahead';
import { maCross, randomWalk } from './fixtures.test-util';

describe('lookahead guards', () => {
  const small = randomWalk(300, 11);
  const large = randomWalk(5000, 12);

  it('catch a strategy that peeks one candle ahead (close[i+1] in prepare): exhaustive and sampled', () => {
    const biased = maCross({ fast: 3, slow: 10, peek: true });
    const r = checkTruncation(biased, small, {});
    expect(r.checked).toBe(300 - 11);
    expect(r.ok).toBe(false);
    expect(r.mismatchCount).toBeGreaterThan(0);
    const sampled = checkTruncation(biased, large, {}, { samples: 100 });
    expect(sampled.checked).toBe(100);
    expect(sampled.ok).toBe(false);
    expect(() => assertNoLookahead(biased, large, {}, { samples: 100 })).toThrow(/lookahead check failed/);
  });

  it('pass an honest strategy on both checks', () => {
    const honest = maCross({ fast: 3, slow: 10, stopPct: 0.02 });
    expect(checkLookahead(honest, small, {}).ok).toBe(true);
    const r = checkLookahead(honest, large, {}, { samples: 150 });
    expect(r.truncation.ok).toBe(true);
    expect(r.warmup.ok).toBe(true);
    expect(r.warmup.checked).toBe(150);
  });

  it('warm-up check catches a strategy that declares less history than it uses', () => {
    // EMA(60) seeded from an SMA needs far more than 61 candles to converge; declaring 61 is a lie.
    const short = maCross({ kind: 'ema', fast: 10, slow: 60, startup: 61 });
    expect(checkWarmup(short, large, {}, { samples: 300 }).ok).toBe(false);
    expect(checkTruncation(short, large, {}, { samples: 50 }).ok).toBe(true); // it is causal, just under-warmed
    const honest = maCross({ kind: 'ema', fast: 10, slow: 60, startup: 1200 });
    expect(checkWarmup(honest, large, {}, { samples: 300 }).ok).toBe(true);
  });
});
