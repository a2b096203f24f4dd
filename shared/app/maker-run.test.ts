import { describe, expect, it } from 'vitest';
import { toSeries, type Candle } from '../candles/candle';
import { getStrategy } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { inferTick, makerOfRun } from './maker-run';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const candles: Candle[] = Array.from({ length: 1_500 }, (_, i) => {
  const close = Math.round((30_000 + 4_000 * Math.sin(i / 60) + 1_500 * Math.sin(i / 7) + i) * 100) / 100;
  return { openTime: T0 + i * H, open: Math.round((close - 20.5) * 100) / 100, high: close + 80, low: close - 90, close, volume: 100 };
});

describe('the maker report stored with a run', () => {
  it('infers the tick from the finest price step the candles are quoted in', () => {
    expect(inferTick(candles)).toBe(0.01);
    expect(inferTick([{ ...candles[0]!, open: 0.071234, high: 0.0713, low: 0.0711, close: 0.07122 }])).toBe(0.000001);
    expect(inferTick([{ ...candles[0]!, open: 100, high: 101, low: 99, close: 100 }])).toBe(1);
    expect(inferTick([])).toBeNull();
  });

  it("posts the strategy's entries as limits on the run venue's fees; none for a derived pair or an unknown venue", () => {
    const strategy = getStrategy('dsta-sma-crossover') as unknown as Strategy<Params, unknown>;
    const params = strategy.defaults as Params;
    const series = toSeries(candles, '1h', 'BTC/USDT');
    const window = { from: T0 + 100 * H, to: T0 + 1_500 * H };
    const r = makerOfRun(series, candles, strategy, params, window, 'binance')!;
    expect(r.options).toEqual({ offsetBps: 0, maxCandles: 3, tick: 0.01, venue: 'binance' });
    expect(r.posted).toBeGreaterThan(3);
    expect(r.filledMaker + r.filledTakerOnArrival + r.expired + r.cancelled).toBe(r.posted);
    expect(r.fillRate).toBeCloseTo(r.filledMaker / r.posted, 12);
    expect(r.tickSource).toMatch(/inferred/);
    expect(makerOfRun(series, candles, strategy, params, window, 'derived:binance')).toBeNull();
    expect(makerOfRun(series, candles, strategy, params, window, 'nowhere')).toBeNull();
  });
});
