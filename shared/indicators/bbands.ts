/**
 * Bollinger Bands: middle = SMA(period), upper/lower = middle ± mult·σ where σ is the population standard
 * deviation of the same window; bandwidth = (upper − lower) / middle (a fraction, not a percentage; NaN when
 * middle is 0).
 *
 * Pinned to TA-Lib 0.4 `TA_BBANDS` with MA type SMA via npm `talib`, including its σ arithmetic
 * (`TA_INT_stddev_using_precalc_ma`: running sum of squares, E[x²] − SMA², 0 when below 1e-14), so results match
 * bit for bit. Also checked against Tulip A-to-Z `bbands(5,2)` (Achelis p. 73). Bandwidth is Bollinger's
 * BandWidth (TA-Lib has no such output). Warm-up: first value at index `period − 1`.
 */
import { checkPeriod, TA_EPSILON, warmupArray } from './util';

export interface BbandsOutput {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
  bandwidth: Float64Array;
}

export interface BbandsValue {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
  readonly bandwidth: number;
}

/** Bollinger Bands over `close`; NaN for indices < period − 1. */
export function bbands(close: Float64Array, period = 20, mult = 2): BbandsOutput {
  checkPeriod('bbands', period, 2);
  const n = close.length;
  const lookback = period - 1;
  const upper = warmupArray(n, lookback);
  const middle = warmupArray(n, lookback);
  const lower = warmupArray(n, lookback);
  const bandwidth = warmupArray(n, lookback);
  if (n <= lookback) return { upper, middle, lower, bandwidth };
  let total = 0;
  let total2 = 0;
  let i = 0;
  for (; i < lookback; i++) total += close[i]!;
  for (let j = 0; j < lookback; j++) {
    const x = close[j]!;
    total2 += x * x;
  }
  let trailing = 0;
  for (; i < n; i++) {
    const x = close[i]!;
    total += x;
    const ma = total / period;
    const old = close[trailing++]!;
    total -= old;
    total2 += x * x;
    let mean2 = total2 / period;
    total2 -= old * old;
    mean2 -= ma * ma;
    const sd = mean2 < TA_EPSILON ? 0 : Math.sqrt(mean2);
    const dev = mult === 1 ? sd : sd * mult;
    const u = ma + dev;
    const l = ma - dev;
    upper[i] = u;
    middle[i] = ma;
    lower[i] = l;
    bandwidth[i] = ma === 0 ? NaN : (u - l) / ma;
  }
  return { upper, middle, lower, bandwidth };
}

const BB_WARMUP: BbandsValue = Object.freeze({ upper: NaN, middle: NaN, lower: NaN, bandwidth: NaN });

/** Streaming Bollinger Bands: `update(close)` returns `{ upper, middle, lower, bandwidth }`. Same arithmetic as `bbands()`. */
export class BBands {
  readonly period: number;
  readonly mult: number;
  private readonly buf: Float64Array;
  private count = 0;
  private total = 0;
  private total2 = 0;
  private out: BbandsValue = BB_WARMUP;

  constructor(period = 20, mult = 2) {
    checkPeriod('BBands', period, 2);
    this.period = period;
    this.mult = mult;
    this.buf = new Float64Array(period);
  }

  /** Returns a fresh result object once stable; a shared all-NaN object during warm-up. */
  update(x: number): BbandsValue {
    const p = this.period;
    const c = this.count++;
    this.buf[c % p] = x;
    this.total += x;
    if (c < p - 1) {
      this.total2 += x * x;
      return this.out;
    }
    const ma = this.total / p;
    const old = this.buf[(c + 1) % p]!; // x[c − p + 1]
    this.total -= old;
    this.total2 += x * x;
    let mean2 = this.total2 / p;
    this.total2 -= old * old;
    mean2 -= ma * ma;
    const sd = mean2 < TA_EPSILON ? 0 : Math.sqrt(mean2);
    const dev = this.mult === 1 ? sd : sd * this.mult;
    const u = ma + dev;
    const l = ma - dev;
    this.out = { upper: u, middle: ma, lower: l, bandwidth: ma === 0 ? NaN : (u - l) / ma };
    return this.out;
  }

  get value(): BbandsValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}
