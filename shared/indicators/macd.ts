/**
 * MACD: fast EMA − slow EMA, its signal line (EMA of MACD) and the histogram (MACD − signal).
 *
 * Pinned to TA-Lib 0.4 `TA_MACD`/`TA_INT_MACD` via npm `talib`, including its seeding quirk: both EMAs start at
 * the slow EMA's first index (slow − 1), each seeded with the SMA of its own last `period` values there — so the
 * fast EMA is NOT the stand-alone EMA(fast) (which would start at fast − 1). The signal EMA is seeded with the SMA
 * of the first `signal` MACD values. All three outputs begin at index (slow − 1) + (signal − 1) (TA-Lib's
 * begIndex; 33 for 12/26/9). If slow < fast the two are swapped, as TA-Lib does.
 * Tulip A-to-Z `macd(12,26,9)` (Achelis p. 202) uses the fixed constants 0.15/0.075 and so differs (by up to
 * 0.47 on that vector): the tests skip it and say why.
 */
import { emaK } from './ema';
import { checkPeriod, warmupArray } from './util';

export interface MacdOutput {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

export interface MacdValue {
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
}

const MACD_WARMUP: MacdValue = Object.freeze({ macd: NaN, signal: NaN, histogram: NaN });

function checkMacd(name: string, fast: number, slow: number, signal: number): [number, number] {
  checkPeriod(`${name} fast`, fast, 2);
  checkPeriod(`${name} slow`, slow, 2);
  checkPeriod(`${name} signal`, signal, 1);
  return slow < fast ? [slow, fast] : [fast, slow];
}

/** MACD over `close`; all outputs NaN for indices < (slow − 1) + (signal − 1). */
export function macd(close: Float64Array, fast = 12, slow = 26, signal = 9): MacdOutput {
  [fast, slow] = checkMacd('macd', fast, slow, signal);
  const n = close.length;
  const start = slow - 1;
  const begin = start + signal - 1;
  const m = warmupArray(n, begin);
  const s = warmupArray(n, begin);
  const h = warmupArray(n, begin);
  if (n <= begin) return { macd: m, signal: s, histogram: h };
  const kSlow = emaK(slow);
  const kFast = emaK(fast);
  const kSig = emaK(signal);
  let slowSum = 0;
  for (let i = 0; i <= start; i++) slowSum += close[i]!;
  let fastSum = 0;
  for (let i = start - fast + 1; i <= start; i++) fastSum += close[i]!;
  let emaSlow = slowSum / slow;
  let emaFast = fastSum / fast;
  let line = emaFast - emaSlow;
  let sigSum = line;
  for (let i = start + 1; i <= begin; i++) {
    const x = close[i]!;
    emaSlow = (x - emaSlow) * kSlow + emaSlow;
    emaFast = (x - emaFast) * kFast + emaFast;
    line = emaFast - emaSlow;
    sigSum += line;
  }
  let sig = sigSum / signal;
  m[begin] = line;
  s[begin] = sig;
  h[begin] = line - sig;
  for (let i = begin + 1; i < n; i++) {
    const x = close[i]!;
    emaSlow = (x - emaSlow) * kSlow + emaSlow;
    emaFast = (x - emaFast) * kFast + emaFast;
    line = emaFast - emaSlow;
    sig = (line - sig) * kSig + sig;
    m[i] = line;
    s[i] = sig;
    h[i] = line - sig;
  }
  return { macd: m, signal: s, histogram: h };
}

/** Streaming MACD: `update(close)` returns `{ macd, signal, histogram }` (NaNs during warm-up). Same arithmetic as `macd()`. */
export class MACD {
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSig: number;
  private readonly warm: Float64Array;
  private count = 0;
  private emaFast = NaN;
  private emaSlow = NaN;
  private sigSum = 0;
  private sig = NaN;
  private out: MacdValue = MACD_WARMUP;

  constructor(fast = 12, slow = 26, signal = 9) {
    [fast, slow] = checkMacd('MACD', fast, slow, signal);
    this.fast = fast;
    this.slow = slow;
    this.signal = signal;
    this.kFast = emaK(fast);
    this.kSlow = emaK(slow);
    this.kSig = emaK(signal);
    this.warm = new Float64Array(slow);
  }

  /** Returns a fresh result object once stable; a shared all-NaN object during warm-up. */
  update(x: number): MacdValue {
    const c = this.count++;
    const start = this.slow - 1;
    let line: number;
    if (c < start) {
      this.warm[c] = x;
      return this.out;
    } else if (c === start) {
      this.warm[c] = x;
      let slowSum = 0;
      for (let i = 0; i <= start; i++) slowSum += this.warm[i]!;
      let fastSum = 0;
      for (let i = start - this.fast + 1; i <= start; i++) fastSum += this.warm[i]!;
      this.emaSlow = slowSum / this.slow;
      this.emaFast = fastSum / this.fast;
      line = this.emaFast - this.emaSlow;
    } else {
      this.emaSlow = (x - this.emaSlow) * this.kSlow + this.emaSlow;
      this.emaFast = (x - this.emaFast) * this.kFast + this.emaFast;
      line = this.emaFast - this.emaSlow;
    }
    const begin = start + this.signal - 1;
    if (c < begin) {
      this.sigSum += line;
      return this.out;
    }
    if (c === begin) {
      this.sigSum += line;
      this.sig = this.sigSum / this.signal;
    } else {
      this.sig = (line - this.sig) * this.kSig + this.sig;
    }
    this.out = { macd: line, signal: this.sig, histogram: line - this.sig };
    return this.out;
  }

  get value(): MacdValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.count > this.slow + this.signal - 2;
  }
}
