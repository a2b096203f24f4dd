/**
 * `runPortfolio(universe, selector, params, config)` — a multi-symbol backtest with shared capital (REQ-BT-005):
 * the kernel pass (./kernel-pass.ts) decides every symbol's fills with the execution kernel, the trades are priced
 * under every cost model by the backtester's `priceTrades`, and the shared cash is booked per cost view
 * (./accounting.ts). The result carries the symbol of each trade, per-symbol contribution, gross and net metrics
 * and curves, and `resultHash` (same inputs → byte-identical result).
 */
import { costModelsOf } from '../backtest/config';
import { priceTrades, withHash } from '../backtest/result';
import { ENGINE_VERSION_ID, lowerBound } from '../backtest/version';
import type { EquityCurve, Metrics } from '../backtest/types';
import type { CandleSeries } from '../candles/candle';
import type { Params } from '../strategies/types';
import { parsePortfolioConfig, type PortfolioConfigInput } from './config';
import { bookView, placeTrades } from './accounting';
import { kernelPass, type Selector } from './kernel-pass';
import type { PortfolioResult, PortfolioSkipCounts, PortfolioTrade, SymbolContribution } from './types';

export type { Selector } from './kernel-pass';

function addSkips(into: PortfolioSkipCounts, s: PortfolioSkipCounts): void {
  for (const [k, v] of Object.entries(s) as [keyof PortfolioSkipCounts, number][]) into[k] = (into[k] ?? 0) + v;
}

export function runPortfolio<P extends Params>(universe: readonly CandleSeries[], selector: Selector<P>, params: P, configInput: PortfolioConfigInput = {}): PortfolioResult {
  const strategy = selector.strategy;
  const config = parsePortfolioConfig(configInput, strategy, params);
  const pass = kernelPass(universe, selector, params, config);
  const { timeline, timeframeMs: tf, w0 } = pass;
  const models = costModelsOf(config);
  const placed = placeTrades(pass.legs, timeline, tf);
  const lastExit = placed.reduce((m, p) => Math.max(m, p.exitStep), -1);
  const toStep = config.to !== undefined ? lowerBound(timeline, config.to) : timeline.length;
  const w1 = Math.min(timeline.length, Math.max(toStep, lastExit + 1));
  const { trades, sides } = priceTrades(
    placed.map((p) => p.trade),
    models,
  );
  const closes = universe.map((full) => {
    const at = new Int32Array(timeline.length).fill(-1);
    let j = 0;
    for (let i = 0; i < full.length; i++) {
      while (j < timeline.length && timeline[j]! < full.openTime[i]!) j++;
      if (j < timeline.length && timeline[j] === full.openTime[i]) at[j] = i;
    }
    return { close: full.close, at };
  });
  const win = { w0, w1 };
  const gross = bookView(
    placed,
    null,
    placed.map((p) => p.trade.grossReturn),
    closes,
    timeline,
    tf,
    win,
    config,
  );
  const net: Record<string, Metrics> = {};
  const netCurves: Record<string, EquityCurve> = {};
  const netPnl: Record<string, number[]> = {};
  // Models that cost every trade the same (e.g. several 10/10 bps venues) share one booked view, as in buildResult.
  const sameSides = (x: { entry: number; exit: number }[], y: { entry: number; exit: number }[]): boolean =>
    x.every((e, k) => e.entry === y[k]!.entry && e.exit === y[k]!.exit);
  models.forEach((m, mi) => {
    const twin = models.findIndex((_, pj) => pj < mi && sameSides(sides[pj]!, sides[mi]!));
    if (twin >= 0) {
      const id = models[twin]!.id;
      const c = netCurves[id]!;
      net[m.id] = { ...net[id]! };
      netCurves[m.id] = { time: [...c.time], equity: [...c.equity], drawdown: [...c.drawdown] };
      netPnl[m.id] = [...netPnl[id]!];
      return;
    }
    const v = bookView(
      placed,
      sides[mi]!,
      trades.map((t) => t.net[m.id]!),
      closes,
      timeline,
      tf,
      win,
      config,
    );
    net[m.id] = v.metrics;
    netCurves[m.id] = v.curve;
    netPnl[m.id] = v.pnl;
  });
  const bars = Math.max(0, w1 - w0);
  const skipped: PortfolioSkipCounts = { cooldown: 0, circuitBreaker: 0, atrCap: 0, limitExpired: 0, limitCancelled: 0, maxPositions: 0 };
  const contributions: SymbolContribution[] = pass.legs.map((l, li) => {
    addSkips(skipped, l.skipped);
    const mine = placed.filter((p) => p.leg === li);
    const held = mine.reduce((s, p) => s + p.trade.bars, 0);
    const np: Record<string, number> = {};
    for (const m of models) np[m.id] = netPnl[m.id]![li]!;
    return { symbol: l.symbol, trades: mine.length, exposure: bars > 0 ? held / bars : 0, grossPnl: gross.pnl[li]!, netPnl: np, skipped: { ...l.skipped } };
  });
  const portfolioTrades: PortfolioTrade[] = trades.map((t, k) => ({ symbol: pass.legs[placed[k]!.leg]!.symbol, ...t }));
  return withHash({
    mode: 'portfolio' as const,
    selection: selector.kind === 'single' ? ('single-strategy' as const) : ('ranking' as const),
    engineVersion: ENGINE_VERSION_ID,
    strategy: { id: strategy.id, version: strategy.version, params: { ...params } },
    universe: {
      symbols: universe.map((s) => s.symbol),
      timeframe: universe[0]!.timeframe,
      from: bars > 0 ? timeline[w0]! : 0,
      to: bars > 0 ? timeline[w1 - 1]! + tf : 0,
      steps: bars,
    },
    config,
    costModels: models,
    trades: portfolioTrades,
    skipped,
    gross: gross.metrics,
    net,
    equity: { gross: gross.curve, net: netCurves },
    contributions,
  });
}
