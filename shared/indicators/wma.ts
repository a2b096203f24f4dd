/**
 * Weighted moving average (WMA): linear weights 1..period, newest weighted most, divided by period·(period+1)/2.
 *
 * Pinned to TA-Lib 0.4 `TA_WMA` via npm `talib` (same O(1) running periodSum/periodSub update, so results match
 * bit for bit); also checked against Tulip A-to-Z `wma(5)` (Achelis p. 213). Warm-up: first value at `period − 1`.
 */
import { checkPeriod, warmupArray } from './util';

/** WMA over `values`; NaN for indices < period − 1. */
export function wma(values: Float64Array, period: number): Float64Array {
  checkPeriod('wma', period, 2);
  const n = values.length;
  const lookback = period - 1;
  const out = warmupArray(n, lookback);
  if (n <= lookback) return out;
  const divider = (period * (period + 1)) >> 1;
  let periodSum = 0;
  let periodSub = 0;
  let i = 0;
  for (; i < lookback; i++) {
    const x = values[i]!;
    periodSub += x;
    periodSum += x * (i + 1);
  }
  let trailingIdx = 0;
  let trailing = 0;
  for (; i < n; i++) {
    const x = values[i]!;
    periodSub += x;
    periodSub -= trailing;
    periodSum += x * period;
    trailing = values[trailingIdx++]!;
    out[i] = periodSum / divider;
    periodSum -= periodSub;
  }
  return out;
}

/** Streaming WMA: `update(x)` returns the current WMA (NaN during warm-up). Same arithmetic as `wma()`. */
export class WMA {
  readonly period: number;
  private readonly buf: Float64Array;
  private readonly divider: number;
  private periodSum = 0;
  private periodSub = 0;
  private trailing = 0;
  private count = 0;
  private current = NaN;

  constructor(period: number) {
    checkPeriod('WMA', period, 2);
    this.period = period;
    this.buf = new Float64Array(period);
    this.divider = (period * (period + 1)) >> 1;
  }

  update(x: number): number {
    const p = this.period;
    const c = this.count;
    this.buf[c % p] = x;
    this.count = c + 1;
    this.periodSub += x;
    if (c < p - 1) {
      this.periodSum += x * (c + 1);
      return this.current;
    }
    this.periodSub -= this.trailing;
    this.periodSum += x * p;
    this.trailing = this.buf[(c + 1) % p]!; // x[c − p + 1], the oldest in the window
    this.current = this.periodSum / this.divider;
    this.periodSum -= this.periodSub;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}
