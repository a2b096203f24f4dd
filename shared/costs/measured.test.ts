import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import type { RawTrade } from '../backtest/types';
import { toSeries, type Candle, type CandleSeries } from '../candles/candle';
import { costTrade } from '../execution/cost-hook';
import { netReturn } from './cost-model';
import { feeSchedule, UnknownFeeTierError } from './fee-schedules';
import { createMeasuredCostHook, MeasuredCostRefusedError, measuredVenueCosts, type MeasuredLeg } from './measured';
import { measureRunCosts, withMeasuredViews } from './measured-run';
import { COST_PRESETS } from './presets';
import { edgeSpread, simulateBidAskCandles } from './estimators';

const M = 60_000;
/** 20:00 UTC: candle 240 opens the next UTC day, where the daily EDGE refresh starts its window. */
const T0 = Date.UTC(2025, 0, 5, 20);

/** 1m candles from simulated bid/ask bounce with a known full spread, volume `vol` base units each. */
function simulated(n: number, spread: number, vol = 100, seed = 11, start = T0): CandleSeries {
  const s = simulateBidAskCandles(mulberry32(seed), { n, trades: 200, spread, volatility: 0.002 });
  const candles: Candle[] = Array.from({ length: n }, (_, i) => ({ openTime: start + i * M, open: s.open[i]! * 100, high: s.high[i]! * 100, low: s.low[i]! * 100, close: s.close[i]! * 100, volume: vol }));
  return toSeries(candles, '1m', 'BTC/USDT');
}

function flat(n: number, price = 100, vol = 100): CandleSeries {
  return toSeries(
    Array.from({ length: n }, (_, i) => ({ openTime: T0 + i * M, open: price, high: price, low: price, close: price, volume: vol })),
    '1m',
    'BTC/USDT',
  );
}

function trade(entryI: number, exitI: number, entry = 100, exit = 101): RawTrade {
  return {
    side: 'long',
    signalTime: T0 + (entryI - 1) * M,
    entryTime: T0 + entryI * M,
    entryPrice: entry,
    entryLiquidity: 'taker',
    entryReason: 't',
    exitTime: T0 + exitI * M,
    exitPrice: exit,
    exitLiquidity: 'maker',
    exitKind: 'take-profit',
    exitReason: 't',
    bars: exitI - entryI,
    grossReturn: exit / entry - 1,
    entryAtrPct: null,
    exitAtrPct: null,
  };
}

const leg = (series: CandleSeries, extra: Partial<MeasuredLeg> = {}): MeasuredLeg => ({ symbol: series.symbol, series, candlesVenue: 'binance', ...extra });

describe('fee schedules', () => {
  it('the presets take their base tier from the dated data file; a tier is chosen by name', () => {
    for (const v of ['binance', 'kraken', 'coinbase', 'okx', 'bybit'] as const) expect(COST_PRESETS[`${v}-taker`].schedule).toEqual(feeSchedule(v));
    expect(feeSchedule('binance', 'VIP1').entries[0]).toMatchObject({ makerBps: 9, takerBps: 10 });
    expect(() => feeSchedule('binance', 'VIP9')).toThrow(UnknownFeeTierError);
    expect(() => feeSchedule('binance', 'VIP9')).toThrow(/known: VIP0 \(regular user\), VIP1, VIP2/);
    expect(() => feeSchedule('mtgox')).toThrow(/no fee schedule for venue mtgox/);
  });
});

describe('measured cost model', () => {
  it('half-spread from EDGE on the candles closed before the fill recovers a known spread', () => {
    const s = simulated(3000, 0.002); // 20 bps full spread → 10 bps per side
    const hook = createMeasuredCostHook({ venue: 'binance', legs: [leg(s)] }, { orderNotional: 1000, edgeWindowCandles: 1440 });
    const c = hook({ effect: 'open', time: T0 + 2000 * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    expect(c.sources).toEqual([{ fee: 'VIP0 (regular user)@2025-01-01', spread: 'edge', impact: 'default-k' }]);
    expect(c.feeBps).toBe(10);
    expect(Math.abs(c.halfSpreadBps - 10)).toBeLessThan(1.5);
    expect(c.totalBps).toBeCloseTo(c.feeBps + c.halfSpreadBps + c.impactBps, 12);
  });

  it('the spread window ends where the UTC day of the fill began; a later candle of that day does not move it', () => {
    const s = simulated(600, 0.002);
    const hook = createMeasuredCostHook({ venue: 'binance', legs: [leg(s)] }, { orderNotional: 100, impact: { horizonCandles: 1, volLookbackCandles: 2 } });
    const at = (i: number) => hook({ effect: 'open', time: T0 + i * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    const w = (x: Float64Array) => x.subarray(0, 240);
    const e = edgeSpread({ open: w(s.open), high: w(s.high), low: w(s.low), close: w(s.close) });
    if (!e.ok) throw new Error(e.reason);
    expect(at(250).halfSpreadBps).toBeCloseTo((e.signed / 2) * 1e4, 9);
    expect(at(590).halfSpreadBps).toBe(at(250).halfSpreadBps);
  });

  it('no lookahead: the fill candle and everything after it do not move the cost', () => {
    const s = simulated(600, 0.002);
    const cut = 400;
    const mangled = toSeries(
      Array.from({ length: s.length }, (_, i) => ({
        openTime: s.openTime[i]!,
        open: i >= cut ? s.open[i]! * 3 : s.open[i]!,
        high: i >= cut ? s.high[i]! * 3.5 : s.high[i]!,
        low: i >= cut ? s.low[i]! * 2.5 : s.low[i]!,
        close: i >= cut ? s.close[i]! * 3 : s.close[i]!,
        volume: i >= cut ? 1 : s.volume[i]!,
      })),
      '1m',
      'BTC/USDT',
    );
    const q = { effect: 'open' as const, time: T0 + cut * M, side: 'buy' as const, liquidity: 'taker' as const, price: 100, atrPct: null };
    const a = createMeasuredCostHook({ venue: 'binance', legs: [leg(s)] })(q);
    const b = createMeasuredCostHook({ venue: 'binance', legs: [leg(mangled)] })(q);
    expect(b).toEqual(a);
  });

  it('a book snapshot of the fill bucket wins over EDGE; an older one does not', () => {
    const s = simulated(600, 0.002);
    const snaps = [{ bucket: T0 + 300 * M, halfSpreadBps: 0.7 }];
    const hook = createMeasuredCostHook({ venue: 'kraken', legs: [leg(s, { candlesVenue: 'kraken', snapshots: snaps })] });
    const at = (i: number) => hook({ effect: 'open', time: T0 + i * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    expect(at(302)).toMatchObject({ feeBps: 40, halfSpreadBps: 0.7 });
    expect(at(302).sources[0]!.spread).toBe('book');
    expect(at(305).sources[0]!.spread).toBe('edge'); // 5 min after the bucket: stale
    expect(at(299).sources[0]!.spread).toBe('edge'); // before the snapshot: never read from the future
  });

  it('EDGE that cannot resolve a spread falls back to the documented floor, never zero; proxies are marked', () => {
    // No spread at all (seed 4): EDGE's signed estimate on the 60 candles before candle 100 (which opens a UTC day)
    // is negative.
    const T = Date.UTC(2025, 0, 6) - 100 * M;
    const s = simulated(200, 0, 100, 4, T);
    const w = (x: Float64Array) => x.subarray(40, 100);
    const e = edgeSpread({ open: w(s.open), high: w(s.high), low: w(s.low), close: w(s.close) });
    expect(e.ok && e.signed < 0).toBe(true);
    const hook = createMeasuredCostHook({ venue: 'okx', legs: [leg(s)] }, { floorHalfSpreadBps: 0.5, edgeWindowCandles: 60 });
    const c = hook({ effect: 'open', time: T + 130 * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    expect(c.halfSpreadBps).toBe(0.5);
    expect(c.sources[0]).toEqual({ fee: 'Regular Lv1@2025-01-01', spread: 'floor:edge-unresolved', impact: 'default-k-proxy-volume' });
    const early = hook({ effect: 'open', time: T + 2 * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    expect(early.sources[0]!.spread).toBe('floor:edge-insufficient');
    expect(early.sources[0]!.impact).toBe('unmeasured:insufficient-candles');
    // Flat candles: no period with price movement, EDGE refuses ("insufficient data") → the floor too.
    const f = createMeasuredCostHook({ venue: 'okx', legs: [leg(flat(200))] })({ effect: 'open', time: T0 + 100 * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    expect(f.sources[0]!.spread).toBe('floor:edge-insufficient');
    expect(f.halfSpreadBps).toBe(0.5);
  });

  it('impact is k·σ·√(Q/V) on the candles before the fill, worked by hand; too large an order is refused', () => {
    // Closes alternate 100, 101, 100, 101 …: the returns alternate +1 % and −1/101 (simple returns since
    // measured-cost/1.1.0); volume 50 base per candle.
    const n = 100;
    const candles: Candle[] = Array.from({ length: n }, (_, i) => {
      const c = i % 2 === 0 ? 100 : 101;
      return { openTime: T0 + i * M, open: c, high: 101, low: 100, close: c, volume: 50 };
    });
    const s = toSeries(candles, '1m', 'BTC/USDT');
    const i = 80;
    const H = 4;
    const L = 10;
    const hook = createMeasuredCostHook(
      { venue: 'binance', legs: [leg(s)] },
      { orderNotional: 1000, impact: { horizonCandles: H, volLookbackCandles: L, k: { binance: { k: 0.7, source: 'test fit' } } } },
    );
    const c = hook({ effect: 'open', time: T0 + i * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null });
    let V = 0;
    for (let j = i - H; j < i; j++) V += 50 * candles[j]!.close;
    const r = Array.from({ length: L }, (_, q) => candles[i - L + q]!.close / candles[i - L + q - 1]!.close - 1);
    const mean = r.reduce((a, b) => a + b, 0) / L;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (L - 1));
    expect(c.impactBps).toBeCloseTo(0.7 * sd * Math.sqrt(H) * Math.sqrt(1000 / V) * 1e4, 9);
    expect(c.sources[0]!.impact).toBe('fit');
    const big = createMeasuredCostHook({ venue: 'binance', legs: [leg(s)] }, { orderNotional: 10_000, impact: { horizonCandles: H } });
    expect(() => big({ effect: 'open', time: T0 + i * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null })).toThrow(MeasuredCostRefusedError);
    expect(() => big({ effect: 'open', time: T0 + i * M, side: 'buy', liquidity: 'taker', price: 100, atrPct: null })).toThrow(/on binance BTC\/USDT at 2025-01-05T21:20:00.000Z is 49.\d+ % of the horizon's volume, above the 10.0 %/);
  });

  it('a pair pays both legs; every fill is a taker fill; net by the one cash-account convention', () => {
    const a = simulated(900, 0.002, 100, 1);
    const b = toSeries(
      Array.from({ length: 900 }, (_, i) => ({ openTime: a.openTime[i]!, open: a.open[i]! / 2, high: a.high[i]! / 2, low: a.low[i]! / 2, close: a.close[i]! / 2, volume: 1000 })),
      '1m',
      'ETH/USDT',
    );
    const one = createMeasuredCostHook({ venue: 'coinbase', legs: [leg(a)] });
    const two = createMeasuredCostHook({ venue: 'coinbase', legs: [leg(a), leg(b)] });
    const t = trade(700, 720);
    const c1 = costTrade(t, one);
    const c2 = costTrade(t, two);
    expect(c1.exit.feeBps).toBe(60); // a take-profit flagged maker still pays the taker fee
    expect(c2.entry.feeBps).toBe(120);
    expect(c2.entry.sources).toHaveLength(2);
    expect(c2.roundTripBps).toBeGreaterThan(c1.roundTripBps);
    expect(c2.net).toBe(netReturn(t.grossReturn, c2.entry.totalBps, c2.exit.totalBps, t.exitPrice / t.entryPrice));
  });

  it('a run view counts the fills per source and lays the measured nets beside the presets', () => {
    const s = simulated(900, 0.002);
    const trades = [trade(500, 510), trade(600, 640, 100, 99)];
    const v = measuredVenueCosts(trades, { venue: 'binance', legs: [leg(s, { snapshots: [{ bucket: T0 + 600 * M, halfSpreadBps: 1 }] })] });
    expect(v.id).toBe('binance-measured');
    expect(v.sources.spread).toEqual({ edge: 3, book: 1 });
    expect(v.sources.fee).toEqual({ 'VIP0 (regular user)@2025-01-01': 4 });
    expect(v.components.feeBps).toBe(20);
    expect((v.roundTripBps[0]! + v.roundTripBps[1]!) / 2).toBeCloseTo(v.components.feeBps + v.components.halfSpreadBps + v.components.impactBps, 10);
    const m = measureRunCosts(trades, [{ venue: 'binance', legs: [leg(s)] }], { tiers: { binance: 'VIP2' } });
    expect(m.version).toBe('measured-cost/1.1.0');
    expect(m.venues[0]!.tier).toBe('VIP2');
    const priced = trades.map((t) => ({ ...t, net: { 'binance-taker': 0 }, roundTripBps: { 'binance-taker': 20 } }));
    const j = withMeasuredViews({ trades: priced, net: { 'binance-taker': {} } }, m);
    expect(j.trades[1]!.net['binance-measured']).toBe(m.venues[0]!.net[1]);
    expect(j.trades[1]!.roundTripBps['binance-measured']).toBe(m.venues[0]!.roundTripBps[1]);
    expect(Object.keys(j.net)).toEqual(['binance-taker', 'binance-measured']);
    expect(() => createMeasuredCostHook({ venue: 'binance', legs: [leg(s)] }, { tiers: { binance: 'VIP7' } })).toThrow(UnknownFeeTierError);
  });
});
