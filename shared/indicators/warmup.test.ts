import { describe, expect, it } from 'vitest';
import { ema } from './ema';
import { rsi } from './rsi';
import { mulberry32 } from '../backtest/prng';
import { indicatorWarmup } from './warmup';

// After the warm-up, an indicator computed on the truncated history equals the one on the whole history (≤ 1e-6
// relative): what makes a chart overlay show the strategy's own series.
describe('indicatorWarmup', () => {
  const r = mulberry32(3);
  let p = 100;
  const close = Float64Array.from({ length: 6000 }, () => (p *= 1 + 0.01 * r.normal()));
  it.each([
    ['ema', [50], (x: Float64Array) => ema(x, 50)],
    ['rsi', [14], (x: Float64Array) => rsi(x, 14)],
  ] as const)('%s%o: truncated history converges to the full one', (kind, args, f) => {
    const full = f(close);
    const at = 5000;
    const warm = indicatorWarmup(kind, args);
    const cut = f(close.subarray(at - warm));
    expect(Math.abs(cut[warm]! - full[at]!) / Math.abs(full[at]!)).toBeLessThan(1e-6);
    // Too short a history does not converge as well (the rule is not vacuous).
    const short = f(close.subarray(at - Math.ceil(warm / 8)));
    expect(Math.abs(short[Math.ceil(warm / 8)]! - full[at]!)).toBeGreaterThan(Math.abs(cut[warm]! - full[at]!));
  });
  it('macd needs its slow and signal seeds', () => {
    expect(indicatorWarmup('macd', [12, 26, 9])).toBe(260 + 90);
    expect(indicatorWarmup('sma', [20])).toBe(20);
  });
});
