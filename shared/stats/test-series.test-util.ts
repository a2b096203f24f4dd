/**
 * Seeded series shared by the statistics tests (and by the reference computations quoted in them): AR(1)
 * x_t = φ·x_{t−1} + e_t with e_t standard normal from mulberry32(seed), x_{−1} = 0.
 */
import { mulberry32 } from './prng';

export function ar1(n: number, phi: number, seed: number): number[] {
  const r = mulberry32(seed);
  const out: number[] = [];
  let x = 0;
  for (let i = 0; i < n; i++) {
    x = phi * x + r.normal();
    out.push(x);
  }
  return out;
}
