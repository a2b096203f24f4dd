/**
 * Live evaluation of one strategy on the newest closed candle — the same `prepare` + `evaluate` the backtester
 * calls, on a window of closed candles. Refuses to judge a stale window (its last candle is not the newest closed
 * candle at `now`) or a short one (fewer candles than the strategy's declared startup), saying why.
 */
import { toSeries, type Candle } from '../candles/candle';
import { lastClosedOpenTime, TIMEFRAME_MS } from '../candles/timeframe';
import type { Params, Signal, Strategy } from './types';

export type LiveEvaluation =
  | { status: 'evaluated'; candle: Candle; signal: Signal }
  | { status: 'stale'; reason: string }
  | { status: 'warming-up'; reason: string };

/** Candles to load before the newest closed one: the declared startup plus the candle itself. */
export function liveWindowSize(strategy: Strategy<Params>, params: Params): number {
  return strategy.startupCandles(params) + 1;
}

export function evaluateLatest(
  strategy: Strategy<Params>,
  params: Params,
  candles: readonly Candle[],
  now: number,
  symbol = '',
): LiveEvaluation {
  const tf = strategy.timeframes[0];
  const expected = lastClosedOpenTime(tf, now);
  const last = candles.at(-1);
  if (!last || last.openTime !== expected) {
    return {
      status: 'stale',
      reason: `newest stored ${tf} candle is ${last ? new Date(last.openTime).toISOString() : 'missing'}, expected ${new Date(expected).toISOString()}`,
    };
  }
  const need = liveWindowSize(strategy, params);
  if (candles.length < need) return { status: 'warming-up', reason: `${candles.length}/${need} candles of history` };
  // The window must be contiguous: a gap inside it would silently shift every indicator.
  const window = candles.slice(-need);
  for (let i = 1; i < window.length; i++) {
    if (window[i]!.openTime - window[i - 1]!.openTime !== TIMEFRAME_MS[tf]) {
      return { status: 'warming-up', reason: `gap in history at ${new Date(window[i - 1]!.openTime + TIMEFRAME_MS[tf]).toISOString()}` };
    }
  }
  const series = toSeries(window, tf, symbol);
  const prepared = strategy.prepare(series, params);
  return { status: 'evaluated', candle: last, signal: strategy.evaluate(prepared, series.length - 1, params) };
}
