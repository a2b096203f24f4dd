import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../backtest/config';
import { runBacktest } from '../backtest/engine';
import { mkSeries, scripted, T0 } from '../backtest/fixtures.test-util';
import { step, type KernelContext } from '../execution/kernel';
import { initialKernelState } from '../execution/state';
import type { Signal } from '../strategies/types';
import { makerFillReport, makerVariant } from './maker-fills';

const H = 3_600_000;
const config = parseBacktestConfig({});
const ctx = (over: Partial<KernelContext> = {}): KernelContext => ({
  timeframeMs: H,
  risk: config.risk,
  limitExpiryCandles: 3,
  allowShort: false,
  entriesOpen: true,
  atrBefore: () => null,
  atrAt: () => null,
  ...over,
});
const hold: Signal = { action: 'HOLD', reason: '' };

describe('kernel limit fills in honest mode (limitTradeThrough)', () => {
  const posted = step(initialKernelState(), { openTime: T0, open: 100, high: 100.5, low: 99.5, close: 100 }, { action: 'BUY', reason: 'b', limitPrice: 100 }, ctx()).state;

  it('a touch is not a fill; trading through by a tick fills at the limit as maker', () => {
    const touch = { openTime: T0 + H, open: 100.5, high: 101, low: 100, close: 100.5 };
    expect(step(posted, touch, hold, ctx()).fills).toEqual([expect.objectContaining({ price: 100, liquidity: 'maker' })]); // default: a touch fills
    expect(step(posted, touch, hold, ctx({ limitTradeThrough: 0.01 })).fills).toEqual([]);
    const through = { ...touch, low: 99.99 };
    expect(step(posted, through, hold, ctx({ limitTradeThrough: 0.01 })).fills).toEqual([expect.objectContaining({ price: 100, liquidity: 'maker' })]);
  });

  it('a later open below the limit by less than a tick does not fill it; by a tick it fills at the open; never filled → expired', () => {
    const c = (k: number, open: number, low: number) => ({ openTime: T0 + k * H, open, high: open + 0.5, low, close: open });
    const t = ctx({ limitTradeThrough: 0.01 });
    const s1 = step(posted, c(1, 100.5, 100.2), hold, t).state;
    const near = step(s1, c(2, 99.995, 99.995), hold, t);
    expect(near.fills).toEqual([]);
    const gap = step(s1, c(2, 99.98, 99.9), hold, t);
    expect(gap.fills).toEqual([expect.objectContaining({ price: 99.98, liquidity: 'maker' })]);
    const last = step(near.state, c(3, 100.5, 100), hold, t);
    expect(last.events).toEqual([{ type: 'skip', time: T0 + 3 * H, rule: 'limitExpired' }]);
    // On arrival an order the open is already through is marketable: a taker fill at the open, as before; an open AT
    // the limit only joins the queue (the default rule calls that marketable).
    expect(step(posted, c(1, 99.5, 99), hold, t).fills).toEqual([expect.objectContaining({ price: 99.5, liquidity: 'taker' })]);
    expect(step(posted, c(1, 100, 100), hold, t).fills).toEqual([]);
    expect(step(posted, c(1, 100, 100), hold, ctx()).fills).toEqual([expect.objectContaining({ price: 100, liquidity: 'taker' })]);
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
