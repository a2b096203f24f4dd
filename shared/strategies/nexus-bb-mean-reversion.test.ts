import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { bbands } from '../indicators/bbands';
import { nexusBbMeanReversion, nexusBbMeanReversionParams } from './nexus-bb-mean-reversion';
import { btc5mSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('nexus-bb-mean-reversion params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusBbMeanReversionParams, nexusBbMeanReversion.defaults, { bbPeriod: 4, bbMult: 0.5, atrPeriod: 51, stopAtr: 7 });
  });
});

realDataSuite(nexusBbMeanReversion, 'BTC/USDT 5m 2022', btc5mSeries);

const osc = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? 100.5 : 100));

describe('nexus-bb-mean-reversion rules on hand-built candles', () => {
  const p = { ...nexusBbMeanReversion.defaults, bbPeriod: 10, atrPeriod: 5 };
  const rule = (closes: number[]) => {
    const s = handSeries(closes, { timeframe: '5m' });
    const b = bbands(s.close, p.bbPeriod, p.bbMult);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        const c = s.close[i]!;
        if (!Number.isFinite(b.middle[i]!) || i < 1) return null;
        if (c >= b.middle[i]!) return { action: 'EXIT' as const };
        const reentered = Number.isFinite(b.lower[i - 1]!) && s.close[i - 1]! < b.lower[i - 1]! && c >= b.lower[i]!;
        if (reentered && Number.isFinite(a[i]!)) return { action: 'BUY' as const, stopLoss: c - p.stopAtr * a[i]!, takeProfit: b.middle[i]! };
        return null;
      },
    };
  };

  it('buys the close back inside the lower band after one below it (stop −2·ATR, target the middle band)', () => {
    const { s, at } = rule([...osc(30), 97, 99.8, 100.1, 100.6, 100.2]);
    expect(expectRuleEverywhere(nexusBbMeanReversion, s, p, at).BUY).toEqual([31]);
    expect(expectFirstRoundTrip(nexusBbMeanReversion, s, p).exitKind).toBe('take-profit');
  });

  it('does not fire when the close never leaves the bands', () => {
    const { s, at } = rule(osc(40));
    expect(expectRuleEverywhere(nexusBbMeanReversion, s, p, at).BUY).toEqual([]);
  });
});
