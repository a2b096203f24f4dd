/**
 * `decideIsNoOp` (./kernel.ts), the predicate the backtest loop uses to skip `decide`: whenever it holds, `decide`
 * must leave the state, the trades, the skip counts and the events exactly as they were — checked over states
 * reached by stepping the kernel (flat, pending market / limit entry, long, short, lots, cooldown, queued exit)
 * and every kind of signal, with shorts allowed and not. And it must not claim a no-op where decide acts.
 */
import { describe, expect, it } from 'vitest';
import type { Signal } from '../strategies/types';
import { decide, decideIsNoOp, emptySkipCounts, step, type KernelCandle, type KernelEvent, type KernelSink } from './kernel';
import { HOUR_MS, kernelTestContext } from './kernel.test-util';
import { cloneKernelState, initialKernelState, type KernelState } from './state';

const T0 = Date.UTC(2024, 0, 1);
const candle = (k: number, price = 100): KernelCandle => ({ openTime: T0 + k * HOUR_MS, open: price, high: price + 1, low: price - 1, close: price, volume: 10 });
const sig = (action: Signal['action'], extra: Partial<Signal> = {}): Signal => ({ action, reason: `test ${action}`, ...extra });

const SIGNALS: Signal[] = [
  sig('HOLD'),
  sig('EXIT'),
  sig('SELL'),
  sig('BUY'),
  sig('BUY', { stopLoss: 90, takeProfit: 120 }),
  sig('BUY', { limitPrice: 95 }),
  sig('SELL', { limitPrice: 105 }),
  sig('BUY', { lots: [{ key: 'L1', limitPrice: 98, reason: 'lot' }] }),
];

/** States reached by stepping the kernel from flat through the signals given. */
function reach(signals: (Signal | null)[], allowShort: boolean, over: Parameters<typeof kernelTestContext>[0] = {}): KernelState {
  let st = initialKernelState();
  signals.forEach((s, k) => (st = step(st, candle(k, 100 + (k % 3)), s, kernelTestContext({ allowShort, ...over })).state));
  return st;
}

describe('decideIsNoOp', () => {
  for (const allowShort of [false, true]) {
    it(`holds only where decide changes nothing (allowShort ${allowShort})`, () => {
      const cooldown = { risk: { ...kernelTestContext().risk, cooldownCandles: 5, cooldownAfter: 'exit' as const } };
      const states: KernelState[] = [
        reach([], allowShort),
        reach([sig('BUY')], allowShort),
        reach([sig('BUY', { limitPrice: 50 })], allowShort),
        reach([sig('BUY'), sig('HOLD')], allowShort),
        reach([sig('BUY'), sig('HOLD'), sig('EXIT')], allowShort),
        reach([sig('SELL'), sig('HOLD')], allowShort),
        reach([sig('BUY', { lots: [{ key: 'L1', limitPrice: 50, reason: 'lot' }] })], allowShort),
        reach([sig('BUY', { lots: [{ key: 'L1', limitPrice: 101.5, reason: 'lot' }] }), sig('HOLD')], allowShort),
        reach([sig('BUY'), sig('HOLD'), sig('EXIT'), sig('HOLD')], allowShort, cooldown),
      ];
      let noOps = 0;
      let acts = 0;
      for (const st0 of states) {
        for (const s of SIGNALS) {
          for (const entriesOpen of [true, false]) {
            const ctx = kernelTestContext({ allowShort, entriesOpen, ...(st0.carry.cooldownUntil > 0 ? cooldown : {}) });
            const st = cloneKernelState(st0);
            const out: KernelSink & { events: KernelEvent[] } = { trades: [], skipped: emptySkipCounts(), events: [] };
            decide(st, candle(20), s, ctx, out);
            const unchanged = JSON.stringify(st) === JSON.stringify(st0) && out.trades.length === 0 && out.events.length === 0 && JSON.stringify(out.skipped) === JSON.stringify(emptySkipCounts());
            if (decideIsNoOp(st0, s, ctx)) {
              noOps++;
              expect(unchanged, `${s.action} ${JSON.stringify(s)} on ${JSON.stringify(st0)}`).toBe(true);
            } else if (!unchanged) acts++;
          }
        }
      }
      expect(noOps).toBeGreaterThan(20);
      expect(acts).toBeGreaterThan(10);
    });
  }

  it('is never true with the Sentinel overlay, and true for HOLD and for EXIT while flat', () => {
    const flat = initialKernelState();
    const ctx = kernelTestContext();
    expect(decideIsNoOp(flat, sig('HOLD'), ctx)).toBe(true);
    expect(decideIsNoOp(flat, sig('EXIT'), ctx)).toBe(true);
    expect(decideIsNoOp(flat, sig('SELL'), ctx)).toBe(true);
    expect(decideIsNoOp(flat, sig('SELL'), kernelTestContext({ allowShort: true }))).toBe(false);
    expect(decideIsNoOp(flat, sig('BUY'), ctx)).toBe(false);
    expect(decideIsNoOp(reach([sig('BUY'), sig('HOLD')], false), sig('EXIT'), ctx)).toBe(false);
    expect(decideIsNoOp(flat, sig('HOLD'), kernelTestContext({ sentinel: () => null }))).toBe(false);
  });
});
