/**
 * Cost model configuration and its zod schemas: a venue fee schedule (maker/taker bps with effective dates), a
 * half-spread, and a slippage rule (fixed bps, or volatility-scaled k × ATR/price). Every figure is in basis
 * points (1 bp = 0.01 % = 0.0001) and says so in its name.
 */
import { z } from 'zod';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One dated row of a venue's fee schedule; applies from `effectiveFrom` (00:00 UTC) until the next row. */
export const feeScheduleEntrySchema = z.object({
  effectiveFrom: z.string().regex(ISO_DATE, 'YYYY-MM-DD (UTC)'),
  makerBps: z.number().min(-50).max(500),
  takerBps: z.number().min(-50).max(500),
  /** Where the numbers come from (page, tier, date read). */
  source: z.string().min(1),
});
export type FeeScheduleEntry = z.infer<typeof feeScheduleEntrySchema>;

export const feeScheduleSchema = z
  .object({
    venue: z.string().min(1),
    product: z.string().min(1),
    tier: z.string().min(1),
    entries: z.array(feeScheduleEntrySchema).min(1),
  })
  .refine((s) => s.entries.every((e, i) => i === 0 || s.entries[i - 1]!.effectiveFrom < e.effectiveFrom), {
    message: 'fee schedule entries must be sorted by strictly increasing effectiveFrom',
  });
export type FeeSchedule = z.infer<typeof feeScheduleSchema>;

export const slippageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), bps: z.number().min(0).max(1000) }),
  /** Volatility-scaled: k × (ATR / price) expressed in bps, clamped to [minBps, maxBps]. */
  z.object({
    kind: z.literal('atr'),
    k: z.number().min(0).max(100),
    minBps: z.number().min(0).default(0),
    maxBps: z.number().min(0).optional(),
  }),
]);
export type Slippage = z.infer<typeof slippageSchema>;

/**
 * Which fee a fill pays. `taker` / `maker` price every fill that way (the preset variants); `as-filled` uses the
 * fill's own liquidity (limit entries maker, market orders and stops taker).
 */
export const liquidityModeSchema = z.enum(['taker', 'maker', 'as-filled']);
export type LiquidityMode = z.infer<typeof liquidityModeSchema>;

export const costModelSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case id'),
  label: z.string().min(1),
  schedule: feeScheduleSchema,
  liquidity: liquidityModeSchema,
  /** Paid by taker fills only (crossing the spread from mid). Maker fills pay the fee only. */
  halfSpreadBps: z.number().min(0).max(1000).default(0),
  /** Paid by taker fills only. */
  slippage: slippageSchema.prefault({ kind: 'fixed', bps: 0 }),
});
export type CostModel = z.infer<typeof costModelSchema>;
export type CostModelInput = z.input<typeof costModelSchema>;
