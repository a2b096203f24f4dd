/**
 * Wilder's directional movement: +DI, −DI, DX and ADX.
 *
 * +DM/−DM and TR are summed over bars 1..period−1, then Wilder-smoothed (`s = s − s/period + x`);
 * ±DI = 100·DM/TR (0 when TR is TA-Lib zero), DX = 100·|−DI − +DI| / (−DI + +DI), ADX = mean of the first
 * `period` DX values, then `adx = (adx·(period−1) + dx) / period`.
 *
 * Pinned to TA-Lib 0.4 `TA_ADX`, `TA_PLUS_DI`, `TA_MINUS_DI`, `TA_DX` via npm `talib` (same operation order and
 * zero handling: DX repeats its previous value when TR or the DI sum is zero; ADX then skips the update).
 * Warm-up: ±DI and DX first at index `period`, ADX first at index `2·period − 1` (TA-Lib's begIndex each).
 * Tulip A-to-Z `di`/`dx` (companion spreadsheet) emit one bar earlier (index period − 1, before the first
 * smoothing step) and agree from index `period` on; Tulip `adx` seeds from that extra DX, so it is checked only
 * for convergence.
 */
import { checkPeriod, checkSameLength, isZero, warmupArray } from './util';

export interface AdxOutput {
  adx: Float64Array;
  plusDI: Float64Array;
  minusDI: Float64Array;
  dx: Float64Array;
}

export interface AdxValue {
  readonly adx: number;
  readonly plusDI: number;
  readonly minusDI: number;
  readonly dx: number;
}

/** ADX, +DI, −DI and DX over OHLC columns (see the module comment for the warm-up of each). */
export function adx(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): AdxOutput {
  checkPeriod('adx', period, 2);
  const n = checkSameLength('adx', high, low, close);
  const adxOut = warmupArray(n, 2 * period - 1);
  const pdiOut = warmupArray(n, period);
  const mdiOut = warmupArray(n, period);
  const dxOut = warmupArray(n, period);
  const res = { adx: adxOut, plusDI: pdiOut, minusDI: mdiOut, dx: dxOut };
  if (n <= period) return res;
  let prevHigh = high[0]!;
  let prevLow = low[0]!;
  let prevClose = close[0]!;
  let pDM = 0;
  let mDM = 0;
  let tr = 0;
  let i = 1;
  for (; i < period; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const diffP = h - prevHigh;
    const diffM = prevLow - l;
    if (diffM > 0 && diffP < diffM) mDM += diffM;
    else if (diffP > 0 && diffP > diffM) pDM += diffP;
    let t = h - l;
    const v2 = Math.abs(h - prevClose);
    if (v2 > t) t = v2;
    const v3 = Math.abs(l - prevClose);
    if (v3 > t) t = v3;
    tr += t;
    prevHigh = h;
    prevLow = l;
    prevClose = close[i]!;
  }
  const adxStart = 2 * period - 1;
  const pm1 = period - 1;
  let dxPrev = 0;
  let sumDX = 0;
  let adxPrev = NaN;
  for (; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const diffP = h - prevHigh;
    const diffM = prevLow - l;
    mDM -= mDM / period;
    pDM -= pDM / period;
    if (diffM > 0 && diffP < diffM) mDM += diffM;
    else if (diffP > 0 && diffP > diffM) pDM += diffP;
    let t = h - l;
    const v2 = Math.abs(h - prevClose);
    if (v2 > t) t = v2;
    const v3 = Math.abs(l - prevClose);
    if (v3 > t) t = v3;
    tr = tr - tr / period + t;
    prevHigh = h;
    prevLow = l;
    prevClose = close[i]!;
    let valid = false;
    if (!isZero(tr)) {
      const mdi = 100 * (mDM / tr);
      const pdi = 100 * (pDM / tr);
      pdiOut[i] = pdi;
      mdiOut[i] = mdi;
      const s = mdi + pdi;
      if (!isZero(s)) {
        dxPrev = 100 * (Math.abs(mdi - pdi) / s);
        valid = true;
      }
    } else {
      pdiOut[i] = 0;
      mdiOut[i] = 0;
    }
    dxOut[i] = dxPrev;
    if (i < adxStart) {
      if (valid) sumDX += dxPrev;
    } else if (i === adxStart) {
      if (valid) sumDX += dxPrev;
      adxPrev = sumDX / period;
      adxOut[i] = adxPrev;
    } else {
      if (valid) adxPrev = (adxPrev * pm1 + dxPrev) / period;
      adxOut[i] = adxPrev;
    }
  }
  return res;
}

const ADX_WARMUP: AdxValue = Object.freeze({ adx: NaN, plusDI: NaN, minusDI: NaN, dx: NaN });

/**
 * Streaming ADX: `update(high, low, close)` returns `{ adx, plusDI, minusDI, dx }` (each NaN during its own
 * warm-up). `isStable` turns true when ADX itself is defined. Same arithmetic as `adx()`.
 */
export class ADX {
  readonly period: number;
  private count = 0;
  private prevHigh = NaN;
  private prevLow = NaN;
  private prevClose = NaN;
  private pDM = 0;
  private mDM = 0;
  private tr = 0;
  private dxPrev = 0;
  private sumDX = 0;
  private adxPrev = NaN;
  private out: AdxValue = ADX_WARMUP;

  constructor(period = 14) {
    checkPeriod('ADX', period, 2);
    this.period = period;
  }

  /** Returns a fresh result object once ±DI are defined; a shared all-NaN object before. */
  update(high: number, low: number, close: number): AdxValue {
    const c = this.count++;
    const p = this.period;
    const prevClose = this.prevClose;
    const diffP = high - this.prevHigh;
    const diffM = this.prevLow - low;
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
    if (c === 0) return this.out;
    let t = high - low;
    const v2 = Math.abs(high - prevClose);
    if (v2 > t) t = v2;
    const v3 = Math.abs(low - prevClose);
    if (v3 > t) t = v3;
    if (c < p) {
      if (diffM > 0 && diffP < diffM) this.mDM += diffM;
      else if (diffP > 0 && diffP > diffM) this.pDM += diffP;
      this.tr += t;
      return this.out;
    }
    this.mDM -= this.mDM / p;
    this.pDM -= this.pDM / p;
    if (diffM > 0 && diffP < diffM) this.mDM += diffM;
    else if (diffP > 0 && diffP > diffM) this.pDM += diffP;
    const tr = this.tr - this.tr / p + t;
    this.tr = tr;
    let valid = false;
    let pdi = 0;
    let mdi = 0;
    if (!isZero(tr)) {
      mdi = 100 * (this.mDM / tr);
      pdi = 100 * (this.pDM / tr);
      const s = mdi + pdi;
      if (!isZero(s)) {
        this.dxPrev = 100 * (Math.abs(mdi - pdi) / s);
        valid = true;
      }
    }
    const adxStart = 2 * p - 1;
    if (c < adxStart) {
      if (valid) this.sumDX += this.dxPrev;
    } else if (c === adxStart) {
      if (valid) this.sumDX += this.dxPrev;
      this.adxPrev = this.sumDX / p;
    } else if (valid) {
      this.adxPrev = (this.adxPrev * (p - 1) + this.dxPrev) / p;
    }
    this.out = { adx: this.adxPrev, plusDI: pdi, minusDI: mdi, dx: this.dxPrev };
    return this.out;
  }

  get value(): AdxValue {
    return this.out;
  }

  get isStable(): boolean {
    return this.count >= 2 * this.period;
  }
}
