/**
 * Indicators TA-Lib lacks (VWAP, Donchian middle, Keltner, rolling and volume z-scores) checked against explicit
 * naive references written out here, on real BTC/USDT 1h candles (all 45,024 rows).
 */
import { beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../testing/data';
import { donchian, keltner, volumeZScore, vwap, zscore } from './index';
import { btc1h, type Columns, expectMatches, firstFinite, runTalib } from './oracle.test-util';

function naiveZ(x: Float64Array, period: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = period - 1; t < x.length; t++) {
    let s = 0;
    for (let j = t - period + 1; j <= t; j++) s += x[j]!;
    const mean = s / period;
    let ss = 0;
    for (let j = t - period + 1; j <= t; j++) ss += (x[j]! - mean) ** 2;
    const sd = Math.sqrt(ss / period);
    out[t] = sd > 1e-12 * Math.abs(mean) ? (x[t]! - mean) / sd : 0;
  }
  return out;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) !== Number.isNaN(b[i]!)) return Infinity;
    if (!Number.isNaN(b[i]!)) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  }
  return m;
}

describeWithData('indicators without a TA-Lib twin vs naive references (BTC/USDT 1h)', () => {
  let d: Columns;
  beforeAll(() => {
    d = btc1h(Infinity);
  });

  it('session VWAP resets at each UTC day and equals Σ(tp·v)/Σv over the day so far', () => {
    const ours = vwap(d.high, d.low, d.close, d.volume, d.openTime);
    let resets = 0;
    for (let i = 0; i < d.length; i++) {
      const day = new Date(d.openTime[i]!).toISOString().slice(0, 10);
      let j = i;
      while (j > 0 && new Date(d.openTime[j - 1]!).toISOString().slice(0, 10) === day) j--;
      if (j === i) resets++;
      let pv = 0;
      let v = 0;
      for (let k = j; k <= i; k++) {
        const tp = (d.high[k]! + d.low[k]! + d.close[k]!) / 3;
        pv += tp * d.volume[k]!;
        v += d.volume[k]!;
      }
      const ref = v > 0 ? pv / v : (d.high[i]! + d.low[i]! + d.close[i]!) / 3;
      if (Math.abs(ours[i]! - ref) > 1e-9 * ref) throw new Error(`vwap differs at ${i}: ${ours[i]} vs ${ref}`);
    }
    expect(resets).toBeGreaterThan(1_800); // ~1,876 days in the file
    expect(firstFinite(ours)).toBe(0);
  });

  it('Donchian middle = (max high + min low)/2 over the window', () => {
    const period = 20;
    const ours = donchian(d.high, d.low, period);
    const ref = new Float64Array(d.length).fill(NaN);
    for (let t = period - 1; t < d.length; t++) {
      let hi = -Infinity;
      let lo = Infinity;
      for (let j = t - period + 1; j <= t; j++) {
        hi = Math.max(hi, d.high[j]!);
        lo = Math.min(lo, d.low[j]!);
      }
      ref[t] = (hi + lo) / 2;
    }
    expectMatches(ours.middle, ref, 0);
  });

  it('Keltner = TA-Lib EMA(20) ± 2·TA-Lib ATR(10)', () => {
    const ours = keltner(d.high, d.low, d.close, 20, 2, 10);
    const n = 5_000;
    const sub = (a: Float64Array) => a.subarray(0, n);
    const e = runTalib('EMA', n, { inReal: sub(d.close) }, { optInTimePeriod: 20 }).out.outReal!;
    const a = runTalib('ATR', n, { high: sub(d.high), low: sub(d.low), close: sub(d.close) }, { optInTimePeriod: 10 }).out.outReal!;
    expectMatches(sub(ours.middle), e);
    expectMatches(sub(ours.upper), e.map((m, i) => m + 2 * a[i]!));
    expectMatches(sub(ours.lower), e.map((m, i) => m - 2 * a[i]!));
    // warm-up is the later of the two: ATR(30) starts after EMA(20)
    expect(firstFinite(keltner(d.high, d.low, d.close, 20, 2, 30).upper)).toBe(30);
  });

  it('rolling z-score (close) vs a two-pass reference; σ vs TA-Lib STDDEV', () => {
    for (const period of [5, 20, 100]) {
      const ours = zscore(d.close, period);
      const ref = naiveZ(d.close, period);
      expect(firstFinite(ours)).toBe(period - 1);
      expect(maxAbsDiff(ours, ref)).toBeLessThanOrEqual(1e-6);
    }
    // the naive σ is TA-Lib's population STDDEV (nbDev 1)
    const n = 2_000;
    const sd = runTalib('STDDEV', n, { inReal: d.close.subarray(0, n) }, { optInTimePeriod: 20, optInNbDev: 1 }).out.outReal!;
    const mean = runTalib('SMA', n, { inReal: d.close.subarray(0, n) }, { optInTimePeriod: 20 }).out.outReal!;
    const fromTalib = d.close.subarray(0, n).map((x, i) => (x - mean[i]!) / sd[i]!);
    expect(maxAbsDiff(zscore(d.close.subarray(0, n), 20), fromTalib)).toBeLessThanOrEqual(1e-4);
  });

  it('volume z-score vs a two-pass reference', () => {
    for (const period of [20, 48]) {
      const ours = volumeZScore(d.volume, period);
      expect(maxAbsDiff(ours, naiveZ(d.volume, period))).toBeLessThanOrEqual(1e-6);
    }
  });
});
