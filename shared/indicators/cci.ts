/**
 * Commodity Channel Index: typical price tp = (high + low + close)/3; CCI = (tp − SMA(tp)) / (0.015 · mean
 * absolute deviation of tp from that SMA) over `period` bars; 0 when either part is 0.
 *
 * Pinned to TA-Lib 0.4 `TA_CCI` via npm `talib`, including its circular-buffer summation order (so results match
 * bit for bit). The mean deviation needs a pass over the window, so this is O(n·period), as in TA-Lib.
 * Also checked against Tulip A-to-Z `cci(5)` (Achelis p. 105), which starts later but agrees where it is defined.
 * Warm-up: first value at index `period − 1`.
 */
import { checkPeriod, checkSameLength, warmupArray } from './util';

/** CCI over OHLC columns; NaN for indices < period − 1. */
export function cci(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  checkPeriod('cci', period, 2);
  const n = checkSameLength('cci', high, low, close);
  const out = warmupArray(n, period - 1);
  const buf = new Float64Array(period);
  let slot = 0;
  for (let i = 0; i < n; i++) {
    const tp = (high[i]! + low[i]! + close[i]!) / 3;
    buf[slot] = tp;
    if (++slot === period) slot = 0;
    if (i < period - 1) continue;
    out[i] = cciOfWindow(buf, tp, period);
  }
  return out;
}

function cciOfWindow(buf: Float64Array, last: number, period: number): number {
  let avg = 0;
  for (let j = 0; j < period; j++) avg += buf[j]!;
  avg /= period;
  let dev = 0;
  for (let j = 0; j < period; j++) dev += Math.abs(buf[j]! - avg);
  const num = last - avg;
  return num !== 0 && dev !== 0 ? num / (0.015 * (dev / period)) : 0;
}

/** Streaming CCI: `update(high, low, close)` returns the current CCI (NaN during warm-up). Same arithmetic as `cci()`. */
export class CCI {
  readonly period: number;
  private readonly buf: Float64Array;
  private count = 0;
  private current = NaN;

  constructor(period = 14) {
    checkPeriod('CCI', period, 2);
    this.period = period;
    this.buf = new Float64Array(period);
  }

  update(high: number, low: number, close: number): number {
    const tp = (high + low + close) / 3;
    this.buf[this.count % this.period] = tp;
    this.count++;
    if (this.count >= this.period) this.current = cciOfWindow(this.buf, tp, this.period);
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }
}
