import { describe, expect, it } from 'vitest';
import type { Candle } from '../candles/candle';
import { nexaraBaseline5m } from '../strategies/nexara-baseline-5m';
import { paperKernelOptions } from '../research/paper';
import { referenceCoverage, sentinelReferenceKey } from './sentinel-reference';

const M5 = 300_000;
const T = Date.UTC(2022, 3, 14, 4, 0);
const key = { venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m' as const };
const c = (openTime: number): Candle => ({ openTime, open: 1, high: 1, low: 1, close: 1, volume: 1 });

describe('the Sentinel reference a single-series run needs', () => {
  it('is the rule symbol on the same venue and timeframe, and only when the rule is on and the run trades another symbol', () => {
    const eth = { venue: 'binance', symbol: 'ETH/USDT', timeframe: '5m' as const };
    expect(sentinelReferenceKey({ sentinel: { dropPct: 0.05, symbol: 'BTC/USDT' } }, eth)).toEqual(key);
    expect(sentinelReferenceKey({ sentinel: { dropPct: 0.05, symbol: 'BTC/USDT' } }, key)).toBeNull();
    expect(sentinelReferenceKey({}, eth)).toBeNull();
    // The strategy-config path: a strategy declaring the Sentinel knob turns the rule on only when the param is set.
    expect(paperKernelOptions(nexaraBaseline5m, nexaraBaseline5m.defaults).risk.sentinel).toBeUndefined();
    const on = nexaraBaseline5m.paramsSchema.parse({ ...nexaraBaseline5m.defaults, sentinelDropPct: 0.03 });
    expect(paperKernelOptions(nexaraBaseline5m, on).risk.sentinel).toEqual({ dropPct: 0.03, symbol: 'BTC/USDT' });
    expect(nexaraBaseline5m.paramsSchema.safeParse({ ...nexaraBaseline5m.defaults, sentinelDropPct: 0 }).success).toBe(false);
  });

  it('covers a decision once the reference candle closing inside it is stored; the first uncovered one and all after it wait', () => {
    const decisions = [T, T + M5, T + 2 * M5];
    expect(referenceCoverage({ key, candles: [c(T), c(T + M5), c(T + 2 * M5)] }, M5, decisions, 12)).toEqual({ ready: 3, reason: null });
    const partial = referenceCoverage({ key, candles: [c(T - M5), c(T)] }, M5, decisions, 12);
    expect(partial.ready).toBe(1);
    expect(partial.reason).toContain('sentinel reference binance BTC/USDT 5m not ready: the decision on the 2022-04-14T04:05:00.000Z candle');
    expect(partial.reason).toContain('its newest stored candle closed 2022-04-14T04:05:00.000Z; 2 candle(s) wait');
    // A candle closing at the decision's open (the one before) is not the decision's: no lookahead either way.
    expect(referenceCoverage({ key, candles: [c(T - M5)] }, M5, [T], 12).ready).toBe(0);
    const none = referenceCoverage({ key, candles: [] }, M5, decisions, 12);
    expect(none).toMatchObject({ ready: 0 });
    expect(none.reason).toContain('no candle of it is stored for the window');
  });

  it('steps over a reference hole once the reference holds a candle the grace period later (a venue gap does not fire)', () => {
    const hole = [c(T), c(T + 2 * M5)];
    expect(referenceCoverage({ key, candles: hole }, M5, [T, T + M5, T + 2 * M5], 12).ready).toBe(1);
    const later = [...hole, c(T + 14 * M5)];
    expect(referenceCoverage({ key, candles: later }, M5, [T, T + M5, T + 2 * M5], 12)).toEqual({ ready: 3, reason: null });
    expect(referenceCoverage({ key, candles: [...hole, c(T + 12 * M5)] }, M5, [T, T + M5, T + 2 * M5], 12).ready).toBe(1);
  });
});
