/**
 * Relative Strength Index (Wilder): average gain / average loss over `period` price changes, seeded with their
 * simple mean over changes 1..period and then smoothed with Wilder's (period−1)/period recursion;
 * RSI = 100·avgGain / (avgGain + avgLoss), 0 when both are (TA-Lib) zero.
 *
 * Pinned to TA-Lib 0.4 `TA_RSI` (unstable period 0, default compatibility) via npm `talib`, same operation order
 * (`avg *= period−1; avg += change; avg /= period`); also checked against Tulip A-to-Z `rsi(5)` (Achelis p. 299).
 * Warm-up: first value at index `period`.
 */
import { checkPeriod, isZero, warmupArray } from './util';

/** RSI over `values`; NaN for indices < period. */
export function rsi(values: Float64Array, period = 14): Float64Array {
  checkPeriod('rsi', period, 2);
  const n = values.length;
  const out = warmupArray(n, period);
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  let prev = values[0]!;
  for (let i = 1; i <= period; i++) {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    if (d < 0) loss -= d;
    else gain += d;
  }
  loss /= period;
  gain /= period;
  let s = gain + loss;
  out[period] = isZero(s) ? 0 : 100 * (gain / s);
  const pm1 = period - 1;
  for (let i = period + 1; i < n; i++) {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    // branch-free form of TA-Lib's `avg *= p−1; if (d < 0) loss −= d else gain += d; avg /= p` (adding 0 is exact)
    loss = (loss * pm1 - Math.min(d, 0)) / period;
    gain = (gain * pm1 + Math.max(d, 0)) / period;
    s = gain + loss;
    out[i] = isZero(s) ? 0 : 100 * (gain / s);
  }
  return out;
}

/** Streaming RSI: `update(x)` returns the current RSI (NaN during warm-up). Same arithmetic as `rsi()`. */
export class RSI {
  readonly period: number;
  private count = 0;
  private prev = NaN;
  private gain = 0;
  private loss = 0;
  private current = NaN;

  constructor(period = 14) {
    checkPeriod('RSI', period, 2);
    this.period = period;
  }

  update(x: number): number {
    const c = this.count++;
    if (c === 0) {
      this.prev = x;
      return this.current;
    }
    const p = this.period;
    const d = x - this.prev;
    this.prev = x;
    if (c <= p) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (c < p) return this.current;
      this.loss /= p;
      this.gain /= p;
    } else {
      this.loss *= p - 1;
      this.gain *= p - 1;
      if (d < 0) this.loss -= d;
      else this.gain += d;
      this.loss /= p;
      this.gain /= p;
    }
    const s = this.gain + this.loss;
    this.current = isZero(s) ? 0 : 100 * (this.gain / s);
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count > this.period;
  }
}
