/**
 * Shapes of a portfolio backtest result: trades tagged with their symbol and the capital they committed, per-symbol
 * contribution (PnL per cost view, trades, exposure), the portfolio's gross and per-cost-model metrics and equity
 * curves, and the result hash.
 */
import type { CostModel } from '../costs';
import type { EquityCurve, Metrics, RiskSkipCounts, StrategyRef, Trade } from '../backtest/types';
import type { PortfolioConfig } from './config';

/** A trade of one symbol of the universe (raw fills from the kernel, priced per cost model). */
export interface PortfolioTrade extends Trade {
  symbol: string;
}

/** Skip counts summed over symbols, plus entries refused because `maxPositions` slots were taken. */
export type PortfolioSkipCounts = RiskSkipCounts & { maxPositions: number };

export interface SymbolContribution {
  symbol: string;
  trades: number;
  /** Share of the measured window's steps during which this symbol held a position. */
  exposure: number;
  /** Quote-currency PnL of this symbol's trades on the gross curve and on each cost model's curve. */
  grossPnl: number;
  netPnl: Record<string, number>;
  skipped: PortfolioSkipCounts;
}

export interface PortfolioResult {
  mode: 'portfolio';
  /** `single-strategy`: the same strategy on every symbol; `ranking`: a ranking strategy picks the symbols. */
  selection: 'single-strategy' | 'ranking';
  engineVersion: string;
  strategy: StrategyRef;
  universe: { symbols: string[]; timeframe: string; from: number; to: number; steps: number };
  config: PortfolioConfig;
  costModels: CostModel[];
  /** In order of entry time, then universe order. */
  trades: PortfolioTrade[];
  skipped: PortfolioSkipCounts;
  gross: Metrics;
  net: Record<string, Metrics>;
  equity: { gross: EquityCurve; net: Record<string, EquityCurve> };
  contributions: SymbolContribution[];
  resultHash: string;
}
