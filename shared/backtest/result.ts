/**
 * Turning the engine's gross trades into a result: price every trade under every configured cost model, compute
 * gross and per-model metrics and equity curves over the measured window, the break-even cost, and the
 * `resultHash`. Whole runs and merged chunked runs both end here, so equal trades give equal results.
 */
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import { breakEvenRoundTripBps, netReturn, tradeSideCostsBps, type CostModel } from '../costs';
import type { Params, Strategy } from '../strategies/types';
import { costModelsOf, type BacktestConfig } from './config';
import { hashCanonical } from './hash';
import { singleSeriesCurves, stepsPerYear, tradeStats, type CurveStats, type CurveTrade, type ViewCosts } from './metrics';
import type { BacktestResult, EquityCurve, Metrics, RawTrade, RiskSkipCounts, Trade } from './types';
import { ENGINE_VERSION_ID, lowerBound } from './version';

/** Price raw trades under each model: round-trip bps and net return per model id. */
export function priceTrades(raw: readonly RawTrade[], models: readonly CostModel[]): { trades: Trade[]; sides: { entry: number; exit: number }[][] } {
  const { trades, views } = pricedViews(raw, models);
  const sides = views.map((v) => Array.from(v.entry, (entry, k) => ({ entry, exit: v.exit[k]! })));
  return { trades, sides };
}

/** `priceTrades` with each model's side costs (fractions) as columns, for the curves of `buildResult`. */
function pricedViews(raw: readonly RawTrade[], models: readonly CostModel[]): { trades: Trade[]; views: { entry: Float64Array; exit: Float64Array }[] } {
  const M = models.length;
  const views = models.map(() => ({ entry: new Float64Array(raw.length), exit: new Float64Array(raw.length) }));
  const trades = new Array<Trade>(raw.length);
  for (let k = 0; k < raw.length; k++) {
    const t = raw[k]!;
    const roundTrip: Record<string, number> = {};
    const net: Record<string, number> = {};
    const ratio = t.exitPrice / t.entryPrice;
    for (let mi = 0; mi < M; mi++) {
      const m = models[mi]!;
      const { entryBps, exitBps } = tradeSideCostsBps(m, t);
      roundTrip[m.id] = entryBps + exitBps;
      net[m.id] = netReturn(t.grossReturn, entryBps, exitBps, ratio);
      views[mi]!.entry[k] = entryBps / 1e4;
      views[mi]!.exit[k] = exitBps / 1e4;
    }
    trades[k] = { ...t, roundTripBps: roundTrip, net };
  }
  return { trades, views };
}

/**
 * `lowerBound(openTime, t)` when the answer is known to be at least `from` (checked: otherwise the full search):
 * galloping from `from`, so a run of nearby, increasing times costs a few probes each instead of a full binary
 * search over a year of 1m candles.
 */
function lowerBoundFrom(openTime: Float64Array, t: number, from: number): number {
  const n = openTime.length;
  if (from <= 0 || from > n || !(openTime[from - 1]! < t)) return lowerBound(openTime, t);
  let lo = from; // openTime[lo − 1] < t
  let step = 1;
  let hi = lo;
  while (hi < n && openTime[hi]! < t) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (openTime[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Attach `resultHash` (sha256 of the canonical JSON of everything else). */
export function withHash<T extends object>(body: T): T & { resultHash: string } {
  return { ...body, resultHash: hashCanonical(body) };
}

export function buildResult<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  config: BacktestConfig,
  window: { from: number; to: number },
  raw: readonly RawTrade[],
  skipped: RiskSkipCounts,
): BacktestResult {
  const n = series.length;
  const tf = timeframeMs(series.timeframe);
  const { openTime, close } = series;
  const models = costModelsOf(config);
  const w0 = lowerBound(openTime, window.from);
  const exitBarOf = (t: RawTrade, from = 0): number => lowerBoundFrom(openTime, t.exitKind === 'end-of-data' ? t.exitTime - tf : t.exitTime, from);
  // The latest exit (trades are in entry order; a grid's overlapping lots can exit out of that order).
  let lastExit = -1;
  let latest: RawTrade | null = null;
  for (const t of raw) if (latest === null || t.exitTime > latest.exitTime) latest = t;
  if (latest !== null) lastExit = exitBarOf(latest);
  const w1 = Math.min(n, Math.max(lowerBound(openTime, window.to), lastExit + 1));
  const perYear = stepsPerYear(tf);

  const { trades, views } = pricedViews(raw, models);
  // Trades are in entry order and exit after entering: each search starts from the previous answer.
  let prevEntry = 0;
  const base: CurveTrade[] = raw.map((t) => {
    const entryBar = (prevEntry = lowerBoundFrom(openTime, t.entryTime, prevEntry));
    return {
      entryBar,
      exitBar: exitBarOf(t, entryBar),
      dir: (t.side === 'long' ? 1 : -1) as 1 | -1,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      grossReturn: t.grossReturn,
      entryCost: 0,
      exitCost: 0,
      exitAtOpen: t.exitKind === 'signal',
    };
  });
  const bars = Math.max(0, w1 - w0);
  let barsHeld = 0;
  let holdMs = 0;
  for (const t of raw) {
    barsHeld += t.bars;
    holdMs += t.exitTime - t.entryTime;
  }
  const common = {
    exposure: bars > 0 ? barsHeld / bars : 0,
    meanHoldingMs: raw.length > 0 ? holdMs / raw.length : null,
    meanBarsHeld: raw.length > 0 ? barsHeld / raw.length : null,
  };
  const years = bars / perYear;
  const metricsOf = (returns: number[], c: { stats: CurveStats; turnover: number }): Metrics => ({
    ...tradeStats(returns),
    ...c.stats,
    ...common,
    turnover: c.turnover,
    turnoverPerYear: years > 0 ? c.turnover / years : 0,
  });
  // Models that cost every trade the same (e.g. several 10/10 bps venues) share one computed view.
  const sameSides = (x: ViewCosts, y: ViewCosts): boolean => {
    for (let k = 0; k < x.entry.length; k++) if (x.entry[k] !== y.entry[k] || x.exit[k] !== y.exit[k]) return false;
    return true;
  };
  const twinOf = models.map((_, mi) => models.findIndex((_, pj) => pj < mi && sameSides(views[pj]!, views[mi]!)));
  const computed = models.map((_, mi) => mi).filter((mi) => twinOf[mi]! < 0);
  const zeros = new Float64Array(raw.length);
  // Gross and every distinct cost view in one walk over the candles.
  const curves = singleSeriesCurves(
    openTime,
    close,
    w0,
    w1,
    base,
    [{ entry: zeros, exit: zeros }, ...computed.map((mi) => views[mi]!)],
    config.sizing,
    config.initialEquity,
    perYear,
    config.equityPoints,
  );
  const gross = {
    metrics: metricsOf(
      raw.map((t) => t.grossReturn),
      curves[0]!,
    ),
    curve: curves[0]!.curve,
  };
  const net: Record<string, Metrics> = {};
  const netCurves: Record<string, EquityCurve> = {};
  models.forEach((m, mi) => {
    const twin = twinOf[mi]!;
    if (twin >= 0) {
      const id = models[twin]!.id;
      net[m.id] = { ...net[id]! };
      const c = netCurves[id]!;
      netCurves[m.id] = { time: [...c.time], equity: [...c.equity], drawdown: [...c.drawdown] };
      return;
    }
    const c = curves[1 + computed.indexOf(mi)]!;
    net[m.id] = metricsOf(
      trades.map((t) => t.net[m.id]!),
      c,
    );
    netCurves[m.id] = c.curve;
  });
  return withHash({
    mode: 'single' as const,
    engineVersion: ENGINE_VERSION_ID,
    strategy: { id: strategy.id, version: strategy.version, params: { ...params } },
    series: {
      symbol: series.symbol,
      timeframe: series.timeframe,
      from: bars > 0 ? openTime[w0]! : window.from,
      to: bars > 0 ? openTime[w1 - 1]! + tf : window.from,
      bars,
    },
    config,
    costModels: models,
    trades,
    skipped: { ...skipped },
    gross: gross.metrics,
    net,
    breakEvenRoundTripBps: breakEvenRoundTripBps(
      raw.map((t) => t.grossReturn),
      raw.map((t) => t.exitPrice / t.entryPrice),
    ),
    equity: { gross: gross.curve, net: netCurves },
  });
}
