/**
 * Ranking mode for a RankingStrategy over a universe of aligned series (identical open times): every
 * `rebalanceEvery` candles the strategy ranks the universe on the CLOSED candle d; the target portfolio (top-N
 * equal weight, or the strategy's own weights) is entered at open[d+1] and held to the next rebalance open
 * (or the last close). Long only, weights sum to <= 1 (the rest is cash).
 *
 * Costs: each rebalance trades |target − drifted previous weight| per symbol (turnover, a fraction of equity),
 * priced at the cost model's taker side cost at the rebalance time; the final liquidation is charged on the last
 * period. Net period return = gross − turnover × side cost (the arithmetic is shared/execution/rebalance.ts, beside
 * the kernel; the side costs are shared/costs'). Equity compounds per period; Sharpe etc. are
 * annualised with sqrt(periods per year). In this mode a "trade" in the metrics is a rebalance period.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import { COST_PRESET_IDS, sideCostBps, type CostModel } from '../costs';
import type { Params, RankEntry, RankingStrategy } from '../strategies/types';
import { driftedWeight, holdingReturn, rebalanceNetReturn } from '../execution/rebalance';
import { costModelsOf, costRefSchema } from './config';
import { CurveAccumulator, stepsPerYear, tradeStats } from './metrics';
import { withHash } from './result';
import type { EquityCurve, Metrics, StrategyRef } from './types';
import { ENGINE_VERSION_ID, lowerBound } from './version';

export const rankingConfigSchema = z.object({
  rebalanceEvery: z.number().int().min(1).default(1),
  /** Hold the top N by score at 1/N each; absent: use the strategy's weights. */
  topN: z.number().int().min(1).optional(),
  /** First decision candle (open time, ms); default: first candle after warm-up. */
  from: z.number().optional(),
  /** Decisions only on candles with open time < to. */
  to: z.number().optional(),
  initialEquity: z.number().positive().default(10_000),
  costs: z.array(costRefSchema).default([...COST_PRESET_IDS]),
  equityPoints: z.number().int().min(2).default(200),
});
export type RankingConfig = z.infer<typeof rankingConfigSchema>;
export type RankingConfigInput = z.input<typeof rankingConfigSchema>;

export interface RankingPeriod {
  /** Open time of the decision candle. */
  decisionTime: number;
  entryTime: number;
  /** Open time of the next rebalance candle, or the close time of the last candle. */
  exitTime: number;
  holdings: { symbol: string; weight: number; return: number; reason: string }[];
  grossReturn: number;
  /** Rebalance turnover at entry (fraction of equity), and the final liquidation on the last period. */
  turnover: number;
  exitTurnover: number;
  net: Record<string, number>;
}

export interface RankingResult {
  mode: 'ranking';
  engineVersion: string;
  strategy: StrategyRef;
  universe: { symbols: string[]; timeframe: string; from: number; to: number; bars: number };
  config: RankingConfig;
  costModels: CostModel[];
  periods: RankingPeriod[];
  gross: Metrics;
  net: Record<string, Metrics>;
  /** Per-side cost (bps of turnover) at which mean net period return is 0. */
  breakEvenSideBps: number | null;
  equity: { gross: EquityCurve; net: Record<string, EquityCurve> };
  resultHash: string;
}

function targetWeights(ranks: readonly RankEntry[], topN: number | undefined): RankEntry[] {
  const sorted = [...ranks].sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  if (topN !== undefined) return sorted.slice(0, topN).map((r) => ({ ...r, weight: 1 / topN }));
  const w = sorted.filter((r) => r.weight > 0);
  const sum = w.reduce((s, r) => s + r.weight, 0);
  if (sum > 1 + 1e-9) throw new Error(`ranking weights sum to ${sum} > 1`);
  return w;
}

export function runRanking<P extends Params, S>(
  universe: readonly CandleSeries[],
  strategy: RankingStrategy<P, S>,
  params: P,
  configInput: RankingConfigInput = {},
): RankingResult {
  const config = rankingConfigSchema.parse(configInput);
  if (universe.length === 0) throw new Error('ranking: empty universe');
  const ref = universe[0]!;
  const n = ref.length;
  for (const s of universe) {
    if (s.length !== n || s.timeframe !== ref.timeframe) throw new Error('ranking: series must be aligned (same length and timeframe)');
    for (let i = 0; i < n; i++) if (s.openTime[i] !== ref.openTime[i]) throw new Error(`ranking: ${s.symbol} open times differ at ${i}`);
  }
  const bySymbol = new Map(universe.map((s) => [s.symbol, s]));
  const tf = timeframeMs(ref.timeframe);
  const R = config.rebalanceEvery;
  const models = costModelsOf(config);
  const prepared = strategy.prepare(universe, params);
  const warm = strategy.startupCandles(params);
  const d0 = Math.max(warm, config.from !== undefined ? lowerBound(ref.openTime, config.from) : 0);
  const dEnd = config.to !== undefined ? lowerBound(ref.openTime, config.to) : n;

  const periods: RankingPeriod[] = [];
  let prev = new Map<string, number>(); // drifted weights at the end of the previous period
  for (let d = d0; d < dEnd && d + 1 < n; d += R) {
    const e = d + 1;
    const x = d + 1 + R;
    const atEnd = x >= n;
    const targets = targetWeights(strategy.rank(prepared, d, params), config.topN);
    const holdings: RankingPeriod['holdings'] = [];
    let gross = 0;
    let turnover = 0;
    const next = new Map<string, number>();
    for (const t of targets) {
      const s = bySymbol.get(t.symbol);
      if (!s) throw new Error(`ranking: unknown symbol ${t.symbol}`);
      const px = atEnd ? s.close[n - 1]! : s.open[x]!;
      const r = holdingReturn(s.open[e]!, px);
      holdings.push({ symbol: t.symbol, weight: t.weight, return: r, reason: t.reason });
      gross += t.weight * r;
      turnover += Math.abs(t.weight - (prev.get(t.symbol) ?? 0));
    }
    for (const [sym, w] of prev) if (!targets.some((t) => t.symbol === sym)) turnover += w;
    for (const h of holdings) next.set(h.symbol, driftedWeight(h.weight, h.return, gross));
    prev = next;
    periods.push({
      decisionTime: ref.openTime[d]!,
      entryTime: ref.openTime[e]!,
      exitTime: atEnd ? ref.openTime[n - 1]! + tf : ref.openTime[x]!,
      holdings,
      grossReturn: gross,
      turnover,
      exitTurnover: 0,
      net: {},
    });
    if (atEnd) break;
  }
  if (periods.length > 0) {
    let w = 0;
    for (const v of prev.values()) w += v;
    periods[periods.length - 1]!.exitTurnover = w;
  }
  for (const p of periods) {
    for (const m of models) {
      const inBps = sideCostBps(m, { time: p.entryTime, liquidity: 'taker' }).totalBps;
      const outBps = sideCostBps(m, { time: p.exitTime, liquidity: 'taker' }).totalBps;
      p.net[m.id] = rebalanceNetReturn(p.grossReturn, p.turnover, inBps, p.exitTurnover, outBps);
    }
  }

  const perYear = stepsPerYear(R * tf);
  const view = (returns: number[]): { metrics: Metrics; curve: EquityCurve } => {
    const acc = new CurveAccumulator(config.initialEquity, perYear, returns.length, config.equityPoints);
    let eq = config.initialEquity;
    returns.forEach((r, k) => {
      eq *= 1 + r;
      acc.push(periods[k]!.decisionTime, eq);
    });
    const { stats, curve } = acc.finish();
    const invested = periods.filter((p) => p.holdings.length > 0).length;
    const traded = periods.reduce((s, p) => s + p.turnover + p.exitTurnover, 0);
    const years = periods.length / perYear;
    return {
      metrics: {
        ...tradeStats(returns),
        ...stats,
        exposure: periods.length > 0 ? invested / periods.length : 0,
        meanHoldingMs: periods.length > 0 ? R * tf : null,
        meanBarsHeld: periods.length > 0 ? R : null,
        turnover: traded,
        turnoverPerYear: years > 0 ? traded / years : 0,
      },
      curve,
    };
  };
  const gross = view(periods.map((p) => p.grossReturn));
  const net: Record<string, Metrics> = {};
  const netCurves: Record<string, EquityCurve> = {};
  for (const m of models) {
    const v = view(periods.map((p) => p.net[m.id]!));
    net[m.id] = v.metrics;
    netCurves[m.id] = v.curve;
  }
  const totTurn = periods.reduce((s, p) => s + p.turnover + p.exitTurnover, 0);
  const totGross = periods.reduce((s, p) => s + p.grossReturn, 0);
  return withHash({
    mode: 'ranking' as const,
    engineVersion: ENGINE_VERSION_ID,
    strategy: { id: strategy.id, version: strategy.version, params: { ...params } },
    universe: {
      symbols: universe.map((s) => s.symbol),
      timeframe: ref.timeframe,
      from: periods.length > 0 ? periods[0]!.decisionTime : 0,
      to: periods.length > 0 ? periods[periods.length - 1]!.exitTime : 0,
      bars: periods.length,
    },
    config,
    costModels: models,
    periods,
    gross: gross.metrics,
    net,
    breakEvenSideBps: periods.length > 0 && totTurn > 0 ? (totGross / totTurn) * 1e4 : null,
    equity: { gross: gross.curve, net: netCurves },
  });
}
