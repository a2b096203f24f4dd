/**
 * Stochastic RSI (TA-Lib STOCHRSI): the fast stochastic of RSI(period) — %K = 100·(rsi − min rsi)/(max rsi − min
 * rsi) over `fastK` RSI values (0 when the range is 0), %D = SMA(%K, fastD).
 *
 * Pinned to TA-Lib 0.4 `TA_STOCHRSI` (= `TA_STOCHF` over `TA_RSI`, fastD MA type SMA) via npm `talib`; TA-Lib's
 * defaults are period 14, fastK 5, fastD 3. (Note: some platforms' "StochRSI" smooth %K as well; this one does
 * not.) Both %K and %D start at index period + (fastK − 1) + (fastD − 1).
 */
import { rollingMax, rollingMin, RollingMax, RollingMin } from './rolling-extremes';
import { rsi, RSI } from './rsi';
import { SMA, smaFrom } from './sma';
import { rawK } from './stoch';
import { checkPeriod, nanArray } from './util';

export interface StochRsiOutput {
  k: Float64Array;
  d: Float64Array;
}

export interface StochRsiValue {
  readonly k: number;
  readonly d: number;
}

/** Stochastic RSI over `close`; NaN for indices < period + (fastK − 1) + (fastD − 1). */
export function stochRsi(close: Float64Array, period = 14, fastK = 5, fastD = 3): StochRsiOutput {
  checkPeriod('stochRsi fastK', fastK, 1);
  checkPeriod('stochRsi fastD', fastD, 1);
  const n = close.length;
  const r = rsi(close, period);
  const start = period; // first RSI index
  const k = nanArray(n);
  const d = nanArray(n);
  if (n <= start) return { k, d };
  const sub = r.subarray(start);
  const hh = rollingMax(sub, fastK);
  const ll = rollingMin(sub, fastK);
  for (let j = fastK - 1; j < sub.length; j++) {
    const lo = ll[j]!;
    const diff = (hh[j]! - lo) / 100;
    k[start + j] = diff !== 0 ? (sub[j]! - lo) / diff : 0;
  }
  smaFrom(k, start + fastK - 1, fastD, d);
  k.fill(NaN, 0, Math.min(n, start + fastK + fastD - 2));
  return { k, d };
}

const STOCHRSI_WARMUP: StochRsiValue = Object.freeze({ k: NaN, d: NaN });

/** Streaming Stochastic RSI: `update(close)` returns `{ k, d }`. Same arithmetic as `stochRsi()`. */
export class StochRSI {
  private readonly rsi: RSI;
  private readonly hi: RollingMax;
  private readonly lo: RollingMin;
  private readonly dSma: SMA;
  private out: StochRsiValue = STOCHRSI_WARMUP;

  constructor(period = 14, fastK = 5, fastD = 3) {
    this.rsi = new RSI(period);
    this.hi = new RollingMax(fastK);
    this.lo = new RollingMin(fastK);
    this.dSma = new SMA(fastD);
  }

  /** Returns a fresh result object once stable; a shared all-NaN object during warm-up. */
  update(close: number): StochRsiValue {
    const r = this.rsi.update(close);
    if (!this.rsi.isStable) return this.out;
    const h = this.hi.update(r);
    const l = this.lo.update(r);
    if (!this.hi.isStable) return this.out;
    const k = rawK(r, l, h);
    const d = this.dSma.update(k);
    if (!this.dSma.isStable) return this.out;
    this.out = { k, d };
    return this.out;
  }

  get value(): StochRsiValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.dSma.isStable;
  }
}
