/**
 * The Strategy contract shared by the live 5m loop and the backtester (habit 2: backtest = live).
 *
 * A strategy is stateless with respect to positions, like freqtrade's entry/exit columns: `prepare` computes its
 * causal indicator arrays once over a window of closed candles, and `evaluate(prepared, i)` reads only indices
 * `<= i` and answers BUY / SELL / EXIT / HOLD for candle `i` with a human reason. The engine (or the live loop)
 * decides what an action means for the current position:
 *   BUY  opens a long when flat (or closes a short);
 *   SELL closes a long (or opens a short when the strategy allows shorts and the account is flat);
 *   EXIT closes whatever is open; HOLD does nothing.
 * A signal on candle t can fill at candle t+1's open at the earliest: the engine enforces it, never the strategy.
 */
import type { z } from 'zod';
import type { RiskConfigInput } from '../backtest/config';
import type { CandleSeries } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';

export type Action = 'BUY' | 'SELL' | 'EXIT' | 'HOLD';

export interface Signal {
  action: Action;
  /**
   * Why, in words a person can check against a chart (e.g. "close 42,110 > EMA200 41,870; RSI 38 crossed up 35").
   * The bundled strategies render it lazily (./reason.ts): read it where the text is needed, never format it eagerly.
   */
  readonly reason: string;
  /** Protective stop for the entry this signal opens, as an absolute price. */
  stopLoss?: number;
  /** Take-profit for the entry this signal opens, as an absolute price. */
  takeProfit?: number;
  /** Trailing stop distance as a fraction of price (0.02 = 2 %), ratcheting with the best price since entry. */
  trailingStop?: number;
  /** Limit price for a maker entry; absent means a market (taker) order at the next candle's open. */
  limitPrice?: number;
  /**
   * Multi-lot entry (a grid): with BUY, the resting limit bids the strategy wants from the next candle on, each a
   * lot with its own stop and target. They replace the lot bids still resting (keys already held are skipped); an
   * EXIT (or SELL) closes every open lot at the next open and cancels the bids. Absent: a single-lot entry.
   */
  lots?: readonly LotOrder[];
}

/** One lot of a multi-lot entry: a keyed limit bid with its own exit. */
export interface LotOrder {
  /** Stable key of the lot (e.g. the grid level "L2"): at most one open lot or bid per key. */
  key: string;
  limitPrice: number;
  stopLoss?: number;
  takeProfit?: number;
  reason: string;
}

export const HOLD: Signal = Object.freeze({ action: 'HOLD', reason: '' }) as Signal;

export type ParamValue = number | boolean | string;
export type Params = Record<string, ParamValue>;

/** Sweep range of one parameter: an inclusive numeric grid, or an explicit list of values. */
export type ParamRange =
  | { kind: 'int'; min: number; max: number; step: number }
  | { kind: 'float'; min: number; max: number; step: number }
  | { kind: 'choice'; values: readonly ParamValue[] };

export type ParamSpace<P extends Params> = { readonly [K in keyof P]?: ParamRange };

export type StrategyStatus = 'research' | 'watch' | 'paper' | 'rejected';

interface StrategyMeta<P extends Params> {
  /** Stable id, kebab-case, e.g. `nexara-baseline-5m`. */
  readonly id: string;
  /** Semantic version of the rules; part of every run's provenance. */
  readonly version: string;
  /** Family for the lab-wide trial count used by the deflated Sharpe ratio. */
  readonly family: string;
  /** Origin line: Nexara, 4h platform, Nexus, DSTA, or test. */
  readonly origin: 'nexara' | '4h-platform' | 'nexus' | 'dsta' | 'test';
  readonly title: string;
  /** The exact rules, in a sentence or three. */
  readonly description: string;
  /** Primary timeframe first. */
  readonly timeframes: readonly [Timeframe, ...Timeframe[]];
  /** Parameters with their validation ranges; `.parse` fills defaults. */
  readonly paramsSchema: z.ZodType<P>;
  readonly defaults: Readonly<P>;
  /** Sweepable ranges (subset of the schema's bounds). */
  readonly paramSpace: ParamSpace<P>;
  /** Closed candles needed before the first signal can be trusted (warm-up of the slowest indicator, seeded). */
  startupCandles(params: P): number;
  /**
   * The strategy's default risk rules (cooldown, circuit breaker, ATR/price cap, minimum volume), from its params —
   * so a risk knob declared as a param is validated and swept like any param. Every run applies them (backtest,
   * chunked, sweep, walk-forward, paper, live) unless the run's config names its own `risk`.
   */
  risk?(params: P): RiskConfigInput;
}

/** A strategy over one series (a symbol, or a derived spread such as BTC/ETH). */
export interface Strategy<P extends Params = Params, S = unknown> extends StrategyMeta<P> {
  readonly kind: 'single';
  /** Whether SELL may open a short when flat. Spot research defaults to long-only. */
  readonly allowShort: boolean;
  /** Causal precomputation over closed candles: value at index i may depend only on candles 0..i. */
  prepare(series: CandleSeries, params: P): S;
  /** The decision on candle i (closed), reading prepared values at indices <= i only. */
  evaluate(prepared: S, i: number, params: P): Signal;
}

export interface RankEntry {
  symbol: string;
  score: number;
  /** Target portfolio weight in [0, 1]; weights of one ranking sum to <= 1. */
  weight: number;
  reason: string;
}

/** A cross-sectional strategy: ranks a universe of aligned series (same open times) at index i. */
export interface RankingStrategy<P extends Params = Params, S = unknown> extends StrategyMeta<P> {
  readonly kind: 'ranking';
  prepare(universe: readonly CandleSeries[], params: P): S;
  rank(prepared: S, i: number, params: P): RankEntry[];
}

export type AnyStrategy = Strategy<any, any> | RankingStrategy<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
