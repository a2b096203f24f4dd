import { describe, expect, it } from 'vitest';
import { adx } from '../indicators/adx';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { nexusEmaAdxTrend, nexusEmaAdxTrendParams } from './nexus-ema-adx-trend';
import { btc4hSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('nexus-ema-adx-trend params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusEmaAdxTrendParams, nexusEmaAdxTrend.defaults, { fastPeriod: 2, slowPeriod: 301, adxPeriod: 4, adxMin: 51, trailAtr: 0.4 }, [{ fastPeriod: 50, slowPeriod: 50 }]);
  });
});

realDataSuite(nexusEmaAdxTrend, 'BTC/USDT 4h 2017-2022', btc4hSeries);

const lin = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('nexus-ema-adx-trend rules on hand-built candles', () => {
  const p = { ...nexusEmaAdxTrend.defaults, fastPeriod: 5, slowPeriod: 10, adxPeriod: 5, atrPeriod: 5 };
  const rule = (closes: number[]) => {
    const s = handSeries(closes);
    const f = ema(s.close, p.fastPeriod);
    const sl = ema(s.close, p.slowPeriod);
    const d = adx(s.high, s.low, s.close, p.adxPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    const regime = (i: number) =>
      [f[i]!, sl[i]!, d.adx[i]!, d.plusDI[i]!, d.minusDI[i]!].every(Number.isFinite) && f[i]! > sl[i]! && d.adx[i]! >= p.adxMin && d.plusDI[i]! > d.minusDI[i]!;
    return {
      s,
      at: (i: number) => {
        if (!Number.isFinite(f[i]!) || !Number.isFinite(sl[i]!)) return null;
        if (f[i]! < sl[i]!) return { action: 'EXIT' as const };
        if (i >= 1 && regime(i) && !regime(i - 1) && Number.isFinite(a[i]!)) return { action: 'BUY' as const, trailingStop: (p.trailAtr * a[i]!) / s.close[i]! };
        return null;
      },
    };
  };

  it('buys the bar the regime (EMA5 > EMA10, ADX5 >= 25, +DI > −DI) turns on, with a 3·ATR trailing stop', () => {
    const { s, at } = rule([...lin(120, 100, 40), ...lin(101, 140, 30), ...lin(139, 120, 15)]);
    expect(expectRuleEverywhere(nexusEmaAdxTrend, s, p, at).BUY).toEqual([43]);
    expect(expectFirstRoundTrip(nexusEmaAdxTrend, s, p).exitKind).toBe('trailing');
  });

  it('does not buy in a downtrend', () => {
    const { s, at } = rule(lin(140, 100, 60));
    expect(expectRuleEverywhere(nexusEmaAdxTrend, s, p, at).BUY).toEqual([]);
  });
});
