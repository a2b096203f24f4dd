/**
 * Simple moving average (SMA): the arithmetic mean of the last `period` values.
 *
 * Definition and arithmetic pinned to TA-Lib 0.4 `TA_SMA`/`TA_INT_SMA` (running sum: add the new value, divide,
 * subtract the trailing value; same operation order, so results match bit for bit) via npm `talib`; also checked
 * against Tulip A-to-Z `sma(5)` (Achelis p. 207). Warm-up: first value at index `period - 1`.
 */
import { checkPeriod, warmupArray } from './util';

/** SMA over `values`; NaN for indices < period − 1. */
export function sma(values: Float64Array, period: number): Float64Array {
  checkPeriod('sma', period, 1);
  const n = values.length;
  const lookback = period - 1;
  const out = warmupArray(n, lookback);
  if (n <= lookback) return out;
  let total = 0;
  let i = 0;
  for (; i < lookback; i++) total += values[i]!;
  let trailing = 0;
  for (; i < n; i++) {
    total += values[i]!;
    out[i] = total / period;
    total -= values[trailing++]!;
  }
  return out;
}

/** Streaming SMA: `update(x)` returns the current SMA (NaN during warm-up). Same arithmetic as `sma()`. */
export class SMA {
  readonly period: number;
  private readonly buf: Float64Array;
  private total = 0;
  private count = 0;
  private current = NaN;

  constructor(period: number) {
    checkPeriod('SMA', period, 1);
    this.period = period;
    this.buf = new Float64Array(period);
  }

  update(x: number): number {
    const p = this.period;
    const slot = this.count % p;
    this.buf[slot] = x;
    this.count++;
    this.total += x;
    if (this.count >= p) {
      this.current = this.total / p;
      // the oldest value in the window (the one written p − 1 updates ago) leaves now
      this.total -= this.buf[this.count % p]!;
    }
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}

/**
 * SMA of `src` over the indices ≥ `start` (values before `start` are ignored), written into `dst` from index
 * start + period − 1 on. Same arithmetic as `sma()`; used to chain smoothings (stochastics) exactly as TA-Lib does.
 */
export function smaFrom(src: Float64Array, start: number, period: number, dst: Float64Array): void {
  const n = src.length;
  const first = start + period - 1;
  if (n <= first) return;
  let total = 0;
  let i = start;
  for (; i < first; i++) total += src[i]!;
  let trailing = start;
  for (; i < n; i++) {
    total += src[i]!;
    dst[i] = total / period;
    total -= src[trailing++]!;
  }
}
