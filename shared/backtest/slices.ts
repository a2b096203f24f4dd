/**
 * Sliding-slice mode (the 4h platform's evaluation): windows of `windowMs` (default 4 h) starting every `shiftMs`
 * (default 2 h) on the UTC grid of `shiftMs`. Each slice is an independent trade, no compounding: the decision is
 * the strategy's signal on the last candle CLOSED before the slice starts; BUY → long from the slice's first open
 * to its last close, SELL → short when the strategy allows shorts, anything else → no trade. Each slice's fill
 * and exit are the execution kernel's (shared/execution), stepped from a fresh state over the slice's candles. Stops and targets in
 * the signal are not used in this mode. Slices with missing candles are skipped and counted.
 *
 * Metrics: per-trade statistics over traded slices; the curve steps once per slice (0 when not traded), equity =
 * initial × (1 + cumulative sum of slice returns); Sharpe and Sortino use per-slice returns × sqrt(slices per
 * year). Overlapping slices (window > shift) are correlated, so treat those ratios as optimistic. Coverage = share
 * of evaluated slices with a trade.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import { breakEvenRoundTripBps } from '../costs';
import type { Params, Strategy } from '../strategies/types';
import { atrPctAt } from './atr';
import { advance, closeAtEnd, decide, emptySkipCounts, type KernelCandle, type KernelContext, type KernelSink } from '../execution/kernel';
import { initialKernelState } from '../execution/state';
import { costModelsOf, costRefSchema, riskSchema } from './config';
import { CurveAccumulator, stepsPerYear, tradeStats } from './metrics';
import { priceTrades, withHash } from './result';
import type { EquityCurve, Metrics, RawTrade, SeriesRef, StrategyRef, Trade } from './types';
import { ENGINE_VERSION_ID, lowerBound } from './version';
import { COST_PRESET_IDS, type CostModel } from '../costs';

/** Slices trade without risk rules: each slice is an independent trade decided by its signal alone. */
const NO_RISK = riskSchema.parse({});

export const slicesConfigSchema = z.object({
  windowMs: z.number().int().positive().default(4 * 3_600_000),
  shiftMs: z.number().int().positive().default(2 * 3_600_000),
  /** First slice start considered (ms); default: first grid start after the warm-up. */
  from: z.number().optional(),
  /** Slices must end at or before this instant (ms); default: close of the last candle. */
  to: z.number().optional(),
  initialEquity: z.number().positive().default(10_000),
  atrPeriod: z.number().int().min(1).default(14),
  costs: z.array(costRefSchema).default([...COST_PRESET_IDS]),
  equityPoints: z.number().int().min(2).default(200),
});
export type SlicesConfig = z.infer<typeof slicesConfigSchema>;
export type SlicesConfigInput = z.input<typeof slicesConfigSchema>;

export interface SlicesResult {
  mode: 'slices';
  engineVersion: string;
  strategy: StrategyRef;
  series: SeriesRef;
  config: SlicesConfig;
  costModels: CostModel[];
  /** Slices evaluated (with complete data), skipped for missing candles. */
  slices: number;
  slicesMissingData: number;
  coverage: number;
  trades: Trade[];
  gross: Metrics;
  net: Record<string, Metrics>;
  breakEvenRoundTripBps: number | null;
  equity: { gross: EquityCurve; net: Record<string, EquityCurve> };
  resultHash: string;
}

export function runSlices<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  configInput: SlicesConfigInput = {},
): SlicesResult {
  const config = slicesConfigSchema.parse(configInput);
  const tf = timeframeMs(series.timeframe);
  const { windowMs, shiftMs } = config;
  if (windowMs % tf !== 0 || shiftMs % tf !== 0) throw new Error(`slices: window ${windowMs} and shift ${shiftMs} must be multiples of the ${series.timeframe} candle`);
  const m = windowMs / tf;
  const n = series.length;
  const { openTime, open, close } = series;
  const models = costModelsOf(config);
  const prepared = strategy.prepare(series, params);
  const warm = strategy.startupCandles(params);
  const firstDecision = Math.min(Math.max(0, n - 1), warm);
  const earliest = n > 0 ? openTime[firstDecision]! + tf : 0;
  const start0 = Math.ceil(Math.max(config.from ?? earliest, earliest) / shiftMs) * shiftMs;
  const end = config.to ?? (n > 0 ? openTime[n - 1]! + tf : 0);

  const raw: RawTrade[] = [];
  // One kernel candle view and context for every slice (ATR/price read at the candle being stepped).
  let at = 0;
  const candle: KernelCandle = { openTime: 0, open: 0, high: 0, low: 0, close: 0 };
  const candleOf = (i: number): KernelCandle => {
    candle.openTime = openTime[i]!;
    candle.open = open[i]!;
    candle.high = series.high[i]!;
    candle.low = series.low[i]!;
    candle.close = close[i]!;
    return candle;
  };
  const ctx: KernelContext = {
    timeframeMs: tf,
    risk: NO_RISK,
    limitExpiryCandles: 1,
    allowShort: true,
    entriesOpen: true,
    atrBefore: () => atrPctAt(series, at - 1, config.atrPeriod),
    atrAt: () => atrPctAt(series, at, config.atrPeriod),
  };
  const sliceTrade: number[] = []; // per evaluated slice: index into raw, or -1
  const sliceTimes: number[] = [];
  let missing = 0;
  for (let T = start0; T + windowMs <= end; T += shiftMs) {
    const k = lowerBound(openTime, T);
    const last = k + m - 1;
    if (k >= n || openTime[k] !== T || last >= n || openTime[last] !== T + windowMs - tf || k - 1 < warm) {
      missing++;
      continue;
    }
    const d = k - 1;
    sliceTimes.push(T);
    const sig = strategy.evaluate(prepared, d, params);
    const dir = sig.action === 'BUY' ? 1 : sig.action === 'SELL' && strategy.allowShort ? -1 : 0;
    if (dir === 0) {
      sliceTrade.push(-1);
      continue;
    }
    // The slice's round trip is the kernel's: the decision on closed candle d fills at open[k] (taker), the
    // position runs through the slice's candles with no stop or target and closes at its last close.
    sliceTrade.push(raw.length);
    const out: KernelSink = { trades: raw, skipped: emptySkipCounts() };
    const st = initialKernelState();
    at = d;
    advance(st, candleOf(d), ctx, out);
    decide(st, candle, { action: dir === 1 ? 'BUY' : 'SELL', reason: sig.reason }, ctx, out);
    for (at = k; at <= last; at++) advance(st, candleOf(at), ctx, out);
    at = last;
    closeAtEnd(st, candle, ctx, out, 'slice-end');
  }

  const { trades } = priceTrades(raw, models);
  const perYear = stepsPerYear(shiftMs);
  const slices = sliceTimes.length;
  const coverage = slices > 0 ? raw.length / slices : 0;
  const view = (returns: number[]): { metrics: Metrics; curve: EquityCurve } => {
    const acc = new CurveAccumulator(config.initialEquity, perYear, slices, config.equityPoints);
    let cum = 0;
    let traded = 0;
    for (let q = 0; q < slices; q++) {
      const ti = sliceTrade[q]!;
      const r = ti >= 0 ? returns[ti]! : 0;
      if (ti >= 0) traded += 1 + raw[ti]!.exitPrice / raw[ti]!.entryPrice;
      cum += r;
      acc.push(sliceTimes[q]!, config.initialEquity * (1 + cum), r);
    }
    const { stats, curve } = acc.finish();
    const years = slices / perYear;
    return {
      metrics: {
        ...tradeStats(returns),
        ...stats,
        exposure: coverage,
        coverage,
        meanHoldingMs: raw.length > 0 ? windowMs : null,
        meanBarsHeld: raw.length > 0 ? m : null,
        turnover: traded,
        turnoverPerYear: years > 0 ? traded / years : 0,
      },
      curve,
    };
  };
  const gross = view(raw.map((t) => t.grossReturn));
  const net: Record<string, Metrics> = {};
  const netCurves: Record<string, EquityCurve> = {};
  for (const model of models) {
    const v = view(trades.map((t) => t.net[model.id]!));
    net[model.id] = v.metrics;
    netCurves[model.id] = v.curve;
  }
  return withHash({
    mode: 'slices' as const,
    engineVersion: ENGINE_VERSION_ID,
    strategy: { id: strategy.id, version: strategy.version, params: { ...params } },
    series: {
      symbol: series.symbol,
      timeframe: series.timeframe,
      from: slices > 0 ? sliceTimes[0]! : start0,
      to: slices > 0 ? sliceTimes[slices - 1]! + windowMs : start0,
      bars: slices,
    },
    config,
    costModels: models,
    slices,
    slicesMissingData: missing,
    coverage,
    trades,
    gross: gross.metrics,
    net,
    breakEvenRoundTripBps: breakEvenRoundTripBps(
      raw.map((t) => t.grossReturn),
      raw.map((t) => t.exitPrice / t.entryPrice),
    ),
    equity: { gross: gross.curve, net: netCurves },
  });
}
