/**
 * Portfolio backtest configuration (zod): the window, the shared starting capital, how each entry is sized out of
 * the shared cash (equal weight = equity / maxPositions, or a fixed fraction of equity), the cap on open positions,
 * the kernel's risk rules and limit expiry, and the cost models every result is priced under.
 */
import { z } from 'zod';
import { COST_PRESET_IDS } from '../costs';
import { costRefSchema, riskSchema, type RiskConfigInput } from '../backtest/config';

export const portfolioSizingSchema = z.discriminatedUnion('kind', [
  /** Each entry commits equity / maxPositions (capped by the free cash). */
  z.object({ kind: z.literal('equal-weight') }),
  /** Each entry commits `fraction` × equity (capped by the free cash). */
  z.object({ kind: z.literal('fixed-fraction'), fraction: z.number().positive().max(1) }),
]);
export type PortfolioSizing = z.infer<typeof portfolioSizingSchema>;

export const portfolioConfigSchema = z.object({
  /** First open time (ms) whose close may produce an entry signal; default: each symbol's first candle after warm-up. */
  from: z.number().optional(),
  /** Exclusive end (open time, ms) for entry signals; open positions run on until they exit or their data ends. */
  to: z.number().optional(),
  initialEquity: z.number().positive().default(10_000),
  sizing: portfolioSizingSchema.prefault({ kind: 'equal-weight' }),
  /** At most this many symbols hold a position or a pending entry at once; default: `risk.maxOpenPositions`. */
  maxPositions: z.number().int().min(1).optional(),
  limitExpiryCandles: z.number().int().min(1).default(3),
  atrPeriod: z.number().int().min(1).default(14),
  /** The kernel's entry risk rules, applied per symbol (default: the strategy's declared rules). */
  risk: riskSchema.prefault({}),
  costs: z.array(costRefSchema).default([...COST_PRESET_IDS]),
  equityPoints: z.number().int().min(2).default(200),
});
export type PortfolioConfigInput = z.input<typeof portfolioConfigSchema>;
export type PortfolioConfig = z.infer<typeof portfolioConfigSchema> & { maxPositions: number };

export class PortfolioInputError extends Error {
  constructor(message: string) {
    super(`portfolio: ${message}`);
    this.name = 'PortfolioInputError';
  }
}

/**
 * Parse a portfolio config; the strategy's declared risk rules apply unless the input names its own `risk`, and
 * `maxPositions` defaults to the risk rules' `maxOpenPositions`.
 */
export function parsePortfolioConfig<P>(input: PortfolioConfigInput, strategy: { id: string; risk?: (params: P) => RiskConfigInput }, params: P): PortfolioConfig {
  let withRisk = input;
  if (input.risk === undefined && strategy.risk) {
    const declared = riskSchema.safeParse(strategy.risk(params));
    if (!declared.success) throw new PortfolioInputError(`${strategy.id}: invalid declared risk rules: ${declared.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    withRisk = { ...input, risk: declared.data };
  }
  const parsed = portfolioConfigSchema.safeParse(withRisk);
  if (!parsed.success) throw new PortfolioInputError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const c = parsed.data;
  const ids = c.costs.map((m) => (typeof m === 'string' ? m : m.id));
  if (new Set(ids).size !== ids.length) throw new PortfolioInputError(`duplicate cost model ids: ${ids.join(', ')}`);
  return { ...c, maxPositions: c.maxPositions ?? c.risk.maxOpenPositions };
}
