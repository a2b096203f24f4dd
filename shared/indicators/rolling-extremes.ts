/**
 * Rolling maximum / minimum over the last `period` values (current bar included), the building block of
 * Donchian channels and the stochastics.
 *
 * Batch functions use TA-Lib's own scheme from `TA_MAX`/`TA_MIN`/`TA_STOCH` (remember the index of the extreme,
 * rescan the window only when it leaves; amortised O(1) per bar on market data) and match TA-Lib `MAX`/`MIN`
 * via npm `talib`. Streaming classes use a monotonic deque over fixed typed arrays (worst-case O(1) amortised,
 * no allocation per update). Warm-up: first value at index `period − 1`.
 */
import { checkPeriod, nanArray } from './util';

/** Rolling maximum; NaN for indices < period − 1. */
export function rollingMax(values: Float64Array, period: number): Float64Array {
  checkPeriod('rollingMax', period, 1);
  const n = values.length;
  const out = nanArray(n);
  let hiIdx = -1;
  let hi = 0;
  for (let today = period - 1, trailing = 0; today < n; today++, trailing++) {
    const x = values[today]!;
    if (hiIdx < trailing) {
      hiIdx = trailing;
      hi = values[hiIdx]!;
      for (let i = hiIdx + 1; i <= today; i++) {
        const v = values[i]!;
        if (v > hi) {
          hiIdx = i;
          hi = v;
        }
      }
    } else if (x >= hi) {
      hiIdx = today;
      hi = x;
    }
    out[today] = hi;
  }
  return out;
}

/** Rolling minimum; NaN for indices < period − 1. */
export function rollingMin(values: Float64Array, period: number): Float64Array {
  checkPeriod('rollingMin', period, 1);
  const n = values.length;
  const out = nanArray(n);
  let loIdx = -1;
  let lo = 0;
  for (let today = period - 1, trailing = 0; today < n; today++, trailing++) {
    const x = values[today]!;
    if (loIdx < trailing) {
      loIdx = trailing;
      lo = values[loIdx]!;
      for (let i = loIdx + 1; i <= today; i++) {
        const v = values[i]!;
        if (v < lo) {
          loIdx = i;
          lo = v;
        }
      }
    } else if (x <= lo) {
      loIdx = today;
      lo = x;
    }
    out[today] = lo;
  }
  return out;
}

/** Monotonic-deque rolling extreme; `sign` = 1 for max, −1 for min. */
class RollingExtreme {
  readonly period: number;
  private readonly vals: Float64Array;
  private readonly idxs: Float64Array;
  private head = 0;
  private size = 0;
  private count = 0;
  private current = NaN;

  constructor(
    name: string,
    period: number,
    private readonly isMax: boolean,
  ) {
    checkPeriod(name, period, 1);
    this.period = period;
    this.vals = new Float64Array(period);
    this.idxs = new Float64Array(period);
  }

  update(x: number): number {
    const p = this.period;
    const t = this.count++;
    // drop the front if it has left the window
    if (this.size > 0 && this.idxs[this.head]! <= t - p) {
      this.head = (this.head + 1) % p;
      this.size--;
    }
    // drop dominated values from the back
    while (this.size > 0) {
      const back = (this.head + this.size - 1) % p;
      const v = this.vals[back]!;
      if (this.isMax ? v <= x : v >= x) this.size--;
      else break;
    }
    const slot = (this.head + this.size) % p;
    this.vals[slot] = x;
    this.idxs[slot] = t;
    this.size++;
    if (this.count >= p) this.current = this.vals[this.head]!;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}

/** Streaming rolling maximum: `update(x)` returns the max of the last `period` values (NaN during warm-up). */
export class RollingMax extends RollingExtreme {
  constructor(period: number) {
    super('RollingMax', period, true);
  }
}

/** Streaming rolling minimum: `update(x)` returns the min of the last `period` values (NaN during warm-up). */
export class RollingMin extends RollingExtreme {
  constructor(period: number) {
    super('RollingMin', period, false);
  }
}
