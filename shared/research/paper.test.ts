import { describe, expect, it } from 'vitest';
import { maCross, mkSeries, randomWalk, scripted, T0 } from '../backtest/fixtures.test-util';
import { runBacktest } from '../backtest/engine';
import { netReturn } from '../costs';
import { applySignal, compareSignals, createPaperAccount, markToMarket, replaySignals, runPaper, type PaperSignal } from './paper';

const H = 3_600_000;

describe('paper account', () => {
  const series = mkSeries(
    [
      [100, 101, 99, 100],
      [100, 101, 99, 100],
      [100, 103, 99, 102], // 2: BUY on close
      [104, 106, 103, 105], // 3: fill at open 104
      [105, 108, 104, 107],
      [107, 110, 106, 109], // 5: EXIT on close
      [110, 111, 108, 109], // 6: fill at open 110
      [109, 110, 108, 109],
    ],
    '1h',
  );
  const t = (i: number): number => series.openTime[i]!;

  it('fills at the next open with the venue preset cost', () => {
    let acc = createPaperAccount({ costModel: 'kraken-taker', initialEquity: 1000 });
    acc = applySignal(acc, { time: t(2), action: 'BUY', reason: 'go' }, series.open[3]!, t(3));
    expect(acc.position).toMatchObject({ side: 'long', entryPrice: 104, entryTime: t(3), signalTime: t(2), entryCostBps: 40, notional: 1000 });
    // Unrealised at 107: 1000 × (107/104 − 1) − the 40 bps entry cost.
    expect(markToMarket(acc, 107).unrealisedPnl).toBeCloseTo(1000 * (107 / 104 - 1) - 4, 10);
    acc = applySignal(acc, { time: t(3), action: 'BUY', reason: 'again' }, series.open[4]!, t(4)); // ignored while long
    acc = applySignal(acc, { time: t(5), action: 'EXIT', reason: 'done' }, series.open[6]!, t(6));
    expect(acc.position).toBeNull();
    expect(acc.trades).toHaveLength(1);
    const tr = acc.trades[0]!;
    expect(tr).toMatchObject({ entryPrice: 104, exitPrice: 110, exitTime: t(6), roundTripBps: 80, entryReason: 'go', exitReason: 'done' });
    expect(tr.grossReturn).toBeCloseTo(110 / 104 - 1, 15);
    expect(tr.netReturn).toBe(netReturn(110 / 104 - 1, 40, 40, 110 / 104));
    expect(acc.realisedPnl).toBeCloseTo(1000 * tr.netReturn, 10);
    expect(markToMarket(acc, 1).equity).toBeCloseTo(1000 + acc.realisedPnl, 10);
  });

  it('is a pure transition, refuses same-candle fills and ignores stale signals', () => {
    const acc = createPaperAccount({ costModel: 'binance-maker' });
    const next = applySignal(acc, { time: t(2), action: 'BUY' }, 104, t(3));
    expect(acc.position).toBeNull();
    expect(next.position!.entryCostBps).toBe(10);
    expect(applySignal(next, { time: t(2), action: 'EXIT' }, 105, t(4))).toBe(next);
    expect(() => applySignal(acc, { time: t(2), action: 'BUY' }, 104, t(2))).toThrow(/after the signal/);
  });

  it('shorts only when allowed', () => {
    const longOnly = applySignal(createPaperAccount({ costModel: 'binance-taker' }), { time: t(2), action: 'SELL' }, 104, t(3));
    expect(longOnly.position).toBeNull();
    let acc = applySignal(createPaperAccount({ costModel: 'binance-taker', allowShort: true }), { time: t(2), action: 'SELL' }, 104, t(3));
    expect(acc.position!.side).toBe('short');
    acc = applySignal(acc, { time: t(5), action: 'BUY' }, 100, t(6));
    expect(acc.trades[0]!.grossReturn).toBeCloseTo(-(100 / 104 - 1), 15);
    expect(acc.position).toBeNull(); // BUY closes the short; no reversal on the same signal
  });

  it('trades exactly like the backtester on the same signals (no stops)', () => {
    const s = randomWalk(600, 21, '1h');
    const signals: Record<number, PaperSignal['action']> = {};
    for (let i = 20; i < 580; i += 37) {
      signals[i] = 'BUY';
      signals[i + 11 + (i % 7)] = i % 2 ? 'SELL' : 'EXIT';
    }
    const strat = scripted(s, Object.fromEntries(Object.entries(signals).map(([k, a]) => [k, { action: a, reason: a }])));
    const bt = runBacktest(s, strat, {}, { costs: ['binance-taker', 'coinbase-taker'] });
    const stream: PaperSignal[] = Object.entries(signals).map(([k, a]) => ({ time: s.openTime[Number(k)]!, action: a }));
    for (const cost of ['binance-taker', 'coinbase-taker'] as const) {
      const { account, unfilled } = runPaper(createPaperAccount({ costModel: cost }), s, stream);
      expect(unfilled).toEqual([]);
      expect(account.trades).toHaveLength(bt.trades.length);
      account.trades.forEach((p, k) => {
        const b = bt.trades[k]!;
        expect(p.entryTime).toBe(b.entryTime);
        expect(p.exitTime).toBe(b.exitTime);
        expect(p.entryPrice).toBe(b.entryPrice);
        expect(p.exitPrice).toBe(b.exitPrice);
        expect(p.netReturn).toBeCloseTo(b.net[cost]!, 14);
        expect(p.roundTripBps).toBe(b.roundTripBps[cost]);
      });
      // Compounded equity equals the backtest's percent-equity total return.
      expect(markToMarket(account, 1).equity / 10_000 - 1).toBeCloseTo(bt.net[cost]!.totalReturn, 10);
    }
  });
});

describe('paper vs replay', () => {
  it('replay of the same candles matches; differences are classified', () => {
    const s = randomWalk(500, 8, '1h');
    const strat = maCross({ fast: 5, slow: 20 });
    const replay = replaySignals(s, strat, {});
    expect(replay.length).toBeGreaterThan(5);
    expect(replay.every((x) => x.action !== 'HOLD')).toBe(true);
    const same = compareSignals(replay, replaySignals(s, strat, {}));
    expect(same.ok).toBe(true);
    expect(same.matched).toHaveLength(replay.length);
    expect(same.summary).toBe(`paper matches replay: ${replay.length} signals`);

    const paper = replay.slice(1).map((x, k) => (k === 2 ? { ...x, action: x.action === 'BUY' ? ('SELL' as const) : ('BUY' as const) } : x));
    paper.push({ time: T0 + 7 * H + 0.5, action: 'BUY' }, { time: T0 + 9 * H, action: 'HOLD' });
    const d = compareSignals(paper, replay);
    expect(d.ok).toBe(false);
    expect(d.missing).toEqual([replay[0]]);
    expect(d.extra.map((x) => x.time)).toEqual([T0 + 7 * H + 0.5]);
    expect(d.mismatched).toHaveLength(1);
    expect(d.mismatched[0]!.time).toBe(replay[3]!.time);
    expect(d.matched).toHaveLength(replay.length - 2);
    expect(d.summary).toBe(`paper vs replay: ${replay.length - 2} matched, 1 missing, 1 extra, 1 mismatched`);
    // A window restricts both sides.
    const w = compareSignals(paper, replay, { from: replay[4]!.time });
    expect(w.ok).toBe(true);
  });
});
