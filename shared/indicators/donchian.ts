/**
 * Donchian channel: upper = highest high, lower = lowest low over the last `period` bars (current bar included),
 * middle = (upper + lower)/2.
 *
 * TA-Lib has no Donchian; upper/lower are checked against TA-Lib 0.4 `TA_MAX(high)`/`TA_MIN(low)` via npm
 * `talib`, and middle against a naive reference. Warm-up: first value at index `period − 1`.
 */
import { rollingMax, rollingMin, RollingMax, RollingMin } from './rolling-extremes';
import { checkPeriod, checkSameLength } from './util';

export interface DonchianOutput {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}

export interface DonchianValue {
  readonly upper: number;
  readonly lower: number;
  readonly middle: number;
}

/** Donchian channel over high/low columns; NaN for indices < period − 1. */
export function donchian(high: Float64Array, low: Float64Array, period = 20): DonchianOutput {
  checkPeriod('donchian', period, 1);
  const n = checkSameLength('donchian', high, low);
  const upper = rollingMax(high, period);
  const lower = rollingMin(low, period);
  const middle = new Float64Array(n);
  for (let i = 0; i < n; i++) middle[i] = (upper[i]! + lower[i]!) / 2;
  return { upper, lower, middle };
}

const DONCHIAN_WARMUP: DonchianValue = Object.freeze({ upper: NaN, lower: NaN, middle: NaN });

/** Streaming Donchian channel: `update(high, low)` returns `{ upper, lower, middle }`. */
export class Donchian {
  private readonly hi: RollingMax;
  private readonly lo: RollingMin;
  private out: DonchianValue = DONCHIAN_WARMUP;

  constructor(period = 20) {
    this.hi = new RollingMax(period);
    this.lo = new RollingMin(period);
  }

  /** Returns a fresh result object once stable; a shared all-NaN object during warm-up. */
  update(high: number, low: number): DonchianValue {
    const u = this.hi.update(high);
    const l = this.lo.update(low);
    if (this.hi.isStable) this.out = { upper: u, lower: l, middle: (u + l) / 2 };
    return this.out;
  }

  get value(): DonchianValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.hi.isStable;
  }
}
