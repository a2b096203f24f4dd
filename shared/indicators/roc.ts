/**
 * Rate of change in percent: ROC = (x / x[−period] − 1)·100 (0 when x[−period] is 0).
 *
 * Pinned to TA-Lib 0.4 `TA_ROC` via npm `talib`; also checked against Tulip A-to-Z `rocr(12)` (Achelis p. 197,
 * the ratio form: ROC = (rocr − 1)·100). Warm-up: first value at index `period`.
 */
import { checkPeriod, warmupArray } from './util';

/** ROC over `values`; NaN for indices < period. */
export function roc(values: Float64Array, period = 10): Float64Array {
  checkPeriod('roc', period, 1);
  const n = values.length;
  const out = warmupArray(n, period);
  for (let i = period; i < n; i++) {
    const base = values[i - period]!;
    out[i] = base !== 0 ? (values[i]! / base - 1) * 100 : 0;
  }
  return out;
}

/** Streaming ROC: `update(x)` returns the current ROC (NaN during warm-up). Same arithmetic as `roc()`. */
export class ROC {
  readonly period: number;
  private readonly buf: Float64Array;
  private count = 0;
  private current = NaN;

  constructor(period = 10) {
    checkPeriod('ROC', period, 1);
    this.period = period;
    this.buf = new Float64Array(period);
  }

  update(x: number): number {
    const slot = this.count % this.period;
    if (this.count >= this.period) {
      const base = this.buf[slot]!;
      this.current = base !== 0 ? (x / base - 1) * 100 : 0;
    }
    this.buf[slot] = x;
    this.count++;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count > this.period;
  }
}
