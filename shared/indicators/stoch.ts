/**
 * Slow stochastic oscillator: raw %K = 100·(close − lowest low) / (highest high − lowest low) over `fastK` bars
 * (0 when the range is 0), slow %K = SMA(raw %K, slowK), slow %D = SMA(slow %K, slowD).
 *
 * Pinned to TA-Lib 0.4 `TA_STOCH` with SMA for both MA types via npm `talib` (same `(close − low)/((high − low)/100)`
 * arithmetic); also checked against Tulip A-to-Z `stoch(5,3,3)` (p. 325, whose %K smoothing the Tulip authors
 * replaced by an SMA). As in TA-Lib, both %K and %D start at index (fastK − 1) + (slowK − 1) + (slowD − 1).
 */
import { rollingMax, rollingMin, RollingMax, RollingMin } from './rolling-extremes';
import { SMA, smaFrom } from './sma';
import { checkPeriod, checkSameLength, nanArray } from './util';

export interface StochOutput {
  k: Float64Array;
  d: Float64Array;
}

export interface StochValue {
  readonly k: number;
  readonly d: number;
}

/** TA-Lib's raw %K for one bar. */
export function rawK(close: number, lowest: number, highest: number): number {
  const diff = (highest - lowest) / 100;
  return diff !== 0 ? (close - lowest) / diff : 0;
}

/** Slow stochastic over OHLC columns; NaN for indices < (fastK − 1) + (slowK − 1) + (slowD − 1). */
export function stoch(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  fastK = 14,
  slowK = 3,
  slowD = 3,
): StochOutput {
  checkPeriod('stoch fastK', fastK, 1);
  checkPeriod('stoch slowK', slowK, 1);
  checkPeriod('stoch slowD', slowD, 1);
  const n = checkSameLength('stoch', high, low, close);
  const hh = rollingMax(high, fastK);
  const ll = rollingMin(low, fastK);
  const raw = hh; // reuse: raw %K overwrites the highs in place
  for (let i = fastK - 1; i < n; i++) {
    const lo = ll[i]!;
    const diff = (hh[i]! - lo) / 100;
    raw[i] = diff !== 0 ? (close[i]! - lo) / diff : 0;
  }
  const k = nanArray(n);
  smaFrom(raw, fastK - 1, slowK, k);
  const d = nanArray(n);
  smaFrom(k, fastK - 1 + slowK - 1, slowD, d);
  const begin = Math.min(n, fastK + slowK + slowD - 3);
  k.fill(NaN, 0, begin);
  return { k, d };
}

const STOCH_WARMUP: StochValue = Object.freeze({ k: NaN, d: NaN });

/** Streaming slow stochastic: `update(high, low, close)` returns `{ k, d }`. Same arithmetic as `stoch()`. */
export class Stoch {
  private readonly hi: RollingMax;
  private readonly lo: RollingMin;
  private readonly kSma: SMA;
  private readonly dSma: SMA;
  private out: StochValue = STOCH_WARMUP;

  constructor(fastK = 14, slowK = 3, slowD = 3) {
    checkPeriod('Stoch fastK', fastK, 1);
    this.hi = new RollingMax(fastK);
    this.lo = new RollingMin(fastK);
    this.kSma = new SMA(slowK);
    this.dSma = new SMA(slowD);
  }

  /** Returns a fresh result object once stable; a shared all-NaN object during warm-up. */
  update(high: number, low: number, close: number): StochValue {
    const h = this.hi.update(high);
    const l = this.lo.update(low);
    if (!this.hi.isStable) return this.out;
    const k = this.kSma.update(rawK(close, l, h));
    if (!this.kSma.isStable) return this.out;
    const d = this.dSma.update(k);
    if (!this.dSma.isStable) return this.out;
    this.out = { k, d };
    return this.out;
  }

  get value(): StochValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.dSma.isStable;
  }
}
