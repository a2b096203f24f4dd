/**
 * Money Flow Index: typical price tp = (high + low + close)/3, raw money flow tp·volume counted as positive when
 * tp rose, negative when it fell (neither when unchanged), summed over the last `period` bars;
 * MFI = 100·pos/(pos + neg).
 *
 * Pinned to TA-Lib 0.4 `TA_MFI` via npm `talib`, including its running sums and its quirk of returning 0 when
 * pos + neg < 1 (an absolute threshold, in quote-currency·volume units). Also checked against Tulip A-to-Z
 * `mfi(14)` (companion spreadsheet). Warm-up: first value at index `period`.
 */
import { checkPeriod, checkSameLength, warmupArray } from './util';

/** MFI over OHLCV columns; NaN for indices < period. */
export function mfi(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period = 14,
): Float64Array {
  checkPeriod('mfi', period, 2);
  const n = checkSameLength('mfi', high, low, close, volume);
  const out = warmupArray(n, period);
  if (n <= period) return out;
  const posBuf = new Float64Array(period);
  const negBuf = new Float64Array(period);
  let pos = 0;
  let neg = 0;
  let prevTp = (high[0]! + low[0]! + close[0]!) / 3;
  let slot = 0;
  for (let i = 1; i < n; i++) {
    if (i > period) {
      pos -= posBuf[slot]!;
      neg -= negBuf[slot]!;
    }
    const tp = (high[i]! + low[i]! + close[i]!) / 3;
    const d = tp - prevTp;
    prevTp = tp;
    const mf = tp * volume[i]!;
    if (d < 0) {
      negBuf[slot] = mf;
      neg += mf;
      posBuf[slot] = 0;
    } else if (d > 0) {
      posBuf[slot] = mf;
      pos += mf;
      negBuf[slot] = 0;
    } else {
      posBuf[slot] = 0;
      negBuf[slot] = 0;
    }
    if (++slot === period) slot = 0;
    if (i >= period) {
      const total = pos + neg;
      out[i] = total < 1 ? 0 : 100 * (pos / total);
    }
  }
  return out;
}

/** Streaming MFI: `update(high, low, close, volume)` returns the current MFI (NaN during warm-up). Same arithmetic as `mfi()`. */
export class MFI {
  readonly period: number;
  private readonly posBuf: Float64Array;
  private readonly negBuf: Float64Array;
  private pos = 0;
  private neg = 0;
  private prevTp = NaN;
  private slot = 0;
  private count = 0;
  private current = NaN;

  constructor(period = 14) {
    checkPeriod('MFI', period, 2);
    this.period = period;
    this.posBuf = new Float64Array(period);
    this.negBuf = new Float64Array(period);
  }

  update(high: number, low: number, close: number, volume: number): number {
    const i = this.count++;
    const tp = (high + low + close) / 3;
    if (i === 0) {
      this.prevTp = tp;
      return this.current;
    }
    const p = this.period;
    const s = this.slot;
    if (i > p) {
      this.pos -= this.posBuf[s]!;
      this.neg -= this.negBuf[s]!;
    }
    const d = tp - this.prevTp;
    this.prevTp = tp;
    const mf = tp * volume;
    if (d < 0) {
      this.negBuf[s] = mf;
      this.neg += mf;
      this.posBuf[s] = 0;
    } else if (d > 0) {
      this.posBuf[s] = mf;
      this.pos += mf;
      this.negBuf[s] = 0;
    } else {
      this.posBuf[s] = 0;
      this.negBuf[s] = 0;
    }
    this.slot = s + 1 === p ? 0 : s + 1;
    if (i >= p) {
      const total = this.pos + this.neg;
      this.current = total < 1 ? 0 : 100 * (this.pos / total);
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
