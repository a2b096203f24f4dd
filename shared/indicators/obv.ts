/**
 * On-balance volume: starts at the first bar's volume, then adds the volume on an up close, subtracts it on a
 * down close, and carries it on an unchanged close.
 *
 * Pinned to TA-Lib 0.4 `TA_OBV` via npm `talib` (which seeds with volume[0]; no warm-up, defined from index 0).
 * Tulip A-to-Z `obv` (Achelis p. 231) seeds with 0 instead, so the tests compare it after removing that constant
 * offset.
 */
import { checkSameLength } from './util';

/** OBV over close and volume columns; defined from index 0. */
export function obv(close: Float64Array, volume: Float64Array): Float64Array {
  const n = checkSameLength('obv', close, volume);
  const out = new Float64Array(n);
  if (n === 0) return out;
  let acc = volume[0]!;
  let prev = close[0]!;
  for (let i = 0; i < n; i++) {
    const x = close[i]!;
    if (x > prev) acc += volume[i]!;
    else if (x < prev) acc -= volume[i]!;
    out[i] = acc;
    prev = x;
  }
  return out;
}

/** Streaming OBV: `update(close, volume)` returns the running OBV. Same arithmetic as `obv()`. */
export class OBV {
  private count = 0;
  private prev = NaN;
  private current = NaN;

  update(close: number, volume: number): number {
    if (this.count++ === 0) {
      this.current = volume;
    } else if (close > this.prev) {
      this.current += volume;
    } else if (close < this.prev) {
      this.current -= volume;
    }
    this.prev = close;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count > 0;
  }
}
