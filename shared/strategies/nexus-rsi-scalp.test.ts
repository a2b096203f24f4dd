import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { rsi } from '../indicators/rsi';
import { volumeZScore } from '../indicators/volume-zscore';
import { nexusRsiScalp, nexusRsiScalpParams } from './nexus-rsi-scalp';
import { btc5mSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('nexus-rsi-scalp params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusRsiScalpParams, nexusRsiScalp.defaults, { rsiPeriod: 1, rsiEntry: 4, rsiExit: 91, volPeriod: 4, volZMin: -1, stopAtr: 6 }, [{ rsiEntry: 45, rsiExit: 40 }]);
  });
});

realDataSuite(nexusRsiScalp, 'BTC/USDT 5m 2022', btc5mSeries);

const lin = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('nexus-rsi-scalp rules on hand-built candles', () => {
  const p = { ...nexusRsiScalp.defaults, rsiPeriod: 5, volPeriod: 10, atrPeriod: 5 };
  const closes = [...lin(100, 104, 20), ...lin(103.5, 96, 10), 97.5, 99, 101, 103, 105, 106, 107, 108, 109, 110];
  const rule = (volume: number[]) => {
    const s = handSeries(closes, { volume, timeframe: '5m' });
    const r = rsi(s.close, p.rsiPeriod);
    const z = volumeZScore(s.volume, p.volPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        const c = s.close[i]!;
        if (!Number.isFinite(r[i]!)) return null;
        if (r[i]! >= p.rsiExit) return { action: 'EXIT' as const };
        const crossed = i >= 1 && Number.isFinite(r[i - 1]!) && r[i - 1]! <= p.rsiEntry && r[i]! > p.rsiEntry;
        if (!crossed || !Number.isFinite(z[i]!) || !Number.isFinite(a[i]!) || z[i]! < p.volZMin) return null;
        return { action: 'BUY' as const, stopLoss: c - p.stopAtr * a[i]!, takeProfit: c + p.takeAtr * a[i]! };
      },
    };
  };
  const spike = closes.map((_, i) => (i === 30 ? 6 : 1));

  it('buys the RSI5 turn up through 25 on a volume spike (z >= 1.5; stop −1.5·ATR, target +2·ATR)', () => {
    const { s, at } = rule(spike);
    expect(expectRuleEverywhere(nexusRsiScalp, s, p, at).BUY).toEqual([30]);
    expect(expectFirstRoundTrip(nexusRsiScalp, s, p).exitKind).toBe('take-profit');
  });

  it('the same turn on ordinary volume does not fire', () => {
    const { s, at } = rule(closes.map(() => 1));
    expect(expectRuleEverywhere(nexusRsiScalp, s, p, at).BUY).toEqual([]);
  });
});
