/**
 * A small seeded PRNG (mulberry32) for deterministic sampling (lookahead cut points) and synthetic test data.
 * Never Math.random() in shared/: same seed, same sequence, on every runtime.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    normal: () => {
      let u = next();
      while (u <= 0) u = next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}
