/**
 * Property tests (fast-check) on random OHLCV walks, flat stretches included: ranges of the bounded oscillators,
 * band ordering, non-negativity, OBV steps, lengths, and streaming = batch on arbitrary input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ind from './index';
import { expectSameSeries } from './oracle.test-util';

interface Bars {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  openTime: Float64Array;
}

const step = fc.tuple(
  fc.oneof(fc.constant(0), fc.double({ min: -0.08, max: 0.08, noNaN: true })),
  fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true })),
  fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true })),
  fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e4, noNaN: true })), // no subnormal volumes
);

const barsArb = (minLength = 1, maxLength = 300) =>
  fc
    .tuple(fc.double({ min: 0.01, max: 1e5, noNaN: true }), fc.array(step, { minLength, maxLength }))
    .map(([start, steps]): Bars => {
      const n = steps.length;
      const b: Bars = {
        high: new Float64Array(n),
        low: new Float64Array(n),
        close: new Float64Array(n),
        volume: new Float64Array(n),
        openTime: new Float64Array(n),
      };
      let prev = start;
      steps.forEach(([r, up, dn, v], i) => {
        const c = prev * (1 + r);
        b.close[i] = c;
        b.high[i] = Math.max(prev, c) * (1 + up);
        b.low[i] = Math.min(prev, c) * (1 - dn);
        b.volume[i] = v;
        b.openTime[i] = 1_600_000_000_000 + i * 3_600_000;
        prev = c;
      });
      return b;
    });

const EPS = 1e-9;
const inRange = (a: Float64Array, lo: number, hi: number) =>
  a.every((x) => Number.isNaN(x) || (x >= lo - EPS && x <= hi + EPS));
const warmupThenFinite = (a: Float64Array) => {
  let seen = false;
  for (const x of a) {
    if (Number.isNaN(x)) {
      if (seen) return false;
    } else {
      if (!Number.isFinite(x)) return false;
      seen = true;
    }
  }
  return true;
};

describe('indicator properties (fast-check)', () => {
  it('RSI, MFI, stochastics, ADX/DI/DX are within [0, 100]', () => {
    fc.assert(
      fc.property(barsArb(), fc.integer({ min: 2, max: 20 }), (b, p) => {
        expect(inRange(ind.rsi(b.close, p), 0, 100)).toBe(true);
        expect(inRange(ind.mfi(b.high, b.low, b.close, b.volume, p), 0, 100)).toBe(true);
        const s = ind.stoch(b.high, b.low, b.close, p, 3, 3);
        expect(inRange(s.k, 0, 100) && inRange(s.d, 0, 100)).toBe(true);
        const sr = ind.stochRsi(b.close, p, 5, 3);
        expect(inRange(sr.k, 0, 100) && inRange(sr.d, 0, 100)).toBe(true);
        const a = ind.adx(b.high, b.low, b.close, p);
        for (const col of [a.adx, a.plusDI, a.minusDI, a.dx]) expect(inRange(col, 0, 100)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('bands are ordered: BB lower ≤ middle ≤ upper; Donchian lower ≤ low, high ≤ upper; Keltner ordered', () => {
    fc.assert(
      fc.property(barsArb(), fc.integer({ min: 2, max: 30 }), fc.double({ min: 0, max: 4, noNaN: true }), (b, p, m) => {
        const bb = ind.bbands(b.close, p, m);
        const dc = ind.donchian(b.high, b.low, p);
        const kc = ind.keltner(b.high, b.low, b.close, p, m, p);
        for (let i = 0; i < b.close.length; i++) {
          if (!Number.isNaN(bb.middle[i]!)) {
            expect(bb.lower[i]! <= bb.middle[i]! && bb.middle[i]! <= bb.upper[i]!).toBe(true);
            expect(bb.bandwidth[i]!).toBeGreaterThanOrEqual(0);
          }
          if (!Number.isNaN(dc.upper[i]!)) {
            expect(dc.lower[i]! <= b.low[i]! && b.high[i]! <= dc.upper[i]!).toBe(true);
            expect(dc.lower[i]! <= dc.middle[i]! && dc.middle[i]! <= dc.upper[i]!).toBe(true);
          }
          if (!Number.isNaN(kc.middle[i]!)) expect(kc.lower[i]! <= kc.middle[i]! && kc.middle[i]! <= kc.upper[i]!).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('ATR and TRANGE are ≥ 0; SMA/EMA/WMA stay within the window/series range; VWAP within the session range', () => {
    fc.assert(
      fc.property(barsArb(), fc.integer({ min: 2, max: 30 }), (b, p) => {
        expect(inRange(ind.atr(b.high, b.low, b.close, p), 0, Infinity)).toBe(true);
        expect(inRange(ind.trange(b.high, b.low, b.close), 0, Infinity)).toBe(true);
        const lo = Math.min(...b.close);
        const hi = Math.max(...b.close);
        const tol = 1e-9 * hi;
        for (const a of [ind.sma(b.close, p), ind.ema(b.close, p), ind.wma(b.close, p)]) {
          expect(inRange(a, lo - tol, hi + tol)).toBe(true);
        }
        const v = ind.vwap(b.high, b.low, b.close, b.volume, b.openTime);
        expect(inRange(v, Math.min(...b.low) * (1 - 1e-12), Math.max(...b.high) * (1 + 1e-12))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('OBV moves by exactly ±volume on up/down closes and not at all on unchanged ones', () => {
    fc.assert(
      fc.property(barsArb(), (b) => {
        const o = ind.obv(b.close, b.volume);
        expect(o[0]).toBe(b.volume[0]);
        for (let i = 1; i < o.length; i++) {
          const dir = Math.sign(b.close[i]! - b.close[i - 1]!);
          const expected = o[i - 1]! + dir * b.volume[i]!;
          expect(Math.abs(o[i]! - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
        }
      }),
    );
  });

  it('every output has the input length and is NaN only during a leading warm-up', () => {
    fc.assert(
      fc.property(barsArb(0, 120), fc.integer({ min: 2, max: 40 }), (b, p) => {
        const cols = [
          ind.sma(b.close, p),
          ind.ema(b.close, p),
          ind.wma(b.close, p),
          ind.rsi(b.close, p),
          ...Object.values(ind.macd(b.close, p, p + 5, 4)),
          ind.atr(b.high, b.low, b.close, p),
          ...Object.values(ind.bbands(b.close, p)),
          ...Object.values(ind.adx(b.high, b.low, b.close, p)),
          ...Object.values(ind.stoch(b.high, b.low, b.close, p)),
          ...Object.values(ind.stochRsi(b.close, p)),
          ind.cci(b.high, b.low, b.close, p),
          ind.obv(b.close, b.volume),
          ind.mfi(b.high, b.low, b.close, b.volume, p),
          ind.vwap(b.high, b.low, b.close, b.volume, b.openTime),
          ind.roc(b.close, p),
          ...Object.values(ind.donchian(b.high, b.low, p)),
          ...Object.values(ind.keltner(b.high, b.low, b.close, p)),
          ind.zscore(b.close, p),
          ind.volumeZScore(b.volume, p),
          ind.linRegSlope(b.close, p),
        ];
        for (const c of cols) {
          expect(c.length).toBe(b.close.length);
          // Donchian middle / bandwidth may be NaN only where the inputs make them so; here all are finite
          expect(warmupThenFinite(c)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('streaming equals batch on arbitrary walks (flat stretches included)', () => {
    fc.assert(
      fc.property(barsArb(), fc.integer({ min: 2, max: 20 }), (b, p) => {
        const n = b.close.length;
        const rsiS = new ind.RSI(p);
        const adxS = new ind.ADX(p);
        const stS = new ind.Stoch(p, 3, 3);
        const mfiS = new ind.MFI(p);
        const zS = new ind.ZScore(p);
        const r = new Float64Array(n);
        const ax = new Float64Array(n);
        const dx = new Float64Array(n);
        const k = new Float64Array(n);
        const m = new Float64Array(n);
        const z = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          r[i] = rsiS.update(b.close[i]!);
          const a = adxS.update(b.high[i]!, b.low[i]!, b.close[i]!);
          ax[i] = a.adx;
          dx[i] = a.dx;
          k[i] = stS.update(b.high[i]!, b.low[i]!, b.close[i]!).k;
          m[i] = mfiS.update(b.high[i]!, b.low[i]!, b.close[i]!, b.volume[i]!);
          z[i] = zS.update(b.close[i]!);
        }
        expectSameSeries(r, ind.rsi(b.close, p));
        const a = ind.adx(b.high, b.low, b.close, p);
        expectSameSeries(ax, a.adx);
        expectSameSeries(dx, a.dx);
        expectSameSeries(k, ind.stoch(b.high, b.low, b.close, p, 3, 3).k);
        expectSameSeries(m, ind.mfi(b.high, b.low, b.close, b.volume, p));
        expectSameSeries(z, ind.zscore(b.close, p));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects bad periods', () => {
    expect(() => ind.sma(new Float64Array(3), 0)).toThrow(RangeError);
    expect(() => ind.ema(new Float64Array(3), 1)).toThrow(RangeError);
    expect(() => ind.rsi(new Float64Array(3), 2.5)).toThrow(RangeError);
    expect(() => new ind.ADX(1)).toThrow(RangeError);
    expect(() => ind.atr(new Float64Array(3), new Float64Array(2), new Float64Array(3))).toThrow(RangeError);
  });
});
