import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { sma } from '../indicators/sma';
import { dstaSmaCrossover, dstaSmaCrossoverParams } from './dsta-sma-crossover';
import { btc4hSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('dsta-sma-crossover params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(dstaSmaCrossoverParams, dstaSmaCrossover.defaults, { fastPeriod: 1, slowPeriod: 401, stopAtr: 0.4 }, [{ fastPeriod: 60, slowPeriod: 50 }]);
  });
});

realDataSuite(dstaSmaCrossover, 'BTC/USDT 4h 2017-2022', btc4hSeries);

const lin = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('dsta-sma-crossover rules on hand-built candles', () => {
  const p = { ...dstaSmaCrossover.defaults, fastPeriod: 3, slowPeriod: 6, atrPeriod: 5 };
  const rule = (closes: number[]) => {
    const s = handSeries(closes);
    const f = sma(s.close, p.fastPeriod);
    const sl = sma(s.close, p.slowPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        if (!Number.isFinite(f[i]!) || !Number.isFinite(sl[i]!)) return null;
        if (f[i]! < sl[i]!) return { action: 'EXIT' as const };
        if (i >= 1 && f[i - 1]! <= sl[i - 1]! && f[i]! > sl[i]! && Number.isFinite(a[i]!)) return { action: 'BUY' as const, stopLoss: s.close[i]! - p.stopAtr * a[i]! };
        return null;
      },
    };
  };

  it('buys the bar SMA3 crosses above SMA6 (stop close − 3·ATR), exits while SMA3 < SMA6', () => {
    const { s, at } = rule([...lin(100, 86, 15), ...lin(87, 110, 24), ...lin(109, 95, 15)]);
    const bars = expectRuleEverywhere(dstaSmaCrossover, s, p, at);
    expect(bars.BUY).toHaveLength(1);
    expect(bars.EXIT.length).toBeGreaterThan(10);
    const t = expectFirstRoundTrip(dstaSmaCrossover, s, p);
    expect(t.exitKind).toBe('signal');
  });

  it('never buys while the fast SMA stays below the slow one (a steady fall)', () => {
    const { s, at } = rule(lin(120, 90, 50));
    expect(expectRuleEverywhere(dstaSmaCrossover, s, p, at).BUY).toEqual([]);
  });
});
