/**
 * True range: max(high − low, |high − prevClose|, |low − prevClose|).
 *
 * Pinned to TA-Lib 0.4 `TA_TRANGE` via npm `talib`: it needs a previous close, so index 0 is NaN (TA-Lib
 * begIndex 1). Tulip A-to-Z `tr` (Achelis p. 70) defines index 0 as high − low; the tests compare from index 1.
 */
import { checkSameLength, warmupArray } from './util';

/** True range of bar i given the previous close (TA-Lib's TRUE_RANGE macro, same comparison order). */
export function trueRange(high: number, low: number, prevClose: number): number {
  let greatest = high - low;
  const v2 = Math.abs(prevClose - high);
  if (v2 > greatest) greatest = v2;
  const v3 = Math.abs(prevClose - low);
  if (v3 > greatest) greatest = v3;
  return greatest;
}

/** True range over OHLC columns; index 0 is NaN. */
export function trange(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
  const n = checkSameLength('trange', high, low, close);
  const out = warmupArray(n, 1);
  for (let i = 1; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const pc = close[i - 1]!;
    let g = h - l;
    const v2 = Math.abs(pc - h);
    if (v2 > g) g = v2;
    const v3 = Math.abs(pc - l);
    if (v3 > g) g = v3;
    out[i] = g;
  }
  return out;
}

/** Streaming true range: `update(high, low, close)` returns the bar's true range (NaN for the first bar). */
export class TRange {
  private prevClose = NaN;
  private count = 0;
  private current = NaN;

  update(high: number, low: number, close: number): number {
    if (this.count++ > 0) this.current = trueRange(high, low, this.prevClose);
    this.prevClose = close;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count > 1;
  }
}
