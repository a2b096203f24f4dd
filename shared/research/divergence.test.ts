import { describe, expect, it } from 'vitest';
import type { Candle } from '../candles/candle';
import { attributeDivergences, divergenceAlertText, type DivergenceInput, type RecordedSignal, type UsedCandle } from './divergence';
import type { LedgerFill, PaperSignal } from './paper';

// Hand-built day of ten 5m candles; one round trip: BUY decided on candle 1, filled at candle 2's open (taker, 10 bps),
// EXIT decided on candle 4, filled at candle 5's open; PnL 50 on 10,000 initial equity.
const S = 300_000;
const T = (i: number): number => i * S;
const candle = (i: number): Candle => ({ openTime: T(i), open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 10 + i });
const stored: Candle[] = Array.from({ length: 10 }, (_, i) => candle(i));
const used: UsedCandle[] = stored.map((c) => ({ ...c, usedAt: c.openTime + S + 30_000 }));
const open: LedgerFill = { time: T(2), effect: 'open', side: 'buy', price: 102, liquidity: 'taker', costBps: 10, signalTime: T(1), pnl: null, exitKind: null };
const close: LedgerFill = { time: T(5), effect: 'close', side: 'sell', price: 105, liquidity: 'taker', costBps: 10, signalTime: T(4), pnl: 50, exitKind: 'signal' };
const recorded: RecordedSignal[] = [
  { time: T(1), action: 'BUY', computedAt: T(2) + 30_000 },
  { time: T(4), action: 'EXIT', computedAt: T(5) + 30_000 },
];
const replaySignals: PaperSignal[] = [
  { time: T(1), action: 'BUY' },
  { time: T(4), action: 'EXIT' },
];

function input(over: Partial<DivergenceInput> = {}): DivergenceInput {
  return {
    window: { from: 0, to: T(10) },
    stepMs: S,
    lateAfterMs: S,
    initialEquity: 10_000,
    paperFills: [open, close],
    replayFills: [open, close],
    usedCandles: used,
    storedCandles: stored,
    paperSignals: recorded,
    replaySignals,
    ...over,
  };
}

describe('attributeDivergences', () => {
  it('identical paper and replay: no divergence, zero gap', () => {
    const r = attributeDivergences(input());
    expect(r.ok).toBe(true);
    expect(r.divergences).toEqual([]);
    expect(r.counts).toEqual({ data: 0, timing: 0, fill: 0, fee: 0 });
    expect(r.ledger.matched).toBe(2);
    expect(r.paperPnl).toBe(50);
    expect(r.gapBps).toBe(0);
    expect(r.summary).toBe('paper = replay: 2 fills, 2 signals');
  });

  it('data: the fill candle restated after paper used it explains the entry and exit differences', () => {
    // Paper stepped candle 2 with open 102; the venue restated it to 103; the replay fills at 103 and earns less.
    const restated = stored.map((c) => (c.openTime === T(2) ? { ...c, open: 103 } : c));
    const r = attributeDivergences(
      input({ storedCandles: restated, replayFills: [{ ...open, price: 103 }, { ...close, pnl: 40 }] }),
    );
    expect(r.divergences.map((d) => [d.kind, d.candleTime])).toEqual([
      ['data', T(2)],
      ['data', T(5)],
    ]);
    expect(r.divergences[0]!.details).toHaveLength(2); // the candle itself and the entry fill on it
    expect(r.divergences[0]!.details[0]).toContain('open 102 → 103');
    expect(r.divergences[1]!.details[0]).toContain(`after candle ${new Date(T(2)).toISOString().slice(0, 16)}Z was restated`);
    expect(r.counts).toEqual({ data: 2, timing: 0, fill: 0, fee: 0 });
    expect(r.gapBps).toBe(10); // |50 − 40| / 10,000 × 1e4
  });

  it('data: a candle paper used that is no longer stored', () => {
    const r = attributeDivergences(input({ storedCandles: stored.filter((c) => c.openTime !== T(7)) }));
    expect(r.divergences).toHaveLength(1);
    expect(r.divergences[0]).toMatchObject({ kind: 'data', candleTime: T(7) });
    expect(r.divergences[0]!.details[0]).toContain('no longer stored');
  });

  it('timing: a decision recorded a cycle late, a missed signal, and a candle paper stepped over', () => {
    const lateExit: RecordedSignal = { time: T(4), action: 'EXIT', computedAt: T(7) }; // 2 cycles (10 min) after its candle closed
    const r = attributeDivergences(
      input({
        paperSignals: [recorded[0]!, lateExit],
        replaySignals: [...replaySignals, { time: T(8), action: 'SELL' }],
        usedCandles: used.filter((c) => c.openTime !== T(6)),
      }),
    );
    expect(r.divergences.map((d) => [d.kind, d.candleTime])).toEqual([
      ['timing', T(4)],
      ['timing', T(6)],
      ['timing', T(8)],
    ]);
    expect(r.divergences[0]!.details[0]).toBe('EXIT on 1970-01-01T00:20Z recorded late: 10 min after its candle closed');
    expect(r.divergences[1]!.details[0]).toContain('not evaluated by paper');
    expect(r.divergences[2]!.details[0]).toContain('has no recorded paper decision (missed)');
    expect(r.counts).toEqual({ data: 0, timing: 3, fill: 0, fee: 0 });
    expect(r.gapBps).toBe(0);
  });

  it('timing: a fill that differs because its signal was evaluated late is attributed to timing, not fill', () => {
    const r = attributeDivergences(
      input({
        paperSignals: [recorded[0]!, { time: T(4), action: 'EXIT', computedAt: T(6) + 30_000 }],
        paperFills: [open, { ...close, time: T(6), price: 106, pnl: 60 }],
      }),
    );
    expect(r.counts).toEqual({ data: 0, timing: 3, fill: 0, fee: 0 });
    expect(r.divergences.map((d) => d.candleTime)).toEqual([T(4), T(5), T(6)]);
  });

  it('a later trade differing only in PnL takes the class of the first difference (capital carried)', () => {
    const restated = stored.map((c) => (c.openTime === T(2) ? { ...c, open: 103 } : c));
    const open2: LedgerFill = { ...open, time: T(7), signalTime: T(6), price: 107 };
    const close2: LedgerFill = { ...close, time: T(9), signalTime: T(8), price: 109, pnl: 20 };
    const r = attributeDivergences(
      input({
        storedCandles: restated,
        paperFills: [open, close, open2, close2],
        replayFills: [{ ...open, price: 103 }, { ...close, pnl: 40 }, open2, { ...close2, pnl: 19.9 }],
      }),
    );
    expect(r.divergences.map((d) => [d.kind, d.candleTime])).toEqual([
      ['data', T(2)],
      ['data', T(5)],
      ['data', T(9)],
    ]);
    expect(r.divergences[2]!.details[0]).toContain('capital carried from the data difference at 1970-01-01T00:10Z');
  });

  it('fill: another fill price on an unchanged candle, and a fill the replay lacks', () => {
    const r = attributeDivergences(
      input({ paperFills: [open, { ...close, price: 104.5, pnl: 45 }, { ...open, time: T(9), signalTime: T(8) }] }),
    );
    expect(r.divergences.map((d) => [d.kind, d.candleTime])).toEqual([
      ['fill', T(5)],
      ['fill', T(9)],
    ]);
    expect(r.divergences[0]!.details[0]).toBe('close fill 1970-01-01T00:25Z: paper 104.5 taker 10 bps vs replay 105 taker 10 bps');
    expect(r.divergences[1]!.details[0]).toContain('only in paper');
    expect(r.gapBps).toBe(5);
  });

  it('fee: same fill at another cost is a fee-tier difference', () => {
    const r = attributeDivergences(input({ paperFills: [{ ...open, costBps: 7.5 }, { ...close, costBps: 7.5, pnl: 55 }] }));
    expect(r.divergences.map((d) => [d.kind, d.candleTime])).toEqual([
      ['fee', T(2)],
      ['fee', T(5)],
    ]);
    expect(r.divergences[0]!.details[0]).toContain('fee tier differs: paper 102 taker 7.5 bps vs replay 102 taker 10 bps');
    expect(r.counts.fee).toBe(2);
  });

  it('is deterministic and leaves fills outside the window alone', () => {
    const a = attributeDivergences(input({ window: { from: T(3), to: T(10) }, paperFills: [{ ...open, price: 1 }, close] }));
    expect(a.ok).toBe(true);
    expect(JSON.stringify(attributeDivergences(input({ paperFills: [open, { ...close, price: 1 }] })))).toBe(
      JSON.stringify(attributeDivergences(input({ paperFills: [open, { ...close, price: 1 }] }))),
    );
  });

  it('divergenceAlertText: only strictly above the threshold', () => {
    const r = attributeDivergences(input({ paperFills: [open, { ...close, price: 104.5, pnl: 45 }] }));
    expect(divergenceAlertText(r, 5, 'x')).toBeNull();
    expect(divergenceAlertText(r, 4.99, 'demo binance BTC/USDT 5m 2022-04-16')).toBe(
      '⚠️ Paper diverges from the replay: demo binance BTC/USDT 5m 2022-04-16: PnL paper 45 vs replay 50 (gap 5 bps > 4.99 bps); 1 difference(s): data 0, timing 0, fill 1, fee 0.',
    );
  });
});
