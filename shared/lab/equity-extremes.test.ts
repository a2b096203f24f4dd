import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extremeIndices, keepExtremes } from './equity-extremes';

const curve = (values: number[]) => {
  let peak = -Infinity;
  const dd = values.map((v) => ((peak = Math.max(peak, v)), 1 - v / peak));
  return { time: values.map((_, i) => 1000 * i), equityGross: values.map((v) => v * 1.01), equityNet: values, drawdown: dd };
};

describe('keepExtremes', () => {
  it('keeps every point of a curve that fits, and none of an empty one', () => {
    const c = curve([1, 2, 3, 2, 1]);
    expect(extremeIndices(c, 1000)).toEqual([0, 1, 2, 3, 4]);
    expect(extremeIndices(curve([]), 100)).toEqual([]);
  });

  it('at most maxPoints stored points, the first and last among them, and the exact extremes', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 3000 }), fc.integer({ min: 7, max: 500 }), (values, max) => {
        const c = curve(values);
        const k = keepExtremes(c, max);
        expect(k.time.length).toBeLessThanOrEqual(max);
        expect(k.time[0]).toBe(0);
        expect(k.time.at(-1)).toBe(1000 * (values.length - 1));
        expect(Math.max(...k.equityNet)).toBe(Math.max(...values));
        expect(Math.min(...k.equityNet)).toBe(Math.min(...values));
        expect(Math.max(...k.drawdown)).toBe(Math.max(...c.drawdown));
        expect(Math.max(...k.equityGross)).toBe(Math.max(...c.equityGross));
        // Stored points only, in time order.
        for (let j = 0; j < k.time.length; j++) expect(k.equityNet[j]).toBe(values[k.time[j]! / 1000]);
        expect([...k.time].sort((a, b) => a - b)).toEqual(k.time);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
