import { describe, expect, it } from 'vitest';
import { T0 } from '../backtest/fixtures.test-util';
import type { LotOrder, Signal } from '../strategies/types';
import { step, type KernelCandle, type KernelEvent } from './kernel';
import { HOUR_MS, kernelTestContext } from './kernel.test-util';
import { initialKernelState, parseKernelState, type KernelState } from './state';

/** Multi-lot positions (a grid): several keyed lots open at once, each with its own stop and target. */
const H = HOUR_MS;
const ctx = kernelTestContext();
const hold: Signal = { action: 'HOLD', reason: '' };
const lot = (key: string, limitPrice: number, takeProfit: number, stopLoss = 94): LotOrder => ({ key, limitPrice, takeProfit, stopLoss, reason: `${key} @ ${limitPrice}` });
const grid = (...lots: LotOrder[]): Signal => ({ action: 'BUY', reason: 'grid', lots });
const bar = (i: number, open: number, high: number, low: number, close: number): KernelCandle => ({ openTime: T0 + i * H, open, high, low, close });

/** Step candles with their signals, the state stored as JSON between steps (as the paper account stores it). */
function run(steps: [KernelCandle, Signal | null][], from: KernelState = initialKernelState()) {
  let st = from;
  const events: KernelEvent[] = [];
  const trades = [];
  for (const [c, s] of steps) {
    const r = step(st, c, s, ctx);
    events.push(...r.events);
    trades.push(...r.trades);
    st = parseKernelState(JSON.parse(JSON.stringify(r.state)));
  }
  return { st, events, trades };
}

describe('execution kernel: multi-lot positions', () => {
  it('two lots open at once, each exits on its own target; an EXIT closes the rest at the next open', () => {
    const r = run([
      [bar(0, 100, 100.5, 99.5, 100), grid(lot('L1', 98, 100), lot('L2', 96, 98))],
      [bar(1, 100, 100.5, 97.5, 98.5), hold], // L1 bid reached: filled at 98 inside the candle
      [bar(2, 98, 98.2, 95.5, 96), hold], // L2 bid reached: filled at 96; L1 still open
      [bar(3, 96.5, 98.5, 96.2, 98.2), hold], // L2 target 98 reached (maker); L1's 100 not
      [bar(4, 98, 99, 97.8, 99), { action: 'EXIT', reason: 'close above the mean' }],
      [bar(5, 99.5, 100, 99, 99.5), null], // the queued exit closes L1 at this open
    ]);
    expect(r.trades.map((t) => [t.entryPrice, t.exitPrice, t.exitKind, t.exitLiquidity, t.bars, t.entryReason, t.exitReason])).toEqual([
      [96, 98, 'take-profit', 'maker', 2, 'L2 @ 96', 'take-profit'],
      [98, 99.5, 'signal', 'taker', 4, 'L1 @ 98', 'close above the mean'],
    ]);
    const fills = r.events.filter((e): e is Extract<KernelEvent, { type: 'entry' | 'exit' }> => e.type === 'entry' || e.type === 'exit');
    expect(fills.map((e) => `${e.type} ${e.fill.lot} @${e.fill.price} t${(e.fill.time - T0) / H}`)).toEqual(['entry L1 @98 t1', 'entry L2 @96 t2', 'exit L2 @98 t3', 'exit L1 @99.5 t5']);
    expect(r.st.lots).toEqual([]);
    expect(r.st.pendingLots).toEqual([]);
  });

  it('a held level is not bid again; a refresh replaces the resting bids; an EXIT cancels them (counted per bid)', () => {
    const a = run([
      [bar(0, 100, 100.5, 99.5, 100), grid(lot('L1', 98, 100), lot('L2', 96, 98), lot('L3', 94.5, 96, 93))],
      [bar(1, 99, 99.2, 97.9, 98.1), grid(lot('L1', 98.2, 100), lot('L2', 96.5, 98.2), lot('L3', 95, 96.5, 93))],
    ]);
    expect(a.st.lots.map((l) => [l.key, l.entryPrice])).toEqual([['L1', 98]]);
    expect(a.st.pendingLots.map((l) => [l.key, l.limitPrice, l.takeProfit])).toEqual([
      ['L2', 96.5, 98.2],
      ['L3', 95, 96.5],
    ]);
    const b = run([[bar(2, 98, 98.5, 97.5, 98), { action: 'EXIT', reason: 'grid broken' }]], a.st);
    expect(b.st.pendingLots).toEqual([]);
    expect(b.events.filter((e) => e.type === 'skip').map((e) => (e.type === 'skip' ? e.rule : ''))).toEqual(['limitCancelled', 'limitCancelled']);
    const c = run([[bar(3, 97, 97.5, 96.5, 97), null]], b.st);
    expect(c.trades.map((t) => [t.entryReason, t.exitPrice, t.exitKind])).toEqual([['L1 @ 98', 97, 'signal']]);
  });

  it('a gap through the common stop closes every lot at the open (pessimistic), each its own exit fill', () => {
    const r = run([
      [bar(0, 100, 100.5, 99.5, 100), grid(lot('L1', 98, 100), lot('L2', 96, 98))],
      [bar(1, 99, 99, 95.8, 96.5), hold], // both bids reached in one candle: two entries
      [bar(2, 93, 93.5, 92, 92.5), hold], // opens below the 94 stop: both stop at 93
    ]);
    expect(r.trades.map((t) => [t.entryReason, t.entryPrice, t.exitPrice, t.exitKind])).toEqual([
      ['L1 @ 98', 98, 93, 'stop'],
      ['L2 @ 96', 96, 93, 'stop'],
    ]);
  });

  it('an unfilled bid expires after limitExpiryCandles; a state stored before lots existed reads back with none', () => {
    const r = run([
      [bar(0, 100, 100.5, 99.5, 100), grid(lot('L1', 90, 100))],
      [bar(1, 100, 100.5, 99.5, 100), hold],
      [bar(2, 100, 100.5, 99.5, 100), hold],
      [bar(3, 100, 100.5, 99.5, 100), hold],
    ]);
    expect(r.st.pendingLots).toEqual([]);
    expect(r.events.filter((e) => e.type === 'skip')).toEqual([{ type: 'skip', time: T0 + 3 * H, rule: 'limitExpired' }]);
    const { lots: _l, pendingLots: _p, ...old } = initialKernelState();
    expect(parseKernelState(old)).toEqual(initialKernelState());
  });
});
