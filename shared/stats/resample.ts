/**
 * Index resamplers for dependent series, all driven by an explicit seeded PRNG.
 *
 * - Stationary bootstrap (Politis, D. N. & Romano, J. P. (1994), "The Stationary Bootstrap", JASA 89(428),
 *   1303–1313): blocks of geometric length with mean b (p = 1/b) starting at uniform positions, wrapping around
 *   the end of the series. Generated as in the paper's equivalent description (and in arch's
 *   StationaryBootstrap): I_1 uniform; then with probability p a new uniform start, otherwise I_t = I_{t−1} + 1
 *   (mod n).
 * - Moving-block bootstrap (Künsch, H. R. (1989), "The Jackknife and the Bootstrap for General Stationary
 *   Observations", Annals of Statistics 17(3), 1217–1241): ⌈n/l⌉ blocks of l consecutive observations whose
 *   starts are uniform on {0, …, n − l}, concatenated and cut to n.
 * - Permutation (Fisher–Yates) and iid resampling with replacement, for trade-order Monte Carlo.
 */
import type { Prng } from './prng';
import { StatsInputError } from './errors';

/** Fills `out` (length n) with stationary-bootstrap indices of mean block length `meanBlock` ≥ 1. */
export function stationaryBootstrapIndices(n: number, meanBlock: number, rng: Prng, out: Int32Array = new Int32Array(n)): Int32Array {
  if (!(meanBlock >= 1) || !Number.isFinite(meanBlock)) throw new StatsInputError(`mean block length must be ≥ 1, got ${meanBlock}`);
  const p = 1 / meanBlock;
  let idx = rng.int(0, n);
  out[0] = idx;
  for (let t = 1; t < n; t++) {
    if (rng.next() < p) idx = rng.int(0, n);
    else {
      idx++;
      if (idx === n) idx = 0;
    }
    out[t] = idx;
  }
  return out;
}

/** Fills `out` (length n) with moving-block-bootstrap indices of block length `block` (1 ≤ block ≤ n). */
export function movingBlockIndices(n: number, block: number, rng: Prng, out: Int32Array = new Int32Array(n)): Int32Array {
  if (!Number.isInteger(block) || block < 1 || block > n) throw new StatsInputError(`block length must be an integer in [1, ${n}], got ${block}`);
  let t = 0;
  while (t < n) {
    const start = rng.int(0, n - block + 1);
    for (let j = 0; j < block && t < n; j++) out[t++] = start + j;
  }
  return out;
}

/** Fills `out` with a uniformly random permutation of 0..n−1 (Fisher–Yates). */
export function permutationIndices(n: number, rng: Prng, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}

/** Fills `out` with n indices drawn uniformly with replacement. */
export function iidIndices(n: number, rng: Prng, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = rng.int(0, n);
  return out;
}
