import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonReference, hashCanonical } from './hash';
import { mulberry32 } from './prng';

describe('canonical JSON and hashing', () => {
  it('sorts keys, drops undefined, writes numbers stably', () => {
    expect(canonicalJson({ b: 1, a: [0.1 + 0.2, -0, undefined], c: undefined, d: 'x' })).toBe('{"a":[0.30000000000000004,0,null],"b":1,"d":"x"}');
    expect(canonicalJson(new Float64Array([1.5, 2]))).toBe('[1.5,2]');
    expect(hashCanonical({ a: 1, b: 2 })).toBe(hashCanonical({ b: 2, a: 1 }));
    expect(hashCanonical({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
  it('the native fast path equals the reference writer', () => {
    const rng = mulberry32(9);
    const v = {
      z: [1, -0, 0.1 + 0.2, 1e21, 1e-7, -123.456, 2 ** 60],
      a: { y: 'q"uote\\', b: true, nested: [{ k2: 1, k1: null }, { k1: 'x', k0: [] }] },
      m: Array.from({ length: 200 }, () => ({ r: rng.normal(), s: rng.next() < 0.5 ? 'a' : 'b', u: undefined })),
      '10': 1,
      '9': 2,
    };
    expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
    expect(canonicalJson(v)).not.toContain('undefined');
  });

  it('objects of one shape in a row, then other orders and shapes at the same depth, still equal the reference', () => {
    const v = [
      { b: 1, a: 2, c: { y: 1, x: 2 } },
      { b: 3, a: 4, c: { y: 5, x: 6 } },
      { a: 7, b: 8, c: { x: 9, y: 10 } },
      { b: 11, a: 12, c: { y: 13, x: 14, w: undefined } },
      { b: 15, a: 16, c: { y: 17, '2': 18 } },
    ];
    expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
    expect(canonicalJson(v.slice(0, 4))).toBe(canonicalJsonReference(v.slice(0, 4)));
    expect(canonicalJson(v.slice(0, 4))).toContain('"c":{"x":14,"y":13}');
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ x: NaN })).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
  });
  it('seeded PRNG is reproducible', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
    const c = mulberry32(1).next();
    expect(c).toBeGreaterThanOrEqual(0);
    expect(c).toBeLessThan(1);
  });
});
