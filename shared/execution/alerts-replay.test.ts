import { expect, it } from 'vitest';
import { parseBacktestConfig } from '../backtest/config';
import { resolveWindow, runBacktest } from '../backtest/engine';
import { toSeries } from '../candles/candle';
import { STRATEGIES } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData, readFreqtrade } from '../testing/data';
import { step, type KernelContext, type KernelEvent } from './kernel';
import { candleAt } from './series';
import { initialKernelState, parseKernelState, type KernelState } from './state';
import { atrPctAt } from '../backtest/atr';

/**
 * Issue 11 item 5: alerts are the kernel's events. Over the recorded 2022 BTC/USDT 5m replay, stepping every 5m
 * strategy candle by candle as the live stage does (the state stored as JSON after every candle), each round trip
 * gives exactly one entry and one exit event, and no entry event repeats while a position is open — where the old
 * stage alerted every BUY decision.
 */
describeWithData('position-aware alerts over the 2022 5m replay', () => {
  const rows = readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json');
  const series = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '5m',
    'BTC/USDT',
  );
  const cfg = parseBacktestConfig({});

  it('one entry + one exit event per round trip, 0 repeated entries while a position is open', () => {
    const lines: string[] = [];
    for (const strategy of STRATEGIES.filter((s): s is Strategy<Params> => s.kind === 'single' && s.timeframes[0] === '5m')) {
      const params = strategy.defaults as Params;
      const prepared = strategy.prepare(series, params);
      const { from } = resolveWindow(series, strategy, params, cfg);
      const n = series.length;
      let i = series.openTime.indexOf(from);
      const ctx: KernelContext = {
        timeframeMs: 300_000,
        risk: cfg.risk,
        limitExpiryCandles: cfg.limitExpiryCandles,
        allowShort: strategy.allowShort,
        entriesOpen: true,
        atrBefore: () => atrPctAt(series, i - 1, cfg.atrPeriod),
        atrAt: () => atrPctAt(series, i, cfg.atrPeriod),
      };
      let state: KernelState = initialKernelState();
      const events: KernelEvent[] = [];
      let buys = 0;
      let buysWhileBusy = 0;
      for (; i < n; i++) {
        const sig = i === n - 1 ? null : strategy.evaluate(prepared, i, params);
        const r = step(state, candleAt(series, i), sig, ctx);
        if (sig?.action === 'BUY') {
          buys++;
          // What the old stage would have alerted although the account already held (or had ordered) a position.
          if (state.position !== null || state.pending !== null || r.events.some((e) => e.type === 'entry')) buysWhileBusy++;
        }
        events.push(...r.events);
        state = parseKernelState(JSON.parse(JSON.stringify(r.state)));
      }
      const fills = events.filter((e): e is Extract<KernelEvent, { type: 'entry' | 'exit' }> => e.type === 'entry' || e.type === 'exit');
      // Strict alternation per position — per lot for a multi-lot grid, whose lots are open at once: entry, exit,
      // entry, exit, … (a position still open at the end leaves one entry unmatched).
      let repeats = 0;
      const lastOf = new Map<string, string>();
      for (const e of fills) {
        const key = e.fill.lot ?? '';
        if (lastOf.get(key) === e.type) repeats++;
        lastOf.set(key, e.type);
      }
      expect(repeats, strategy.id).toBe(0);
      const entries = fills.filter((e) => e.type === 'entry').length;
      const exits = fills.filter((e) => e.type === 'exit');
      const bt = runBacktest(series, strategy, params, { costs: ['binance-taker'] });
      const closed = bt.trades.filter((t) => t.exitKind !== 'end-of-data');
      // Exit events come in close order, the backtest's trades in entry order (the same for one lot at a time).
      const exitTrades = exits.map((e) => (e.type === 'exit' ? e.trade : null)).sort((x, y) => x!.entryTime - y!.entryTime);
      expect(exitTrades).toEqual(closed.map(({ roundTripBps: _r, net: _n, ...raw }) => raw));
      expect(entries - exits.length).toBe(bt.trades.length - closed.length); // 0, or 1 position still open
      const kinds = new Map<string, number>();
      for (const e of exits) kinds.set(e.fill.exitKind!, (kinds.get(e.fill.exitKind!) ?? 0) + 1);
      lines.push(
        `${strategy.id}: ${buys} BUY decisions (${buysWhileBusy} while a position or order was open), ${entries} entry + ${exits.length} exit alerts ` +
          `(${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')}), repeats 0${lastOf.size > 1 ? ` (${lastOf.size} lots)` : ''}`,
      );
    }
    console.log(`[alerts replay 2022 5m] ${lines.join('; ')}`);
  });
});
