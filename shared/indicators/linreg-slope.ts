/**
 * Linear-regression slope: the least-squares slope of the last `period` values against bar index (units per
 * bar), i.e. TA-Lib LINEARREG_SLOPE.
 *
 * Pinned to TA-Lib 0.4 `TA_LINEARREG_SLOPE` via npm `talib` with its exact arithmetic (x counted backwards from
 * the newest bar, ΣY and ΣXY summed afresh for each window), so results match bit for bit. That is O(n·period),
 * as in TA-Lib; a running-sum O(n) form drifts and loses relative precision when the slope is near 0.
 * Warm-up: first value at index `period − 1`.
 */
import { checkPeriod, warmupArray } from './util';

function constants(period: number): [number, number] {
  const sumX = period * (period - 1) * 0.5;
  const sumXSqr = (period * (period - 1) * (2 * period - 1)) / 6;
  return [sumX, sumX * sumX - period * sumXSqr];
}

/** Linear-regression slope over `values`; NaN for indices < period − 1. */
export function linRegSlope(values: Float64Array, period = 14): Float64Array {
  checkPeriod('linRegSlope', period, 2);
  const n = values.length;
  const out = warmupArray(n, period - 1);
  const [sumX, divisor] = constants(period);
  for (let t = period - 1; t < n; t++) {
    let sumXY = 0;
    let sumY = 0;
    for (let i = period - 1; i >= 0; i--) {
      const y = values[t - i]!;
      sumY += y;
      sumXY += i * y;
    }
    out[t] = (period * sumXY - sumX * sumY) / divisor;
  }
  return out;
}

/** Streaming linear-regression slope: `update(x)` returns the current slope (NaN during warm-up). Same arithmetic as `linRegSlope()`. */
export class LinRegSlope {
  readonly period: number;
  private readonly buf: Float64Array;
  private readonly sumX: number;
  private readonly divisor: number;
  private count = 0;
  private current = NaN;

  constructor(period = 14) {
    checkPeriod('LinRegSlope', period, 2);
    this.period = period;
    this.buf = new Float64Array(period);
    [this.sumX, this.divisor] = constants(period);
  }

  update(x: number): number {
    const p = this.period;
    const t = this.count++;
    this.buf[t % p] = x;
    if (this.count < p) return this.current;
    let sumXY = 0;
    let sumY = 0;
    for (let i = p - 1; i >= 0; i--) {
      const y = this.buf[(t - i) % p]!;
      sumY += y;
      sumXY += i * y;
    }
    this.current = (p * sumXY - this.sumX * sumY) / this.divisor;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}
