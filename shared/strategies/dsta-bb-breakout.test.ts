import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { bbands } from '../indicators/bbands';
import { dstaBbBreakout, dstaBbBreakoutParams } from './dsta-bb-breakout';
import { btc4hSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('dsta-bb-breakout params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(dstaBbBreakoutParams, dstaBbBreakout.defaults, { bbPeriod: 101, bbMult: 0.9, trailAtr: 11 });
  });
});

realDataSuite(dstaBbBreakout, 'BTC/USDT 4h 2017-2022', btc4hSeries);

const osc = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? 100.5 : 100));

describe('dsta-bb-breakout rules on hand-built candles', () => {
  const p = { ...dstaBbBreakout.defaults, bbPeriod: 10, atrPeriod: 5 };
  const rule = (closes: number[]) => {
    const s = handSeries(closes);
    const b = bbands(s.close, p.bbPeriod, p.bbMult);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        const c = s.close[i]!;
        if (!Number.isFinite(b.middle[i]!)) return null;
        if (c < b.middle[i]!) return { action: 'EXIT' as const };
        const crossed = i >= 1 && Number.isFinite(b.upper[i - 1]!) && s.close[i - 1]! <= b.upper[i - 1]! && c > b.upper[i]!;
        if (crossed && Number.isFinite(a[i]!)) return { action: 'BUY' as const, trailingStop: (p.trailAtr * a[i]!) / c };
        return null;
      },
    };
  };

  it('buys the close that breaks above the upper band, with a 3·ATR trailing stop; exits below the middle band', () => {
    const { s, at } = rule([...osc(30), 103, 104, 105, 104, 102, 100, 99, 98]);
    const bars = expectRuleEverywhere(dstaBbBreakout, s, p, at);
    expect(bars.BUY).toEqual([30]);
    expect(expectFirstRoundTrip(dstaBbBreakout, s, p).exitKind).toBe('trailing');
  });

  it('does not fire while the close stays inside the bands', () => {
    const { s, at } = rule(osc(40));
    expect(expectRuleEverywhere(dstaBbBreakout, s, p, at).BUY).toEqual([]);
  });
});
