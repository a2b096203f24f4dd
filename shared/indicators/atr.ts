/**
 * Average true range (Wilder): the SMA of the first `period` true ranges (bars 1..period) as seed, then
 * `atr = (atr·(period−1) + tr) / period`.
 *
 * Pinned to TA-Lib 0.4 `TA_ATR` via npm `talib` (same seed and operation order). Tulip/Achelis `atr(4)` (p. 70)
 * starts one bar earlier, taking high − low as bar 0's true range, so its seed differs: the tests skip that
 * vector and say why (and check the true-range column `tr` instead). Warm-up: first value at index `period`.
 */
import { trueRange } from './trange';
import { checkPeriod, checkSameLength, warmupArray } from './util';

/** ATR over OHLC columns; NaN for indices < period. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  checkPeriod('atr', period, 1);
  const n = checkSameLength('atr', high, low, close);
  const out = warmupArray(n, period);
  if (n <= period) return out;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRange(high[i]!, low[i]!, close[i - 1]!);
  let prev = sum / period;
  out[period] = prev;
  const pm1 = period - 1;
  for (let i = period + 1; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const pc = close[i - 1]!;
    let tr = h - l;
    const v2 = Math.abs(pc - h);
    if (v2 > tr) tr = v2;
    const v3 = Math.abs(pc - l);
    if (v3 > tr) tr = v3;
    prev *= pm1;
    prev += tr;
    prev /= period;
    out[i] = prev;
  }
  return out;
}

/** Streaming ATR: `update(high, low, close)` returns the current ATR (NaN during warm-up). Same arithmetic as `atr()`. */
export class ATR {
  readonly period: number;
  private count = 0;
  private prevClose = NaN;
  private sum = 0;
  private current = NaN;

  constructor(period = 14) {
    checkPeriod('ATR', period, 1);
    this.period = period;
  }

  update(high: number, low: number, close: number): number {
    const c = this.count++;
    const pc = this.prevClose;
    this.prevClose = close;
    if (c === 0) return this.current;
    const tr = trueRange(high, low, pc);
    const p = this.period;
    if (c < p) {
      this.sum += tr;
    } else if (c === p) {
      this.sum += tr;
      this.current = this.sum / p;
    } else {
      let a = this.current * (p - 1);
      a += tr;
      this.current = a / p;
    }
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count > this.period;
  }
}
