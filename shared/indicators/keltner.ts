/**
 * Keltner channel (the modern Raschke / StockCharts form): middle = EMA(close, period) (TA-Lib EMA, SMA seed),
 * upper = middle + mult·ATR(atrPeriod), lower = middle − mult·ATR(atrPeriod), ATR being TA-Lib's Wilder ATR.
 * Defaults period 20, mult 2, atrPeriod 10. (Chester Keltner's 1960 original used a 10-day SMA of the typical
 * price ± the average high − low; that is NOT what this computes.)
 *
 * TA-Lib has no Keltner; tested against a naive reference built in the test from TA-Lib EMA and ATR (npm
 * `talib`). Warm-up: first value at index max(period − 1, atrPeriod).
 */
import { ATR, atr } from './atr';
import { EMA, ema } from './ema';
import { checkSameLength, nanArray } from './util';

export interface KeltnerOutput {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

export interface KeltnerValue {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
}

/** Keltner channel over OHLC columns; NaN for indices < max(period − 1, atrPeriod). */
export function keltner(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 20,
  mult = 2,
  atrPeriod = 10,
): KeltnerOutput {
  const n = checkSameLength('keltner', high, low, close);
  const mid = ema(close, period);
  const a = atr(high, low, close, atrPeriod);
  const upper = nanArray(n);
  const lower = nanArray(n);
  const middle = nanArray(n);
  for (let i = Math.max(period - 1, atrPeriod); i < n; i++) {
    const m = mid[i]!;
    const w = mult * a[i]!;
    middle[i] = m;
    upper[i] = m + w;
    lower[i] = m - w;
  }
  return { upper, middle, lower };
}

const KELTNER_WARMUP: KeltnerValue = Object.freeze({ upper: NaN, middle: NaN, lower: NaN });

/** Streaming Keltner channel: `update(high, low, close)` returns `{ upper, middle, lower }`. Same arithmetic as `keltner()`. */
export class Keltner {
  readonly mult: number;
  private readonly ema: EMA;
  private readonly atr: ATR;
  private out: KeltnerValue = KELTNER_WARMUP;

  constructor(period = 20, mult = 2, atrPeriod = 10) {
    this.mult = mult;
    this.ema = new EMA(period);
    this.atr = new ATR(atrPeriod);
  }

  /** Returns a fresh result object once stable; a shared all-NaN object during warm-up. */
  update(high: number, low: number, close: number): KeltnerValue {
    const m = this.ema.update(close);
    const a = this.atr.update(high, low, close);
    if (this.ema.isStable && this.atr.isStable) {
      const w = this.mult * a;
      this.out = { upper: m + w, middle: m, lower: m - w };
    }
    return this.out;
  }

  get value(): KeltnerValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.ema.isStable && this.atr.isStable;
  }
}
