import { describe, expect, it } from 'vitest';
import { crossedAbove, crossedAboveLevel, crossedBelow, crossedBelowLevel, emaSeed, fmt, num, pct, sig, wilderSeed } from './helpers';

describe('strategy helpers', () => {
  it('formats numbers for reasons', () => {
    expect(fmt(42110.4)).toBe('42,110');
    expect(fmt(6577.185)).toBe('6,577.19');
    expect(fmt(14.23456)).toBe('14.2346');
    expect(fmt(0.000123456)).toBe('0.0001235');
    expect(fmt(-1234567.8)).toBe('-1,234,568');
    expect(num(38.04)).toBe('38.0');
    expect(pct(0.0123)).toBe('1.23%');
    expect(pct(0.06, 1, true)).toBe('+6.0%');
    expect(pct(-0.105, 2, true)).toBe('-10.50%');
    expect(sig(-0.39043)).toBe('-0.390');
    expect(sig(1234.5)).toBe('1235');
    expect(sig(0)).toBe('0');
  });

  it('detects crosses and ignores warm-up NaNs', () => {
    const a = Float64Array.from([NaN, 30, 36, 34]);
    expect(crossedAboveLevel(a, 1, 35)).toBe(false);
    expect(crossedAboveLevel(a, 2, 35)).toBe(true);
    expect(crossedBelowLevel(a, 3, 35)).toBe(true);
    const b = Float64Array.from([NaN, 32, 32, 32]);
    expect(crossedAbove(a, b, 2)).toBe(true);
    expect(crossedBelow(a, b, 2)).toBe(false);
    expect(crossedAbove(a, b, 1)).toBe(false);
  });

  it('sizes warm-ups for EMA-type and Wilder smoothing', () => {
    expect(emaSeed(200)).toBe(2000);
    expect(wilderSeed(14)).toBe(280);
  });
});
