import { describe, expect, it } from 'vitest';
import { sliceSeries, type CandleSeries } from '../candles/candle';
import { describeWithData } from '../testing/data';
import { platform4hMomentumRank, platform4hMomentumRankParams } from './platform4h-momentum-rank';
import { btc4hSeries, eth4hSeries, expectSchemaBounds } from './strategy.test-util';

/** A geometric path: close[i] = 100·(1 + g)^i. */
function path(symbol: string, g: number, n = 60): CandleSeries {
  const c = Float64Array.from({ length: n }, (_, i) => 100 * (1 + g) ** i);
  return {
    timeframe: '4h',
    symbol,
    length: n,
    openTime: Float64Array.from({ length: n }, (_, i) => i * 14_400_000),
    open: c,
    high: c,
    low: c,
    close: c,
    volume: new Float64Array(n).fill(1),
  };
}

const rank = platform4hMomentumRank;

describe('platform4h-momentum-rank params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(platform4hMomentumRankParams, rank.defaults, { lookback: 5, topN: 0, minReturn: -0.6 });
    expect(rank.defaults).toEqual({ lookback: 42, topN: 3, minReturn: 0 });
    expect(rank.startupCandles(rank.defaults)).toBe(43);
  });
});

describe('platform4h-momentum-rank on a synthetic universe', () => {
  const universe = [path('AAA/USDT', 0.001), path('BBB/USDT', 0.004), path('CCC/USDT', -0.002), path('DDD/USDT', 0.002), path('EEE/USDT', 0.003)];
  const p = rank.defaults;

  it('picks the top 3 positive-momentum symbols at equal weight', () => {
    const out = rank.rank(rank.prepare(universe, p), 59, p);
    expect(out.map((e) => e.symbol)).toEqual(['BBB/USDT', 'EEE/USDT', 'DDD/USDT', 'AAA/USDT', 'CCC/USDT']);
    const held = out.filter((e) => e.weight > 0);
    expect(held.map((e) => e.symbol)).toEqual(['BBB/USDT', 'EEE/USDT', 'DDD/USDT']);
    for (const e of held) expect(e.weight).toBeCloseTo(1 / 3, 12);
    expect(out.reduce((s, e) => s + e.weight, 0)).toBeLessThanOrEqual(1 + 1e-12);
    expect(out[0]!.score).toBeCloseTo(1.004 ** 42 - 1, 12);
    for (const e of out) expect(e.reason).toMatch(/42-bar return [+-]?\d/);
    expect(out[0]!.reason).toContain('weight 33.3%');
  });

  it('keeps unfilled slots in cash when fewer than 3 symbols rise', () => {
    const falling = [path('AAA/USDT', 0.001), path('BBB/USDT', -0.004), path('CCC/USDT', -0.002), path('DDD/USDT', -0.001), path('EEE/USDT', 0)];
    const out = rank.rank(rank.prepare(falling, p), 59, p);
    const held = out.filter((e) => e.weight > 0);
    expect(held.map((e) => e.symbol)).toEqual(['AAA/USDT']);
    expect(held[0]!.weight).toBeCloseTo(1 / 3, 12);
    expect(out.find((e) => e.symbol === 'EEE/USDT')!.reason).toContain('not above 0.0%');
  });

  it('ranks nothing during warm-up and breaks ties by symbol', () => {
    expect(rank.rank(rank.prepare(universe, p), 41, p)).toEqual([]);
    const tied = [path('ZZZ/USDT', 0.002), path('AAA/USDT', 0.002)];
    expect(rank.rank(rank.prepare(tied, p), 59, p).map((e) => e.symbol)).toEqual(['AAA/USDT', 'ZZZ/USDT']);
  });

  it('has no lookahead and warms up in startupCandles bars', () => {
    const full = rank.prepare(universe, p);
    const startup = rank.startupCandles(p);
    for (const i of [42, 50, 59]) {
      const prefix = rank.prepare(universe.map((s) => sliceSeries(s, 0, i + 1)), p);
      expect(rank.rank(prefix, i, p)).toEqual(rank.rank(full, i, p));
      const window = rank.prepare(universe.map((s) => sliceSeries(s, i + 1 - startup, i + 1)), p);
      expect(rank.rank(window, startup - 1, p)).toEqual(rank.rank(full, i, p));
    }
  });
});

describeWithData('platform4h-momentum-rank on real BTC and ETH 4h', () => {
  it('ranks both, is causal, and holds only rising symbols', () => {
    const u = [btc4hSeries(), eth4hSeries()];
    const p = rank.defaults;
    const full = rank.prepare(u, p);
    let held = 0;
    for (const i of [500, 2000, 4000, 6000, 8000, 10_000, 11_000]) {
      const out = rank.rank(full, i, p);
      expect(out).toHaveLength(2);
      const prefix = rank.prepare(u.map((s) => sliceSeries(s, 0, i + 1)), p);
      expect(rank.rank(prefix, i, p)).toEqual(out);
      for (const e of out) {
        expect(e.weight > 0).toBe(e.score > 0);
        held += e.weight > 0 ? 1 : 0;
      }
    }
    expect(held).toBeGreaterThan(0);
  });
});
