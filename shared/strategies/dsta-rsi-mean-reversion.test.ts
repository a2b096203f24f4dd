import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { rsi } from '../indicators/rsi';
import { dstaRsiMeanReversion, dstaRsiMeanReversionParams } from './dsta-rsi-mean-reversion';
import { btc4hSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('dsta-rsi-mean-reversion params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(dstaRsiMeanReversionParams, dstaRsiMeanReversion.defaults, { rsiPeriod: 1, oversold: 46, exitLevel: 91, stopAtr: 11 }, [{ oversold: 45, exitLevel: 45 }]);
  });
});

realDataSuite(dstaRsiMeanReversion, 'BTC/USDT 4h 2017-2022', btc4hSeries);

const lin = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('dsta-rsi-mean-reversion rules on hand-built candles', () => {
  const p = { ...dstaRsiMeanReversion.defaults, rsiPeriod: 5, atrPeriod: 5 };
  const rule = (closes: number[]) => {
    const s = handSeries(closes);
    const r = rsi(s.close, p.rsiPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        if (!Number.isFinite(r[i]!)) return null;
        if (r[i]! >= p.exitLevel) return { action: 'EXIT' as const };
        const crossed = i >= 1 && Number.isFinite(r[i - 1]!) && r[i - 1]! <= p.oversold && r[i]! > p.oversold;
        if (crossed && Number.isFinite(a[i]!)) return { action: 'BUY' as const, stopLoss: s.close[i]! - p.stopAtr * a[i]! };
        return null;
      },
    };
  };

  it('buys the turn of RSI5 up through 30 (stop close − 3·ATR), exits at RSI5 >= 50', () => {
    const { s, at } = rule([...lin(100, 110, 20), ...lin(109, 95, 8), 96.5, 98, 100, 103, 106, 108]);
    const bars = expectRuleEverywhere(dstaRsiMeanReversion, s, p, at);
    expect(bars.BUY).toEqual([29]);
    expect(expectFirstRoundTrip(dstaRsiMeanReversion, s, p).exitKind).toBe('signal');
  });

  it('does not buy a fall that never turns (RSI stays oversold)', () => {
    const { s, at } = rule([...lin(100, 110, 20), ...lin(109, 80, 20)]);
    expect(expectRuleEverywhere(dstaRsiMeanReversion, s, p, at).BUY).toEqual([]);
  });
});
