/**
 * The no-lookahead event loop for one CandleSeries and one Strategy (rules in ./README.md).
 *
 * Each candle i is processed in this order: (1) a pending signal exit fills at open[i]; (2) a pending entry fills
 * (market: at open[i], taker; limit: when the candle's range reaches the limit, maker); (3) stop-loss, trailing
 * stop and take-profit are checked inside the candle, pessimistically; (4) the strategy is evaluated on the CLOSED
 * candle i, and what it asks for is queued for candle i+1. So a signal on candle t never fills before t+1's open.
 * Those rules live in the execution kernel (shared/execution/kernel.ts), which the paper account and the live
 * alert stage call too; this module feeds it candles and signals and owns only windows, warm-up and carry.
 *
 * The loop runs at raw prices (gross). Costs are applied afterwards per cost model (./result.ts), so one run
 * yields gross and net figures for every preset. `runChunk` is the unit of work: it trades entry signals inside
 * [from, to), lets an open position run past `to` until it closes, and reports the state carried into the next
 * chunk; `runBacktest` is one chunk over the whole window (see ./chunking.ts for split + merge).
 */
import { sliceSeries, type CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import type { Params, Signal, Strategy } from '../strategies/types';
import { atrPctAt } from './atr';
import { parseBacktestConfig, withStrategyRisk, type BacktestConfig, type BacktestConfigInput } from './config';
import { buildResult } from './result';
import { lowerBound } from './version';
import type { BacktestResult, ChunkCarry, ChunkResult, RiskSkipCounts } from './types';
import { advance, closeAtEnd, decide, decideIsNoOp, emptySkipCounts, hasOpenPosition, kernelFlat, type KernelCandle, type KernelContext, type KernelSink } from '../execution/kernel';
import { sentinelFor } from '../execution/sentinel';
import { initialKernelState } from '../execution/state';

export { ENGINE_VERSION_ID, lowerBound } from './version';

export const INITIAL_CARRY: Readonly<ChunkCarry> = Object.freeze({
  busyUntil: 0,
  cooldownUntil: 0,
  pausedUntil: 0,
  consecutiveLosses: 0,
});

export function emptySkips(): RiskSkipCounts {
  return emptySkipCounts();
}

/** Candles of history a chunk needs before its first signal candle: the strategy's startup and the ATR window. */
export function warmupCandles<P extends Params>(strategy: Strategy<P>, params: P, config: BacktestConfig): number {
  return Math.max(strategy.startupCandles(params), config.atrPeriod + 1);
}

/** Default trading window: from the first candle after warm-up to the end of the series. */
export function resolveWindow<P extends Params>(
  series: CandleSeries,
  strategy: Strategy<P>,
  params: P,
  config: BacktestConfig,
): { from: number; to: number } {
  const n = series.length;
  if (n === 0) return { from: 0, to: 0 };
  const tf = timeframeMs(series.timeframe);
  const w = Math.min(n - 1, warmupCandles(strategy, params, config));
  const from = config.from ?? series.openTime[w]!;
  const to = config.to ?? series.openTime[n - 1]! + tf;
  return { from, to };
}

/**
 * Run entry signals on candles with open time in [window.from, window.to) starting from `carryIn`. `series`
 * should hold the warm-up before `from` and all data after `to` (an open position runs on until it exits; the end
 * of `series` is treated as the end of data). Views via `sliceSeries` are free. The strategy is prepared from the
 * chunk's warm-up start, or from `opts.prepareFrom` (an open time) when given: recursive indicators (EMA, Wilder
 * RSI/ATR) then see exactly the history they see in the whole run. Every fill, stop and risk rule is
 * the execution kernel's (shared/execution); this loop only feeds it candles and the strategy's signals.
 */
export function runChunk<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  config: BacktestConfig,
  window: { from: number; to: number },
  carryIn: ChunkCarry = INITIAL_CARRY,
  opts: { prepareFrom?: number; reference?: CandleSeries; reasons?: false } = {},
): ChunkResult {
  const N = series.length;
  const aAbs = lowerBound(series.openTime, window.from);
  const bAbs = lowerBound(series.openTime, window.to);
  const own = Math.max(0, aAbs - warmupCandles(strategy, params, config));
  // `prepareFrom` anchors the strategy's preparation at an earlier candle (never later than the chunk's own warm-up).
  const base = opts.prepareFrom !== undefined ? Math.min(own, lowerBound(series.openTime, opts.prepareFrom)) : own;
  const s = base === 0 ? series : sliceSeries(series, base, N);
  const n = s.length;
  const a = aAbs - base;
  const b = bAbs - base;
  const tf = timeframeMs(s.timeframe);
  const { openTime, open, high, low, close, volume } = s;
  const period = config.atrPeriod;

  // Causal prepare over [0, pEnd), extended (re-prepared) if a position runs on past the prepared range.
  const ext = Math.max(1024, (b - a) >> 2);
  let pEnd = Math.min(n, b + ext);
  let prepared = strategy.prepare(pEnd === n ? s : sliceSeries(s, 0, pEnd), params);
  const evalAt = (i: number): Signal => {
    if (i >= pEnd) {
      while (i >= pEnd) pEnd = Math.min(n, pEnd + Math.max(ext, pEnd - b));
      prepared = strategy.prepare(pEnd === n ? s : sliceSeries(s, 0, pEnd), params);
    }
    return strategy.evaluate(prepared, i, params);
  };

  const out: KernelSink = { trades: [], skipped: emptySkips() };
  const st = initialKernelState(carryIn);
  const sentinel = sentinelFor(series, config.risk.sentinel, opts.reference);
  // One candle view and one context, updated in place (no allocation per candle).
  let i = a;
  const candle: KernelCandle = { openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const ctx: KernelContext = {
    timeframeMs: tf,
    risk: config.risk,
    limitExpiryCandles: config.limitExpiryCandles,
    ...(config.limitTradeThrough !== undefined ? { limitTradeThrough: config.limitTradeThrough } : {}),
    allowShort: strategy.allowShort,
    entriesOpen: true,
    atrBefore: () => atrPctAt(s, i - 1, period),
    atrAt: () => atrPctAt(s, i, period),
    ...(sentinel !== undefined ? { sentinel } : {}),
  };
  let freeAt = -1;
  // `reasons: false` (sweep mode, shared/sweep/trade-summary.ts): the kernel gets each signal it acts on with an
  // empty reason, so no reason text is rendered; fills do not depend on it (trades then carry empty reasons).
  const quiet = opts.reasons === false;
  for (; i < n; i++) {
    candle.openTime = openTime[i]!;
    candle.open = open[i]!;
    candle.high = high[i]!;
    candle.low = low[i]!;
    candle.close = close[i]!;
    candle.volume = volume[i]!;
    advance(st, candle, ctx, out);
    if (i >= b && kernelFlat(st)) {
      freeAt = i;
      break;
    }
    if (i === n - 1) break; // nothing can fill after the last candle
    const sig = evalAt(i);
    if (decideIsNoOp(st, sig, ctx)) continue; // the kernel says this signal changes nothing (a HOLD, an EXIT while flat)
    ctx.entriesOpen = i < b;
    decide(st, candle, quiet ? { ...sig, reason: '' } : sig, ctx, out);
  }
  if (hasOpenPosition(st)) closeAtEnd(st, candle, ctx, out);
  const freeTime = freeAt >= 0 ? openTime[freeAt]! : n > 0 ? openTime[n - 1]! + tf : 0;
  // Trades in entry order (the kernel records them as they close: overlapping lots of a grid close out of order).
  const trades = out.trades;
  for (let k = 1; k < trades.length; k++) {
    if (trades[k]!.entryTime < trades[k - 1]!.entryTime) {
      trades.sort((x, y) => x.entryTime - y.entryTime);
      break;
    }
  }
  return {
    from: window.from,
    to: window.to,
    carryIn: { ...carryIn },
    carryOut: {
      busyUntil: Math.max(carryIn.busyUntil, freeTime),
      cooldownUntil: st.carry.cooldownUntil,
      pausedUntil: st.carry.pausedUntil,
      consecutiveLosses: st.carry.consecutiveLosses,
    },
    trades: out.trades,
    skipped: out.skipped,
  };
}

/** Open time of the first candle a whole run over `window` prepares the strategy from (its warm-up start). */
export function wholeRunPrepareFrom<P extends Params>(series: CandleSeries, strategy: Strategy<P>, params: P, config: BacktestConfig, window: { from: number }): number {
  const base = Math.max(0, lowerBound(series.openTime, window.from) - warmupCandles(strategy, params, config));
  return series.length > 0 ? series.openTime[Math.min(base, series.length - 1)]! : 0;
}

/**
 * A whole backtest over `config.from`..`config.to` (defaults: after warm-up .. end of series). `inputs.reference`
 * is the series the Sentinel overlay watches (`risk.sentinel`, BTC/USDT) when `series` is another symbol.
 */
export function runBacktest<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  configInput: BacktestConfigInput | BacktestConfig = {},
  inputs: { reference?: CandleSeries } = {},
): BacktestResult {
  const config = parseBacktestConfig(withStrategyRisk(strategy, params, configInput));
  const window = resolveWindow(series, strategy, params, config);
  const chunk = runChunk(series, strategy, params, config, window, INITIAL_CARRY, inputs.reference ? { reference: inputs.reference } : {});
  return buildResult(series, strategy, params, config, window, chunk.trades, chunk.skipped);
}
