/**
 * The order a chunk runs its combos in on the fast path: sorted by their canonical key (param names sorted, so
 * combos that agree on the leading params — usually the indicator periods `prepare` depends on — run back to back
 * and hit the prepare cache while its entry is fresh). Only the run order changes: outputs stay in chunk order.
 */
import type { Params } from '../strategies/types';
import { comboKey } from '../research/summary';

/** Indices of `combos` in run order (stable for equal keys). */
export function fastSweepOrder(combos: readonly Params[]): number[] {
  const keys = combos.map((c) => comboKey(c));
  return combos.map((_, k) => k).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
}
