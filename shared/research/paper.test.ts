import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../backtest/config';
import { maCross, mkSeries, randomWalk, scripted, T0 } from '../backtest/fixtures.test-util';
import { resolveWindow, runBacktest } from '../backtest/engine';
import { toSeries } from '../candles/candle';
import { netReturn, openPositionPnl } from '../costs';
import { KernelOrderError } from '../execution';
import { STRATEGIES } from '../strategies/registry';
import type { Params, Signal, Strategy } from '../strategies/types';
import { describeWithData, readFreqtrade } from '../testing/data';
import {
  compareLedgers,
  compareSignals,
  createPaperAccount,
  markToMarket,
  paperKernelOptions,
  parsePaperAccount,
  replayPaper,
  replaySignals,
  stepPaper,
  type PaperAccount,
  type PaperFill,
  type PaperTrade,
} from './paper';

const H = 3_600_000;

/** The backtest's trade without its per-preset maps, for comparing with a paper trade's RawTrade part. */
function rawOf<T extends { roundTripBps: unknown; net: unknown }>(t: T): Omit<T, 'roundTripBps' | 'net'> {
  const { roundTripBps: _r, net: _n, ...raw } = t;
  return raw;
}
function rawOfPaper(t: PaperTrade) {
  const { entryCostBps: _a, exitCostBps: _b, roundTripBps: _c, netReturn: _d, capital: _e, pnl: _f, ...raw } = t;
  return raw;
}

/**
 * Step a strategy through a paper account in cron-sized cycles (1..maxCycle candles, deterministic), storing the
 * account as JSON and parsing it back between cycles, as the cron stage does.
 */
function paperInCycles<P extends Params, S>(series: ReturnType<typeof toSeries>, strategy: Strategy<P, S>, params: P, account: PaperAccount, from: number, maxCycle: number) {
  const prepared = strategy.prepare(series, params);
  const n = series.length;
  const opts = paperKernelOptions(strategy, params);
  let stored: unknown = JSON.parse(JSON.stringify(account));
  const fills: PaperFill[] = [];
  const trades: PaperTrade[] = [];
  let i = from;
  let cycle = 0;
  while (i < n) {
    const to = Math.min(n, i + 1 + ((cycle++ * 7919) % maxCycle));
    const r = stepPaper(parsePaperAccount(stored), series, { from: i, to }, (k) => (k === n - 1 ? null : strategy.evaluate(prepared, k, params)), opts);
    fills.push(...r.fills);
    trades.push(...r.trades);
    stored = JSON.parse(JSON.stringify(r.account));
    i = to;
  }
  return { account: parsePaperAccount(stored), fills, trades };
}

describe('paper account on the execution kernel', () => {
  const series = mkSeries(
    [
      [100, 101, 99, 100],
      [100, 101, 99, 100],
      [100, 103, 99, 102], // 2: BUY on close (stop 98)
      [104, 106, 103, 105], // 3: fill at open 104
      [105, 108, 104, 107],
      [107, 110, 106, 109], // 5: EXIT on close
      [110, 111, 108, 109], // 6: fill at open 110
      [109, 110, 108, 109], // 7: BUY on close (stop 105)
      [108, 109, 104, 104.5], // 8: fill at open 108, stop 105 hit inside the candle
      [104, 105, 103, 104],
    ],
    '1h',
  );
  const t = (i: number): number => series.openTime[i]!;
  const buy = (extra: Partial<Signal> = {}): Signal => ({ action: 'BUY', reason: 'go', ...extra });
  const strat = scripted(series, { 2: buy({ stopLoss: 98 }), 5: { action: 'EXIT', reason: 'done' }, 7: buy({ stopLoss: 105 }) });
  const prepared = strat.prepare(series, {});
  const signalAt = (i: number): Signal | null => (i === series.length - 1 ? null : strat.evaluate(prepared, i, {}));
  const opts = paperKernelOptions(strat, {});

  it('fills at the next open with the venue preset cost; marks with the cash-account convention', () => {
    const acc0 = createPaperAccount({ costModel: 'kraken-taker', initialEquity: 1000 });
    const a = stepPaper(acc0, series, { from: 0, to: 5 }, signalAt, opts);
    expect(a.fills).toEqual([expect.objectContaining({ effect: 'open', side: 'buy', price: 104, time: t(3), signalTime: t(2), costBps: 40, capital: 1000, liquidity: 'taker' })]);
    expect(a.account.kernel.position).toMatchObject({ side: 'long', entryPrice: 104, stopLoss: 98 });
    // Unrealised at 107: N = 1000 / 1.004 bought at 104, its 40 bps fee paid: −N·0.004 + N·(107/104 − 1).
    const N = 1000 / 1.004;
    expect(markToMarket(a.account, 107).unrealisedPnl).toBeCloseTo(-N * 0.004 + N * (107 / 104 - 1), 10);
    expect(markToMarket(a.account, 107).unrealisedPnl).toBe(openPositionPnl(1000, 0.004, 1, 107 / 104));
    const b = stepPaper(a.account, series, { from: 5, to: 7 }, signalAt, opts);
    expect(b.trades).toHaveLength(1);
    const tr = b.trades[0]!;
    expect(tr).toMatchObject({ entryPrice: 104, exitPrice: 110, exitTime: t(6), roundTripBps: 80, entryReason: 'go', exitReason: 'done', exitKind: 'signal' });
    expect(tr.netReturn).toBe(netReturn(110 / 104 - 1, 40, 40, 110 / 104));
    expect(tr.netReturn).toBeCloseTo((110 / 104) * (1 - 0.004) / 1.004 - 1, 15);
    expect(b.account.equity).toBe(1000 + 1000 * tr.netReturn);
    expect(markToMarket(b.account, 1).equity).toBe(b.account.equity);
    // The input account is never mutated; a redelivered candle is refused.
    expect(acc0.kernel.position).toBeNull();
    expect(() => stepPaper(b.account, series, { from: 6, to: 7 }, signalAt, opts)).toThrow(KernelOrderError);
  });

  it('a stop inside a candle fills in paper exactly where the backtest stops out', () => {
    const bt = runBacktest(series, strat, {}, { from: T0, costs: ['binance-taker'] });
    const stop = bt.trades.find((x) => x.exitKind === 'stop')!;
    expect(stop).toMatchObject({ entryPrice: 108, exitPrice: 105, exitTime: t(8), exitLiquidity: 'taker' });
    const p = stepPaper(createPaperAccount({ costModel: 'binance-taker' }), series, { from: 0, to: series.length }, signalAt, opts);
    const paperStop = p.fills.find((f) => f.exitKind === 'stop')!;
    expect(paperStop).toMatchObject({ effect: 'close', side: 'sell', price: stop.exitPrice, time: stop.exitTime, liquidity: 'taker', signalTime: t(8) });
    expect(paperStop.netReturn).toBe(bt.trades.at(-1)!.net['binance-taker']);
    expect(p.trades.map(rawOfPaper)).toEqual(bt.trades.map(rawOf));
  });

  it('survives JSON storage; a corrupted stored account is refused with the field named', () => {
    const a = stepPaper(createPaperAccount({ costModel: 'binance-taker' }), series, { from: 0, to: 4 }, signalAt, opts).account;
    expect(parsePaperAccount(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(() => parsePaperAccount({ ...a, fraction: 2 })).toThrow(/fraction/);
    expect(() => createPaperAccount({ costModel: 'binance-taker', fraction: 0 })).toThrow(/fraction/);
  });

  it('shorts only when the strategy allows them', () => {
    const sig = { 2: { action: 'SELL', reason: 'down' } as Signal, 5: buy() };
    const longOnly = scripted(series, sig);
    const shorty = scripted(series, sig, { allowShort: true });
    const run = (s: typeof longOnly) => {
      const pr = s.prepare(series, {});
      return stepPaper(createPaperAccount({ costModel: 'binance-taker' }), series, { from: 0, to: 7 }, (i) => s.evaluate(pr, i, {}), paperKernelOptions(s, {}));
    };
    // Long-only: the SELL opens nothing; the later BUY opens a long.
    expect(run(longOnly).fills.map((f) => `${f.effect} ${f.positionSide} @${f.price}`)).toEqual(['open long @110']);
    const r = run(shorty);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]!.side).toBe('short');
    expect(r.trades[0]!.grossReturn).toBeCloseTo(-(110 / 104 - 1), 15);
    expect(r.account.kernel.position).toBeNull(); // BUY closes the short; no reversal on the same signal
  });

  it('equals the backtest of the same candles on a random walk with stops and trailing stops, any cycle size', () => {
    const s = randomWalk(1500, 21, '1h');
    const strategy = maCross({ fast: 5, slow: 20, stopPct: 0.01, trailPct: 0.015 });
    for (const cost of ['binance-taker', 'coinbase-taker', 'binance-maker'] as const) {
      const bt = runBacktest(s, strategy, {}, { costs: [cost] });
      const { from } = resolveWindow(s, strategy, {}, parseBacktestConfig({}));
      const p = paperInCycles(s, strategy, {}, createPaperAccount({ costModel: cost }), s.openTime.indexOf(from), 13);
      const closed = bt.trades.filter((x) => x.exitKind !== 'end-of-data');
      expect(closed.some((x) => x.exitKind === 'stop' || x.exitKind === 'trailing')).toBe(true);
      expect(p.trades.map(rawOfPaper)).toEqual(closed.map(rawOf));
      p.trades.forEach((x, k) => expect(x.netReturn).toBe(closed[k]!.net[cost]));
      if (closed.length === bt.trades.length) expect(p.account.equity / 10_000 - 1).toBe(bt.net[cost]!.totalReturn);
    }
  });

  it('compareLedgers: identical ledgers match; a moved fill price is reported', () => {
    const a = replayPaper(series, strat, {}, createPaperAccount({ costModel: 'binance-taker' }), { from: 0, to: series.length });
    expect(compareLedgers(a.fills, a.fills)).toMatchObject({ ok: true, matched: a.fills.length });
    const moved = a.fills.map((f, k) => (k === 1 ? { ...f, price: f.price + 0.5 } : f));
    const d = compareLedgers(moved, a.fills);
    expect(d.ok).toBe(false);
    expect(d.differences).toHaveLength(1);
    expect(d.differences[0]!.time).toBe(a.fills[1]!.time);
  });
});

describeWithData('paper = backtest on the real 2022 BTC/USDT 5m replay', () => {
  const rows = readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json');
  const series = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '5m',
    'BTC/USDT',
  );
  const live = STRATEGIES.filter((s): s is Strategy<Params> => s.kind === 'single' && s.timeframes[0] === '5m');

  it('every 5m strategy: the paper ledger stepped in cron cycles equals the backtest, trade for trade and byte for byte', () => {
    expect(live.length).toBeGreaterThanOrEqual(4);
    const lines: string[] = [];
    for (const strategy of live) {
      const params = strategy.defaults as Params;
      const bt = runBacktest(series, strategy, params, { costs: ['binance-taker'] });
      const { from } = resolveWindow(series, strategy, params, parseBacktestConfig({}));
      const p = paperInCycles(series, strategy, params, createPaperAccount({ costModel: 'binance-taker' }), series.openTime.indexOf(from), 24);
      const closed = bt.trades.filter((x) => x.exitKind !== 'end-of-data');
      // Paper trades come in close order, the backtest's in entry order (the same order for one position at a time).
      const paperTrades = [...p.trades].sort((x, y) => x.entryTime - y.entryTime);
      expect(paperTrades.map(rawOfPaper), strategy.id).toEqual(closed.map(rawOf));
      expect(JSON.stringify(paperTrades.map((x) => x.netReturn))).toBe(JSON.stringify(closed.map((x) => x.net['binance-taker'])));
      expect(p.account.kernel.position !== null || p.account.kernel.lots.length > 0).toBe(closed.length < bt.trades.length);
      if (closed.length === bt.trades.length) expect(p.account.equity / 10_000 - 1).toBe(bt.net['binance-taker']!.totalReturn);
      const kinds = new Map<string, number>();
      for (const x of p.trades) kinds.set(x.exitKind, (kinds.get(x.exitKind) ?? 0) + 1);
      lines.push(`${strategy.id} ${p.trades.length} trades (${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')})`);
      // The whole-series replay gives the same fills as the cycles.
      const whole = replayPaper(series, strategy, params, createPaperAccount({ costModel: 'binance-taker' }), { from: series.openTime.indexOf(from), to: series.length });
      expect(compareLedgers(p.fills, whole.fills).ok).toBe(true);
    }
    console.log(`[paper = backtest] 2022 5m BTC/USDT: ${lines.join('; ')}`);
  });

  it('a stop in paper matches the backtest stop fill (nexus-grid-ema200)', () => {
    const strategy = STRATEGIES.find((s) => s.id === 'nexus-grid-ema200') as Strategy<Params>;
    const params = strategy.defaults as Params;
    const bt = runBacktest(series, strategy, params, { costs: ['binance-taker'] });
    const { from } = resolveWindow(series, strategy, params, parseBacktestConfig({}));
    const p = paperInCycles(series, strategy, params, createPaperAccount({ costModel: 'binance-taker' }), series.openTime.indexOf(from), 24);
    const btStop = bt.trades.find((x) => x.exitKind === 'stop');
    expect(btStop).toBeDefined();
    const paperStop = p.fills.find((f) => f.effect === 'close' && f.time === btStop!.exitTime)!;
    expect(paperStop).toMatchObject({ exitKind: 'stop', price: btStop!.exitPrice, liquidity: btStop!.exitLiquidity });
  });
});

describe('paper account with a multi-lot strategy (a grid)', () => {
  it('prices each lot on its own: one fill per lot, capital from the realised equity at its fill, stored mid-way', () => {
    const s = mkSeries([
      [100, 100.5, 99.5, 100],
      [100, 100.5, 97.5, 98.5], // L1 (98) fills
      [98, 98.2, 95.5, 96], // L2 (96) fills while L1 is open
      [96.5, 98.5, 96.2, 98.2], // L2 takes its 98 target
      [98, 99, 97.8, 99], // EXIT decided on this close
      [99.5, 100, 99, 99.5], // L1 closes at this open
    ]);
    const lots = [
      { key: 'L1', limitPrice: 98, takeProfit: 100, stopLoss: 94, reason: 'L1 @ 98' },
      { key: 'L2', limitPrice: 96, takeProfit: 98, stopLoss: 94, reason: 'L2 @ 96' },
    ];
    const strat = scripted(s, { 0: { action: 'BUY', reason: 'grid', lots }, 4: { action: 'EXIT', reason: 'back at the mean' } });
    const pr = strat.prepare(s, {});
    const opts = paperKernelOptions(strat, {});
    const a0 = createPaperAccount({ costModel: 'binance-taker' });
    const first = stepPaper(a0, s, { from: 0, to: 3 }, (i) => strat.evaluate(pr, i, {}), opts);
    expect(Object.keys(first.account.openLots)).toEqual(['L1', 'L2']);
    expect(first.account.openLots.L1!.capital).toBe(10_000);
    expect(markToMarket(first.account, 97).unrealisedPnl).toBeLessThan(0);
    const stored = parsePaperAccount(JSON.parse(JSON.stringify(first.account)));
    const second = stepPaper(stored, s, { from: 3, to: 6 }, (i) => (i === 5 ? null : strat.evaluate(pr, i, {})), opts);
    const fills = [...first.fills, ...second.fills];
    expect(fills.map((f) => `${f.effect} ${f.lot} @${f.price}`)).toEqual(['open L1 @98', 'open L2 @96', 'close L2 @98', 'close L1 @99.5']);
    expect(second.account.openLots).toEqual({});
    const [l2, l1] = second.trades;
    expect(l2!.pnl).toBe(l2!.capital * l2!.netReturn);
    expect(second.account.equity).toBe(10_000 + l2!.pnl + l1!.pnl);
    // The backtest's curve books the overlapping lots the same way: the same equity to the last bit.
    const bt = runBacktest(s, strat, {}, { from: T0, costs: ['binance-taker'] });
    expect(bt.trades.map((t) => t.entryReason)).toEqual(['L1 @ 98', 'L2 @ 96']);
    expect(bt.net['binance-taker']!.totalReturn).toBe(second.account.equity / 10_000 - 1);
    // The ledger comparison tells the two lots' fills apart although they share candles with nothing else.
    expect(compareLedgers(fills, fills)).toMatchObject({ ok: true, matched: 4 });
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
