import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../backtest/config';
import { runBacktest, resolveWindow } from '../backtest/engine';
import { flatRows, mkSeries, scripted, T0 } from '../backtest/fixtures.test-util';
import { toSeries } from '../candles/candle';
import { getStrategy } from '../strategies/registry';
import type { Params, Signal, Strategy } from '../strategies/types';
import { describeWithData, readFreqtrade } from '../testing/data';
import { KernelOrderError, step } from './kernel';
import { kernelTestContext } from './kernel.test-util';
import { initialKernelState, parseKernelState, type KernelState } from './state';
import { candleAt, stepSeries } from './series';

const H = 3_600_000;
const config = parseBacktestConfig({});
const opts = { risk: config.risk, limitExpiryCandles: config.limitExpiryCandles, atrPeriod: config.atrPeriod, allowShort: false };
const ctx = kernelTestContext;
const buy = (extra: Partial<Signal> = {}): Signal => ({ action: 'BUY', reason: 'test buy', ...extra });
const hold: Signal = { action: 'HOLD', reason: '' };

describe('execution kernel: step', () => {
  it('is pure: the input state is unchanged and the output state survives JSON + zod', () => {
    const s0 = initialKernelState();
    const frozen = JSON.stringify(s0);
    const a = step(s0, { openTime: T0, open: 100, high: 101, low: 99, close: 100 }, buy({ stopLoss: 95, takeProfit: 110 }), ctx());
    expect(JSON.stringify(s0)).toBe(frozen);
    expect(a.state.pending).toMatchObject({ side: 'long', stopLoss: 95, takeProfit: 110, limitPrice: null });
    expect(a.events).toEqual([{ type: 'order', time: T0, side: 'long', reason: 'test buy', limitPrice: null }]);
    const stored = parseKernelState(JSON.parse(JSON.stringify(a.state)));
    expect(stored).toEqual(a.state);
    // Next candle: the market entry fills at its open, taker, and the event carries the fill price.
    const b = step(stored, { openTime: T0 + H, open: 102, high: 103, low: 101, close: 102 }, hold, ctx());
    expect(b.fills).toEqual([expect.objectContaining({ effect: 'open', side: 'buy', price: 102, liquidity: 'taker', signalTime: T0, time: T0 + H })]);
    expect(b.events[0]).toMatchObject({ type: 'entry', stopLoss: 95, takeProfit: 110 });
    expect(stored.position).toBeNull();
  });

  it('a stop gapped through at the open fills at the open (worse than the stop), as a taker exit event', () => {
    let st: KernelState = initialKernelState();
    st = step(st, { openTime: T0, open: 100, high: 100.5, low: 99.5, close: 100 }, buy({ stopLoss: 97 }), ctx()).state;
    st = step(st, { openTime: T0 + H, open: 100, high: 100.5, low: 99.5, close: 100 }, hold, ctx()).state;
    const r = step(st, { openTime: T0 + 2 * H, open: 96, high: 96.5, low: 94, close: 95 }, hold, ctx());
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ exitKind: 'stop', exitPrice: 96, exitLiquidity: 'taker', bars: 2, entryPrice: 100 });
    expect(r.events).toEqual([{ type: 'exit', fill: expect.objectContaining({ effect: 'close', side: 'sell', price: 96, exitKind: 'stop' }), trade: r.trades[0] }]);
    expect(r.state.position).toBeNull();
  });

  it('refuses a candle that is not after the last one stepped (redelivery cannot fill twice)', () => {
    const a = step(initialKernelState(), { openTime: T0, open: 100, high: 101, low: 99, close: 100 }, buy(), ctx());
    expect(() => step(a.state, { openTime: T0, open: 100, high: 101, low: 99, close: 100 }, buy(), ctx())).toThrow(KernelOrderError);
  });

  it('rejects a corrupted stored state with the field named', () => {
    const bad = { ...initialKernelState(), carry: { busyUntil: 0, cooldownUntil: 0, pausedUntil: 0, consecutiveLosses: -1 } };
    expect(() => parseKernelState(bad)).toThrow(/consecutiveLosses/);
  });

  it('stepSeries over hand-built candles gives the backtest trades (limit entry, stop, take-profit, signal exit)', () => {
    const rows = flatRows(30);
    rows[3] = [100, 100.2, 98.5, 99]; // limit 99 touched: maker fill inside the candle
    rows[8] = [101, 106, 100.5, 105]; // take-profit 105 reached
    rows[14] = [100, 100.4, 94, 95]; // stop 96 reached
    const s = mkSeries(rows);
    const strat = scripted(s, { 2: buy({ limitPrice: 99, takeProfit: 105 }), 11: buy({ stopLoss: 96 }), 20: buy(), 24: { action: 'SELL', reason: 'test sell' } });
    const bt = runBacktest(s, strat, {}, { from: T0 });
    const prepared = strat.prepare(s, {});
    const run = stepSeries(initialKernelState(), s, { from: 0, to: s.length }, (i) => (i === s.length - 1 ? null : strat.evaluate(prepared, i, {})), { ...opts, endOfData: true });
    expect(run.trades).toEqual(bt.trades.map(({ roundTripBps: _r, net: _n, ...raw }) => raw));
    expect(run.trades.map((t) => t.exitKind)).toEqual(['take-profit', 'stop', 'signal']);
    expect(run.fills.map((f) => `${f.effect}@${f.price}`)).toEqual(['open@99', 'close@105', 'open@100', 'close@96', 'open@100', 'close@100']);
    expect(candleAt(s, 3)).toEqual({ openTime: T0 + 3 * H, open: 100, high: 100.2, low: 98.5, close: 99, volume: 1 });
  });
});

describeWithData('execution kernel on the real 2022 BTC/USDT 5m candles', () => {
  const rows = readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json');
  const series = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '5m',
    'BTC/USDT',
  );

  it('stepped in cron-sized cycles with the state stored as JSON in between = one backtest, trade for trade', () => {
    const strategy = getStrategy('nexus-grid-ema200') as Strategy<Params>;
    const params = strategy.defaults as Params;
    const cfg = parseBacktestConfig({ risk: { cooldownCandles: 2, circuitBreaker: { losses: 3, pauseCandles: 12 } } });
    const bt = runBacktest(series, strategy, params, cfg);
    const { from } = resolveWindow(series, strategy, params, cfg);
    const prepared = strategy.prepare(series, params);
    const n = series.length;
    let state: unknown = initialKernelState();
    const trades = [];
    let i = series.openTime.indexOf(from);
    let cycle = 0;
    while (i < n) {
      const to = Math.min(n, i + 1 + ((cycle++ * 7919) % 37)); // 1..37 candles per cycle, deterministic
      const r = stepSeries(parseKernelState(state), series, { from: i, to }, (k) => (k === n - 1 ? null : strategy.evaluate(prepared, k, params)), {
        risk: cfg.risk,
        limitExpiryCandles: cfg.limitExpiryCandles,
        atrPeriod: cfg.atrPeriod,
        allowShort: strategy.allowShort,
        endOfData: to === n,
      });
      trades.push(...r.trades);
      state = JSON.parse(JSON.stringify(r.state));
      i = to;
    }
    expect(bt.trades.length).toBeGreaterThan(100);
    expect(bt.trades.some((t) => t.exitKind === 'stop' || t.exitKind === 'take-profit')).toBe(true);
    // The grid holds several lots at once; the kernel records them as they close, the backtest in entry order.
    expect(bt.trades.some((t, k) => k > 0 && t.entryTime < bt.trades[k - 1]!.exitTime)).toBe(true);
    expect(trades.sort((x, y) => x.entryTime - y.entryTime)).toEqual(bt.trades.map(({ roundTripBps: _r, net: _n, ...raw }) => raw));
  });
});
