import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { rsi } from '../indicators/rsi';
import { nexaraBaseline5m, nexaraBaseline5mParams } from './nexara-baseline-5m';
import { btc5mSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('nexara-baseline-5m params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexaraBaseline5mParams, nexaraBaseline5m.defaults, { emaPeriod: 49, rsiPeriod: 31, rsiEntry: 14, rsiExit: 91, atrCapPct: 0, stopAtr: 0.4, takeAtr: 11 });
  });
});

realDataSuite(nexaraBaseline5m, 'BTC/USDT 5m 2022', btc5mSeries);

const lin = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

describe('nexara-baseline-5m rules on hand-built candles', () => {
  const base = { ...nexaraBaseline5m.defaults, emaPeriod: 50, rsiPeriod: 5, atrPeriod: 5 };
  const rule = (closes: number[], p: typeof base) => {
    const s = handSeries(closes, { timeframe: '5m' });
    const e = ema(s.close, p.emaPeriod);
    const r = rsi(s.close, p.rsiPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        const c = s.close[i]!;
        if (![c, e[i]!, r[i]!, a[i]!].every(Number.isFinite)) return null;
        if (r[i]! > p.rsiExit) return { action: 'EXIT' as const };
        if (c < e[i]!) return { action: 'EXIT' as const };
        const crossed = Number.isFinite(r[i - 1]!) && r[i - 1]! <= p.rsiEntry && r[i]! > p.rsiEntry;
        if (!crossed || a[i]! / c > p.atrCapPct) return null;
        return { action: 'BUY' as const, stopLoss: c - p.stopAtr * a[i]!, takeProfit: c + p.takeAtr * a[i]! };
      },
    };
  };
  const pullback = [...lin(100, 160, 80), 158, 156, 154, 156.5, 159, 162, 166, 170, 175, 181, 188, 186];

  it('buys an RSI5 turn up through 35 above EMA50 (stop −2·ATR, target +3·ATR); RSI5 > 70 exits it', () => {
    const p = { ...base, atrCapPct: 0.05 };
    const { s, at } = rule(pullback, p);
    expect(expectRuleEverywhere(nexaraBaseline5m, s, p, at).BUY).toEqual([83]);
    expect(expectFirstRoundTrip(nexaraBaseline5m, s, p).exitKind).toBe('signal');
  });

  it('the same pullback with ATR/price above the cap does not fire', () => {
    const p = { ...base, atrCapPct: 0.005 };
    const { s, at } = rule(pullback, p);
    expect(expectRuleEverywhere(nexaraBaseline5m, s, p, at).BUY).toEqual([]);
  });
});
