/**
 * Exponential moving average (EMA) with k = 2 / (period + 1), seeded TA-Lib style with the SMA of the first
 * `period` values (output at index `period − 1`), then `ema = (x − ema)·k + ema`.
 *
 * Pinned to TA-Lib 0.4 `TA_EMA`/`TA_INT_EMA` (default compatibility, SMA seed) via npm `talib`. The Achelis book
 * and Tulip seed with the first value instead; the Tulip A-to-Z `ema(5)` vector (p. 209) is checked in the tests
 * after accounting for that seed (the two converge as (1 − k)^t).
 */
import { checkPeriod, warmupArray } from './util';

/** TA-Lib's PER_TO_K: 2 / (period + 1). */
export function emaK(period: number): number {
  return 2 / (period + 1);
}

/** EMA over `values`; NaN for indices < period − 1. */
export function ema(values: Float64Array, period: number): Float64Array {
  checkPeriod('ema', period, 2);
  const n = values.length;
  const out = warmupArray(n, period - 1);
  if (n < period) return out;
  const k = emaK(period);
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i]!;
  let prev = sum / period;
  out[period - 1] = prev;
  for (let i = period; i < n; i++) {
    prev = (values[i]! - prev) * k + prev;
    out[i] = prev;
  }
  return out;
}

/**
 * Streaming EMA: `update(x)` returns the current EMA (NaN during warm-up). Same arithmetic as `ema()`. Once
 * warm, an update is one test and the recurrence (`left` counts the warm-up values still to come), so a
 * per-value loop costs about what trading-signals' EMA does despite TA-Lib's longer `(x − ema)·k + ema` chain.
 */
export class EMA {
  readonly period: number;
  readonly k: number;
  private left: number;
  private sum = 0;
  private current = NaN;

  constructor(period: number) {
    checkPeriod('EMA', period, 2);
    this.period = period;
    this.k = emaK(period);
    this.left = period;
  }

  update(x: number): number {
    if (this.left === 0) {
      const e = this.current;
      return (this.current = (x - e) * this.k + e);
    }
    this.sum += x;
    if (--this.left === 0) this.current = this.sum / this.period;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.left === 0;
  }
}
