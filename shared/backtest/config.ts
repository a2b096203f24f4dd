/**
 * Backtest configuration (zod): trading window, sizing, limit-order expiry, risk rules and the cost models every
 * result is priced under. `parseBacktestConfig` fills defaults; the parsed config is echoed in each result.
 */
import { z } from 'zod';
import { COST_PRESET_IDS, costModelSchema, resolveCostModel, type CostModel, type CostPresetId } from '../costs';

export const sizingSchema = z.discriminatedUnion('kind', [
  /** The same notional on every trade (quote currency); equity changes additively. */
  z.object({ kind: z.literal('fixed-notional'), notional: z.number().positive() }),
  /** A fraction of current equity on every trade; equity compounds. */
  z.object({ kind: z.literal('percent-equity'), fraction: z.number().positive().max(1) }),
]);
export type Sizing = z.infer<typeof sizingSchema>;

export const riskSchema = z.object({
  /** One series holds at most one position; kept as config for the portfolio layer. Must be 1 here. */
  maxOpenPositions: z.number().int().min(1).default(1),
  /** Skip an entry when ATR/price at the signal candle exceeds this fraction (e.g. 0.03 = 3 %). */
  maxAtrPct: z.number().positive().optional(),
  /** Skip an entry when the signal candle's volume (base units) is below this (the 4h platform's liquidity floor). */
  minVolume: z.number().positive().optional(),
  /** Ignore entry signals for this many candles after an exit (starting with the exit candle) or after an entry signal. */
  cooldownCandles: z.number().int().min(0).default(0),
  cooldownAfter: z.enum(['exit', 'entry']).default('exit'),
  /** After `losses` consecutive losing trades (gross return < lossBelowBps), ignore entries for `pauseCandles`. */
  circuitBreaker: z
    .object({
      losses: z.number().int().min(1),
      pauseCandles: z.number().int().min(1),
      lossBelowBps: z.number().default(0),
    })
    .optional(),
  /**
   * Nexus Sentinel, the black-swan overlay (shared/execution/sentinel.ts): on a candle during which a candle of the
   * reference series (`symbol`, BTC/USDT by default) closed more than `dropPct` (0.05 = 5 %) below its open,
   * every long is exited at the next open, resting long orders are cancelled and no long is opened.
   */
  sentinel: z
    .object({
      dropPct: z.number().positive().max(1),
      symbol: z.string().min(1).default('BTC/USDT'),
    })
    .optional(),
});
export type RiskConfig = z.infer<typeof riskSchema>;
export type RiskConfigInput = z.input<typeof riskSchema>;

export const costRefSchema = z.union([z.enum(COST_PRESET_IDS), costModelSchema]);
export type CostRef = z.infer<typeof costRefSchema>;

export const backtestConfigSchema = z.object({
  /** First candle (open time, ms) whose close may produce an entry signal; default: first candle after warm-up. */
  from: z.number().optional(),
  /** Exclusive end (open time, ms) for entry signals; an open position runs on until it exits or the data ends. */
  to: z.number().optional(),
  initialEquity: z.number().positive().default(10_000),
  sizing: sizingSchema.prefault({ kind: 'percent-equity', fraction: 1 }),
  /** A limit entry not filled within this many candles after its signal candle is cancelled. */
  limitExpiryCandles: z.number().int().min(1).default(3),
  /** Honest maker fills: a resting limit fills only when a later candle trades through it by this much (price). Absent: a touch fills. */
  limitTradeThrough: z.number().min(0).optional(),
  /** ATR period for the ATR/price cap and the ATR/price recorded on fills (simple mean of true range). */
  atrPeriod: z.number().int().min(1).default(14),
  risk: riskSchema.prefault({}),
  /** Cost presets or custom models; every result carries net figures for each. Default: all presets. */
  costs: z.array(costRefSchema).default([...COST_PRESET_IDS]),
  /** Points kept in each downsampled equity / drawdown series. */
  equityPoints: z.number().int().min(2).default(200),
});
export type BacktestConfig = z.infer<typeof backtestConfigSchema>;
export type BacktestConfigInput = z.input<typeof backtestConfigSchema>;

export function parseBacktestConfig(input: BacktestConfigInput = {}): BacktestConfig {
  const c = backtestConfigSchema.parse(input);
  if (c.risk.maxOpenPositions !== 1) throw new Error('single-series engine: risk.maxOpenPositions must be 1');
  const ids = c.costs.map((m) => (typeof m === 'string' ? m : m.id));
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate cost model ids: ${ids.join(', ')}`);
  return c;
}

/**
 * The config a run of `strategy` with `params` uses: the input as given when it names its own `risk`, else the
 * input with the strategy's declared default risk rules (validated here, the error naming the strategy).
 */
export function withStrategyRisk<P>(
  strategy: { id: string; risk?: (params: P) => RiskConfigInput },
  params: P,
  input: BacktestConfigInput | BacktestConfig = {},
): BacktestConfigInput | BacktestConfig {
  if (input.risk !== undefined || !strategy.risk) return input;
  const declared = riskSchema.safeParse(strategy.risk(params));
  if (!declared.success) throw new Error(`${strategy.id}: invalid declared risk rules: ${declared.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...input, risk: declared.data };
}

/**
 * The parsed config a run of `strategy` with `params` uses when the caller parsed `input` once for many runs (a
 * sweep chunk's combos, a walk-forward's folds): `parsed` (= `parseBacktestConfig(input)`) itself when the
 * strategy adds no risk rules to `input`, else `input` with the strategy's declared risk (`withStrategyRisk`),
 * parsed. A parsed config always names its `risk`, so handing it to `withStrategyRisk` would drop the declared rules.
 */
export function parsedWithStrategyRisk<P>(
  strategy: { id: string; risk?: (params: P) => RiskConfigInput },
  params: P,
  input: BacktestConfigInput,
  parsed: BacktestConfig,
): BacktestConfig {
  const withRisk = withStrategyRisk(strategy, params, input);
  return withRisk === input ? parsed : parseBacktestConfig(withRisk);
}

export function costModelsOf(c: { costs: readonly (CostPresetId | CostModel)[] }): CostModel[] {
  return c.costs.map((m) => resolveCostModel(m));
}
