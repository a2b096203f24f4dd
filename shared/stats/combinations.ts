/**
 * The C(S, S/2) splits of combinatorially symmetric cross-validation (CSCV), in a fixed order so that a range of
 * split indices [from, to) can be computed in one queue message and merged with the others exactly. Order:
 * lexicographic over the sorted in-sample block sets ({0,1,…,h−1} first), the order of R's `combn(S, S/2)`.
 */
import { StatsInputError } from './errors';

/** Binomial coefficient C(n, k) (exact for the sizes used here, n ≤ 60). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** The `index`-th k-subset of {0..n−1} in lexicographic order (combinatorial number system). */
export function unrankCombination(n: number, k: number, index: number): number[] {
  const total = binomial(n, k);
  if (!Number.isInteger(index) || index < 0 || index >= total) throw new StatsInputError(`combination index ${index} outside [0, ${total})`);
  const out: number[] = [];
  let x = 0;
  let rest = index;
  for (let slot = 0; slot < k; slot++) {
    for (;;) {
      const withX = binomial(n - x - 1, k - slot - 1);
      if (rest < withX) break;
      rest -= withX;
      x++;
    }
    out.push(x);
    x++;
  }
  return out;
}

/** Advances a k-subset of {0..n−1} to its lexicographic successor in place; false after the last one. */
export function nextCombination(c: number[], n: number): boolean {
  const k = c.length;
  let i = k - 1;
  while (i >= 0 && c[i] === n - k + i) i--;
  if (i < 0) return false;
  c[i]!++;
  for (let j = i + 1; j < k; j++) c[j] = c[j - 1]! + 1;
  return true;
}
