/**
 * Shapes the backtester produces: raw (gross) trades from the event loop, priced trades with per-preset net
 * returns, metrics, equity curves, chunk carry state and the result objects of the three modes
 * (single series, sliding slices, ranking).
 */
import type { Timeframe } from '../candles/timeframe';
import type { CostModel } from '../costs';
import type { Params } from '../strategies/types';
import type { BacktestConfig } from './config';

export type Side = 'long' | 'short';
export type Liquidity = 'maker' | 'taker';
export type ExitKind = 'signal' | 'stop' | 'take-profit' | 'trailing' | 'end-of-data' | 'slice-end';

/** A closed trade at raw prices (no costs). Times are candle open times (ms UTC) unless noted. */
export interface RawTrade {
  side: Side;
  /** Open time of the candle whose close produced the entry signal. */
  signalTime: number;
  /** Open time of the candle in which the entry filled (at its open for market orders). */
  entryTime: number;
  entryPrice: number;
  entryLiquidity: Liquidity;
  /** The strategy's reason for the entry. */
  entryReason: string;
  /** Open time of the exit candle; for `end-of-data` the close time of the last candle. */
  exitTime: number;
  exitPrice: number;
  exitLiquidity: Liquidity;
  exitKind: ExitKind;
  /** The strategy's reason for a signal exit, otherwise the exit kind. */
  exitReason: string;
  /** Candles during which the position was held for any part of the candle. */
  bars: number;
  /** side × (exit / entry − 1). */
  grossReturn: number;
  /** ATR / price at the last closed candle before each fill (null when not computable). */
  entryAtrPct: number | null;
  exitAtrPct: number | null;
}

/** A trade priced under every configured cost model. */
export interface Trade extends RawTrade {
  /** Round-trip cost per cost model id, bps. */
  roundTripBps: Record<string, number>;
  /** Net return per cost model id (see costs/cost-model.ts for the convention). */
  net: Record<string, number>;
}

export interface EquityCurve {
  /** Open time of the last candle (or slice / period) of each bucket. */
  time: number[];
  /** Equity at the end of each bucket. */
  equity: number[];
  /** Worst drawdown inside each bucket, a fraction of the running peak (0.1 = −10 %). */
  drawdown: number[];
}

/** Metrics for one cost view (gross, or one cost model). Null where undefined (no trades, zero variance). */
export interface Metrics {
  trades: number;
  winRate: number | null;
  meanReturn: number | null;
  medianReturn: number | null;
  avgWin: number | null;
  avgLoss: number | null;
  /** Sum of winning returns / |sum of losing returns|; null without losses. */
  profitFactor: number | null;
  /** winRate × avgWin + (1 − winRate) × avgLoss (equals meanReturn; per trade, a fraction). */
  expectancy: number | null;
  /** Product of (1 + return) over trades − 1 (full-equity compounding). */
  compoundedReturn: number;
  /** Max drawdown of the per-trade compounded equity (fraction). */
  maxDrawdownTrades: number;
  /** Final / initial equity − 1 on the sized equity curve. */
  totalReturn: number;
  /** Max drawdown of the mark-to-market equity curve (per candle, slice or period). */
  maxDrawdownEquity: number;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  /** Share of candles (slices, periods) with a position. */
  exposure: number;
  meanHoldingMs: number | null;
  meanBarsHeld: number | null;
  /** Traded notional (both legs) / initial equity, and the same per year. */
  turnover: number;
  turnoverPerYear: number;
  /** Slices mode: share of slices with a trade. */
  coverage?: number;
}

export interface SkipCounts {
  /** Entry signals ignored by the cooldown. */
  cooldown: number;
  /** Entry signals ignored by the consecutive-loss circuit breaker. */
  circuitBreaker: number;
  /** Entry signals skipped by the ATR/price cap (or with ATR not yet computable). */
  atrCap: number;
  /** Limit entries that expired unfilled. */
  limitExpired: number;
  /** Limit entries cancelled by an EXIT or opposite signal. */
  limitCancelled: number;
}

/**
 * Skip counts as the kernel keeps them: plus `minVolume` (entries skipped for volume below `risk.minVolume`) and
 * `sentinel` (long entries refused by the Sentinel black-swan overlay, `risk.sentinel`), each present once that
 * rule skipped something.
 */
export type RiskSkipCounts = SkipCounts & { minVolume?: number; sentinel?: number };

/**
 * State carried from one chunk into the next (times are candle open times, ms). Entry signals on candles before
 * `busyUntil` are ignored silently (the previous chunk still held a position or an order); before `cooldownUntil`
 * / `pausedUntil` they count as skipped.
 */
export interface ChunkCarry {
  busyUntil: number;
  cooldownUntil: number;
  pausedUntil: number;
  consecutiveLosses: number;
}

export interface ChunkResult {
  from: number;
  to: number;
  carryIn: ChunkCarry;
  carryOut: ChunkCarry;
  trades: RawTrade[];
  skipped: RiskSkipCounts;
}

export interface StrategyRef {
  id: string;
  version: string;
  params: Params;
}

export interface SeriesRef {
  symbol: string;
  timeframe: Timeframe;
  /** Open time of the first candle of the measured window. */
  from: number;
  /** Close time of the last candle of the measured window. */
  to: number;
  bars: number;
}

export interface BacktestResult {
  mode: 'single';
  engineVersion: string;
  strategy: StrategyRef;
  series: SeriesRef;
  config: BacktestConfig;
  costModels: CostModel[];
  trades: Trade[];
  skipped: RiskSkipCounts;
  gross: Metrics;
  net: Record<string, Metrics>;
  /** Round-trip bps at which mean net return per trade is 0 (null without trades). */
  breakEvenRoundTripBps: number | null;
  equity: { gross: EquityCurve; net: Record<string, EquityCurve> };
  /** sha256 hex of the canonical JSON of this object without `resultHash`. */
  resultHash: string;
}
