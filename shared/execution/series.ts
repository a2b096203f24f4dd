/**
 * Driving the execution kernel over a CandleSeries, for callers that hold candles rather than an event loop of
 * their own (the paper account, the live alert stage, tests): the kernel context of a series (its timeframe, the
 * risk rules, the ATR/price the fill records and the ATR cap use) and `stepSeries`, which steps candles [from, to)
 * with the strategy's signal of each closed candle and collects fills, events and trades. Same rules, same order,
 * same numbers as the backtest loop (shared/backtest/engine.ts), which calls the kernel directly.
 */
import { atrPctAt } from '../backtest/atr';
import type { RiskConfig } from '../backtest/config';
import type { RawTrade, RiskSkipCounts } from '../backtest/types';
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import type { Signal } from '../strategies/types';
import { KernelOrderError, advance, hasOpenPosition, closeAtEnd, decide, emptySkipCounts, type Fill, type KernelCandle, type KernelContext, type KernelEvent } from './kernel';
import { sentinelFor } from './sentinel';
import { cloneKernelState, type KernelState } from './state';

export interface SeriesKernelOptions {
  risk: RiskConfig;
  limitExpiryCandles: number;
  atrPeriod: number;
  allowShort: boolean;
}

export interface SeriesStepResult {
  state: KernelState;
  fills: Fill[];
  events: KernelEvent[];
  trades: RawTrade[];
  skipped: RiskSkipCounts;
}

/** The kernel candle at index i of `series`. */
export function candleAt(series: CandleSeries, i: number): KernelCandle {
  return { openTime: series.openTime[i]!, open: series.open[i]!, high: series.high[i]!, low: series.low[i]!, close: series.close[i]!, volume: series.volume[i]! };
}

/**
 * Step candles with index in [from, to) of `series` through the kernel, starting from `state` (not mutated).
 * `signalAt(i)` is the decision on closed candle i (null: none, e.g. the data's last candle); `entriesOpenAt(i)`
 * (default: always) says whether that decision may open a position. With `endOfData`, a position still open after
 * the last stepped candle closes at its close (`end-of-data`), as a backtest does when its data ends. With
 * `risk.sentinel`, `reference` is the watched series (BTC/USDT) when `series` is another symbol.
 */
export function stepSeries(
  state: KernelState,
  series: CandleSeries,
  range: { from: number; to: number },
  signalAt: (i: number) => Signal | null,
  opts: SeriesKernelOptions & { entriesOpenAt?: (i: number) => boolean; endOfData?: boolean; reference?: CandleSeries },
): SeriesStepResult {
  const st = cloneKernelState(state);
  const out = { trades: [] as RawTrade[], skipped: emptySkipCounts(), fills: [] as Fill[], events: [] as KernelEvent[] };
  let i = range.from;
  const ctx: KernelContext = {
    timeframeMs: timeframeMs(series.timeframe),
    risk: opts.risk,
    limitExpiryCandles: opts.limitExpiryCandles,
    allowShort: opts.allowShort,
    entriesOpen: true,
    atrBefore: () => atrPctAt(series, i - 1, opts.atrPeriod),
    atrAt: () => atrPctAt(series, i, opts.atrPeriod),
  };
  const sentinel = sentinelFor(series, opts.risk.sentinel, opts.reference);
  if (sentinel !== undefined) ctx.sentinel = sentinel;
  let candle: KernelCandle | null = null;
  for (; i < range.to; i++) {
    candle = candleAt(series, i);
    if (st.lastTime !== null && !(candle.openTime > st.lastTime)) throw new KernelOrderError(st.lastTime, candle.openTime);
    st.lastTime = candle.openTime;
    advance(st, candle, ctx, out);
    const sig = signalAt(i);
    if (sig !== null) {
      ctx.entriesOpen = opts.entriesOpenAt ? opts.entriesOpenAt(i) : true;
      decide(st, candle, sig, ctx, out);
    }
  }
  if (opts.endOfData && candle !== null && hasOpenPosition(st)) {
    i = range.to - 1;
    closeAtEnd(st, candle, ctx, out);
  }
  return { state: st, ...out };
}
