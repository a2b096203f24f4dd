import { describe, expect, it } from 'vitest';
import type { CandleSeries } from '../candles/candle';
import { describeWithData } from '../testing/data';
import { createNexaraDiv006, nexaraDiv006, nexaraDiv006Params } from './nexara-div006';
import { btc4hSeries, eth4hSeries, expectSchemaBounds, ratioSeries, realDataSuite, scan } from './strategy.test-util';

function closes(xs: number[]): CandleSeries {
  const c = Float64Array.from(xs);
  return {
    timeframe: '4h',
    symbol: 'BTC/ETH',
    length: xs.length,
    openTime: Float64Array.from(xs, (_, i) => i * 14_400_000),
    open: c,
    high: c,
    low: c,
    close: c,
    volume: new Float64Array(xs.length).fill(1),
  };
}

describe('nexara-div006 params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexaraDiv006Params, nexaraDiv006.defaults, { period: 9, entryDev: 0.31, exitDev: -0.01 });
    expect(nexaraDiv006.defaults).toEqual({ period: 30, entryDev: 0.06, exitDev: 0.01 });
    expect(nexaraDiv006Params.safeParse({ entryDev: 0.05, exitDev: 0.05 }).success).toBe(false);
  });
});

describe('nexara-div006 rules on a hand-made ratio', () => {
  const p = { period: 3, entryDev: 0.06, exitDev: 0.01 };
  it('buys a stretch below the mean, sells one above, exits inside the band or through zero', () => {
    // bar 2: mean(10,10,8.5) = 9.5, d = 8.5/9.5 - 1 = -10.5 % -> BUY
    // bar 3: mean(10,8.5,9.4) = 9.3, d = +1.08 % -> crossed zero from -10.5 % -> EXIT
    // bar 4: mean(8.5,9.4,9.35) = 9.083, d = +2.94 % -> HOLD (inside ±6 %, outside ±1 %, same sign)
    // bar 5: mean(9.4,9.35,10.6) = 9.783, d = +8.35 % -> SELL
    // bar 6: mean(9.35,10.6,10) = 9.983, d = +0.17 % -> EXIT (inside ±1 %)
    const s = closes([10, 10, 8.5, 9.4, 9.35, 10.6, 10]);
    const prep = nexaraDiv006.prepare(s, p);
    const acts = [0, 1, 2, 3, 4, 5, 6].map((i) => nexaraDiv006.evaluate(prep, i, p).action);
    expect(acts).toEqual(['HOLD', 'HOLD', 'BUY', 'EXIT', 'HOLD', 'SELL', 'EXIT']);
    expect(nexaraDiv006.evaluate(prep, 2, p).reason).toContain('d = -10.53%');
    expect(nexaraDiv006.evaluate(prep, 3, p).reason).toContain('crossed zero');
  });

  it('is long-only by default; the long-short build only differs in allowShort', () => {
    expect(nexaraDiv006.allowShort).toBe(false);
    const ls = createNexaraDiv006({ allowShort: true });
    expect(ls.allowShort).toBe(true);
    expect(ls.id).toBe(nexaraDiv006.id);
  });
});

const ratio = () => ratioSeries(btc4hSeries(), eth4hSeries());

realDataSuite(nexaraDiv006, 'the BTC/ETH 4h ratio 2017-2022', ratio, { minBuys: 50 });

describeWithData('nexara-div006 on the BTC/ETH 4h ratio: both sides fire', () => {
  it('produces SELLs (ratio rich) as well as BUYs and EXITs', () => {
    const r = scan(nexaraDiv006, ratio(), nexaraDiv006.defaults);
    expect(r.counts.SELL).toBeGreaterThan(50);
    expect(r.counts.EXIT).toBeGreaterThan(50);
  });
});
