/**
 * Session VWAP: Σ(tp·volume) / Σ(volume) with typical price tp = (high + low + close)/3, accumulated from the
 * first bar of each session and reset when a bar opens in a new session. Sessions are the buckets
 * floor((openTime − offsetMs) / sessionMs) — by default UTC days (sessionMs = 86 400 000, offsetMs = 0).
 * While a session's volume so far is 0 the value is that bar's typical price (never NaN; no warm-up).
 *
 * TA-Lib has no VWAP; tested against a naive per-session reference computed in the test. Pass bar OPEN times
 * in ms since the epoch (CandleSeries.openTime).
 */
import { checkSameLength } from './util';

export const DAY_MS = 86_400_000;

function checkSession(name: string, sessionMs: number): void {
  if (!(sessionMs > 0) || !Number.isFinite(sessionMs)) {
    throw new RangeError(`${name}: sessionMs must be a positive finite number, got ${sessionMs}`);
  }
}

/** Session VWAP over OHLCV columns and open times (ms). Defined from index 0. */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  openTime: Float64Array,
  sessionMs = DAY_MS,
  offsetMs = 0,
): Float64Array {
  checkSession('vwap', sessionMs);
  const n = checkSameLength('vwap', high, low, close, volume, openTime);
  const out = new Float64Array(n);
  let session = NaN;
  let pv = 0;
  let vol = 0;
  for (let i = 0; i < n; i++) {
    const s = Math.floor((openTime[i]! - offsetMs) / sessionMs);
    if (s !== session) {
      session = s;
      pv = 0;
      vol = 0;
    }
    const tp = (high[i]! + low[i]! + close[i]!) / 3;
    const v = volume[i]!;
    pv += tp * v;
    vol += v;
    out[i] = vol > 0 ? pv / vol : tp;
  }
  return out;
}

/** Streaming session VWAP: `update(high, low, close, volume, openTime)` returns the session VWAP so far. */
export class VWAP {
  readonly sessionMs: number;
  readonly offsetMs: number;
  private session = NaN;
  private pv = 0;
  private vol = 0;
  private count = 0;
  private current = NaN;

  constructor(sessionMs = DAY_MS, offsetMs = 0) {
    checkSession('VWAP', sessionMs);
    this.sessionMs = sessionMs;
    this.offsetMs = offsetMs;
  }

  update(high: number, low: number, close: number, volume: number, openTime: number): number {
    const s = Math.floor((openTime - this.offsetMs) / this.sessionMs);
    if (s !== this.session) {
      this.session = s;
      this.pv = 0;
      this.vol = 0;
    }
    const tp = (high + low + close) / 3;
    this.pv += tp * volume;
    this.vol += volume;
    this.count++;
    this.current = this.vol > 0 ? this.pv / this.vol : tp;
    return this.current;
  }

  get value(): number {
    return this.current;
  }

  get isStable(): boolean {
    return this.count > 0;
  }
}
