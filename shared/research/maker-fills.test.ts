import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../backtest/config';
import { runBacktest } from '../backtest/engine';
import { mkSeries, scripted, T0 } from '../backtest/fixtures.test-util';
import { makerFillReport, makerVariant } from './maker-fills';

/** A BUY limit at 100 posted on candle 15's close, then `after` candles ([open, high, low, close]); the first entry. */
function limitEntry(after: [number, number, number, number][], limitTradeThrough?: number) {
  const rows: [number, number, number, number][] = [...Array.from({ length: 16 }, () => [100, 100.5, 99.5, 100] as [number, number, number, number]), ...after, [100.5, 101, 100.2, 100.5], [100.5, 101, 100.2, 100.5]];
  const series = mkSeries(rows);
  const strategy = scripted(series, { 15: { action: 'BUY', reason: 'b', limitPrice: 100 } });
  const r = runBacktest(series, strategy, {}, parseBacktestConfig({ limitExpiryCandles: 3, ...(limitTradeThrough !== undefined ? { limitTradeThrough } : {}) }));
  const t = r.trades[0];
  return { entry: t ? { at: (t.entryTime - T0) / 3_600_000, price: t.entryPrice, liquidity: t.entryLiquidity } : null, expired: r.skipped.limitExpired };
}

describe('kernel limit fills in honest mode (limitTradeThrough)', () => {
  it('a touch is not a fill; trading through by a tick fills at the limit as maker', () => {
    const touch: [number, number, number, number] = [100.5, 101, 100, 100.5];
    expect(limitEntry([touch]).entry).toEqual({ at: 16, price: 100, liquidity: 'maker' }); // default rule: a touch fills
    expect(limitEntry([touch, touch, touch], 0.01)).toEqual({ entry: null, expired: 1 });
    expect(limitEntry([[100.5, 101, 99.99, 100.5]], 0.01).entry).toEqual({ at: 16, price: 100, liquidity: 'maker' });
  });

  it('a later open below the limit by less than a tick does not fill it, by a tick it fills at the open; an open AT the limit on arrival only joins the queue', () => {
    const rest: [number, number, number, number] = [100.5, 101, 100.2, 100.5];
    expect(limitEntry([rest, [99.995, 100.5, 99.995, 100]], 0.01)).toEqual({ entry: null, expired: 1 });
    expect(limitEntry([rest, [99.98, 100.5, 99.9, 100]], 0.01).entry).toEqual({ at: 17, price: 99.98, liquidity: 'maker' });
    expect(limitEntry([[99.5, 100, 99, 99.5]], 0.01).entry).toEqual({ at: 16, price: 99.5, liquidity: 'taker' }); // marketable on arrival
    expect(limitEntry([[100, 100.5, 100, 100], rest, rest], 0.01)).toEqual({ entry: null, expired: 1 });
    expect(limitEntry([[100, 100.5, 100, 100]]).entry).toEqual({ at: 16, price: 100, liquidity: 'taker' }); // default: marketable
  });
});

describe('maker fill report: fill rate and adverse selection', () => {
  // Two entry signals (candles 20 and 30) and their exits (25, 35). After signal 20 the market only touches the
  // limit at 100 and then rallies (a missed winner); after signal 30 it trades through 100 and then falls (a filled
  // loser): the textbook adverse selection of passive entries.
  const rows: [number, number, number, number][] = [];
  for (let i = 0; i < 40; i++) {
    if (i <= 20) rows.push([100, 100.5, 99.5, 100]);
    else if (i <= 23) rows.push([100.5, 101, 100, 100.5]);
    else if (i <= 25) rows.push([100.5, 101, 100.2, 100.5]);
    else if (i <= 29) rows.push([102, 102.5, 101.5, 102]);
    else if (i === 30) rows.push([101, 101, 100, 100]);
    else if (i === 31) rows.push([100.2, 100.5, 99.98, 100.3]);
    else if (i <= 35) rows.push([100.3, 100.5, 100.1, 100.3]);
    else rows.push([99, 99.5, 98.5, 99]);
  }
  const series = mkSeries(rows);
  const strategy = scripted(series, { 20: { action: 'BUY', reason: 'b1' }, 25: { action: 'EXIT', reason: 'x1' }, 30: { action: 'BUY', reason: 'b2' }, 35: { action: 'EXIT', reason: 'x2' } });

  it('the maker variant posts at the signal close ∓ offset and leaves exits and limit signals alone', () => {
    const m = makerVariant(strategy, 10);
    const st = m.prepare(series, {});
    expect(m.id).toBe('scripted+maker');
    expect(m.evaluate(st, 20, {})).toMatchObject({ action: 'BUY', limitPrice: 100 * (1 - 0.001) });
    expect(m.evaluate(st, 25, {})).toEqual({ action: 'EXIT', reason: 'x1' });
  });

  it('counts posted, filled and missed orders and compares the net edge of filled vs missed signals', () => {
    const r = makerFillReport(series, strategy, {}, {}, { tick: 0.01, maxCandles: 3 });
    expect(r).toMatchObject({ posted: 2, filledMaker: 1, filledTakerOnArrival: 0, expired: 1, cancelled: 0, fillRate: 0.5, costModel: 'binance-as-filled' });
    // Filled: maker entry at 100 (10 bps), taker exit at 99 (10 bps); missed: the taker trade 100.5 → 102.
    const net = (entry: number, exit: number) => ((exit / entry - 1 - 0.001 - 0.001 * (exit / entry)) / 1.001) * 1e4;
    expect(r.filledNetMeanBps).toBeCloseTo(net(100, 99), 9);
    expect(r.missedNetMeanBps).toBeCloseTo(net(100.5, 102), 9);
    expect(r.adverseSelectionBps).toBeCloseTo(net(100, 99) - net(100.5, 102), 9);
    expect(r.adverseSelectionBps!).toBeLessThan(0);
    expect(r.takerNetMeanBps).toBeCloseTo((net(100.5, 102) + net(100.2, 99)) / 2, 9);
    // Under the optimistic rule (no limitTradeThrough: a touch fills) both orders fill as maker.
    const touchFills = runBacktest(series, makerVariant(strategy), {}, parseBacktestConfig({}));
    expect(touchFills.trades.map((t) => [t.entryPrice, t.entryLiquidity])).toEqual([
      [100, 'maker'],
      [100, 'maker'],
    ]);
    expect(() => makerFillReport(series, strategy, {}, {}, { tick: 0 })).toThrow(/tick must be a positive price step/);
  });
});
