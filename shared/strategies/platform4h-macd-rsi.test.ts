import { describe, expect, it } from 'vitest';
import { atr } from '../indicators/atr';
import { macd } from '../indicators/macd';
import { rsi } from '../indicators/rsi';
import { platform4hMacdRsi, platform4hMacdRsiParams } from './platform4h-macd-rsi';
import { btc4hSeries, expectFirstRoundTrip, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite } from './strategy.test-util';

describe('platform4h-macd-rsi params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(platform4hMacdRsiParams, platform4hMacdRsi.defaults, { macdFast: 2, macdSlow: 101, macdSignal: 1, rsiMin: 19, rsiMax: 81, atrMaxPct: 0.3, stopAtr: 7 }, [{ macdFast: 26, macdSlow: 26 }, { rsiMin: 60, rsiMax: 55 }, { rsiMax: 75, rsiExit: 70 }, { atrMinPct: 0.05, atrMaxPct: 0.05 }]);
  });
});

realDataSuite(platform4hMacdRsi, 'BTC/USDT 4h 2017-2022', btc4hSeries);

/** A zig-zag: `n` closes from `start`, alternately +up and −down. */
const zz = (start: number, n: number, up: number, down: number): number[] => {
  const out: number[] = [];
  let x = start;
  for (let k = 0; k < n; k++) out.push((x += k % 2 ? -down : up));
  return out;
};

describe('platform4h-macd-rsi rules on hand-built candles', () => {
  const base = { ...platform4hMacdRsi.defaults, macdFast: 3, macdSlow: 8, macdSignal: 3, rsiPeriod: 5, atrPeriod: 5, atrMinPct: 0 };
  const closes = [...zz(120, 40, 0.4, 1), ...zz(100, 30, 1, 0.7), ...zz(109, 20, 0.3, 1)];
  const rule = (p: typeof base) => {
    const s = handSeries(closes, { timeframe: '4h' });
    const h = macd(s.close, p.macdFast, p.macdSlow, p.macdSignal).histogram;
    const r = rsi(s.close, p.rsiPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number) => {
        const c = s.close[i]!;
        if (![c, h[i]!, r[i]!, a[i]!].every(Number.isFinite) || i < 1) return null;
        if (Number.isFinite(h[i - 1]!) && h[i - 1]! >= 0 && h[i]! < 0) return { action: 'EXIT' as const };
        if (r[i]! > p.rsiExit) return { action: 'EXIT' as const };
        if (!(Number.isFinite(h[i - 1]!) && h[i - 1]! <= 0 && h[i]! > 0)) return null;
        if (r[i]! < p.rsiMin || r[i]! > p.rsiMax || a[i]! / c < p.atrMinPct || a[i]! / c > p.atrMaxPct) return null;
        return { action: 'BUY' as const, stopLoss: c - p.stopAtr * a[i]! };
      },
    };
  };

  it('buys the MACD histogram cross above 0 with RSI in [40, 65] and ATR/price in the gate (stop −2.5·ATR)', () => {
    const { s, at } = rule(base);
    const bars = expectRuleEverywhere(platform4hMacdRsi, s, base, at);
    expect(bars.BUY.length).toBeGreaterThan(0);
    expect(expectFirstRoundTrip(platform4hMacdRsi, s, base).exitKind).toBe('signal');
  });

  it('the same crosses outside the volatility gate do not fire', () => {
    const p = { ...base, atrMinPct: 0.04, atrMaxPct: 0.2 };
    const { s, at } = rule(p);
    expect(expectRuleEverywhere(platform4hMacdRsi, s, p, at).BUY).toEqual([]);
  });
});
