/**
 * The fault soak's reference: which kernel alerts a fault-free cron would have produced. For each live series it
 * replays the schedule (every cycle fired once, every candle there on time) over the candles the soak stored,
 * stepping the execution kernel exactly as the cron's signal stage does (the same `candlesToStep` plan, the same
 * warm-up window before the first new candle, the same `stepSeries` and kernel options), and returns the alert
 * dedupe keys of its entry and exit fills. Pure: no database, no clock.
 */
import type { Candle } from '../../shared/candles/candle';
import { toSeries } from '../../shared/candles/candle';
import { TIMEFRAME_MS, lastClosedOpenTime, type Timeframe } from '../../shared/candles/timeframe';
import { parseBacktestConfig } from '../../shared/backtest/config';
import { warmupCandles } from '../../shared/backtest/engine';
import { initialKernelState } from '../../shared/execution';
import { stepSeries } from '../../shared/execution/series';
import { paperKernelOptions } from '../../shared/research/paper';
import { liveWindowSize } from '../../shared/strategies/live';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, Strategy } from '../../shared/strategies/types';
import { candlesToStep } from '../cron/paper';
import { kernelAlertKey } from '../cron/signals';

export interface SoakSeries {
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: Timeframe;
  /** The strategy row's stored params (merged over the defaults, as the cron does). */
  params: Record<string, unknown>;
  /** Every stored candle of the series, ascending. */
  candles: readonly Candle[];
}

export function expectedKernelAlertKeys(all: readonly SoakSeries[], cycleTimes: readonly number[]): string[] {
  const keys: string[] = [];
  for (const s of all) {
    const strategy = getStrategy(s.strategyId) as Strategy<Params> | undefined;
    if (!strategy) throw new Error(`unknown strategy ${s.strategyId}`);
    const params = strategy.paramsSchema.parse({ ...strategy.defaults, ...s.params }) as Params;
    const warm = Math.max(warmupCandles(strategy, params, parseBacktestConfig({})), liveWindowSize(strategy, params));
    const step = TIMEFRAME_MS[s.timeframe];
    const k = { strategyId: s.strategyId, venue: s.venue, symbol: s.symbol, timeframe: s.timeframe };
    const need = liveWindowSize(strategy, params);
    let state = initialKernelState();
    for (const now of cycleTimes) {
      const lastClosed = lastClosedOpenTime(s.timeframe, now);
      // The cron steps a series only once it has a full live window of history ('warming-up' until then).
      if (state.lastTime === null && s.candles.filter((c) => c.openTime <= lastClosed).length < need) continue;
      const from = state.lastTime === null ? lastClosed : state.lastTime + 1;
      const stored = s.candles.filter((c) => c.openTime >= from && c.openTime < lastClosed + step);
      const plan = candlesToStep(stored, state.lastTime, lastClosed, step);
      if (plan.candles.length === 0) continue;
      const first = plan.candles[0]!.openTime;
      const before = s.candles.filter((c) => c.openTime < first);
      const window = [...before.slice(Math.max(0, before.length - warm)), ...plan.candles];
      const series = toSeries(window, s.timeframe, s.symbol);
      const prepared = strategy.prepare(series, params);
      const r = stepSeries(state, series, { from: window.length - plan.candles.length, to: window.length }, (i) => strategy.evaluate(prepared, i, params), paperKernelOptions(strategy, params));
      for (const ev of r.events) if (ev.type === 'entry' || ev.type === 'exit') keys.push(kernelAlertKey(k, ev.fill.time, ev.fill.effect));
      state = r.state;
    }
  }
  return keys;
}
