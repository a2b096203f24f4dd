/**
 * Promotion gates as data: a zod schema with defaults, so a study can state (and store) exactly which bar a
 * strategy had to clear. `judgeVenues` (./verdict.ts) evaluates them per cost preset.
 *
 * Defaults and meaning (per cost preset, on per-trade net returns of the judged result):
 *   minTrades 30              — fewer trades → reject, whatever the Sharpe.
 *   minNetEdgeBps 5           — mean net return per trade at the preset's cost must be ≥ 5 bps.
 *   minNetEdgeBpsAt2xCost 0   — with every trade's cost doubled (net₂ₓ = 2·net − gross), the mean must stay ≥ 0 bps.
 *   minDsr 0.95               — deflated Sharpe ratio of the per-trade net returns, N = trials in the family.
 *   oosConsistency 0.6        — share of walk-forward folds (with ≥ 1 OOS trade) whose OOS mean net return at
 *                               the preset is > 0 must be ≥ 0.6. Needs a walk-forward; otherwise `skipped`.
 *   parameterStability 0.5    — the mean net edge of the best combo's grid neighbours (one step in one param)
 *                               must be ≥ 0.5 × its own net edge (which must be > 0). Needs the sweep's
 *                               neighbours; otherwise `skipped`.
 *   noLookahead               — the run's lookahead audit (shared/backtest/lookahead-audit.ts: dense truncation and
 *                               recursive analysis) found 0 mismatches. A failure REJECTS the run on every preset
 *                               (its evidence is invalid); no audit → `skipped` (a skipped gate never passes).
 * Reporting: `ciConfidence` 0.9, `bootstrapResamples` 2000, `bootstrapSeed` 1 for the CI of the mean net return.
 */
import { z } from 'zod';

export const gatesSchema = z.object({
  minTrades: z.number().int().min(1).default(30),
  minNetEdgeBps: z.number().default(5),
  minNetEdgeBpsAt2xCost: z.number().default(0),
  minDsr: z.number().min(0).max(1).default(0.95),
  oosConsistency: z.number().min(0).max(1).default(0.6),
  parameterStability: z.number().min(0).max(1).default(0.5),
  ciConfidence: z.number().gt(0).lt(1).default(0.9),
  bootstrapResamples: z.number().int().min(100).default(2000),
  bootstrapSeed: z.number().int().default(1),
});
export type Gates = z.infer<typeof gatesSchema>;
export type GatesInput = z.input<typeof gatesSchema>;

/** The gates with every default filled. */
export const DEFAULT_GATES: Readonly<Gates> = Object.freeze(gatesSchema.parse({}));

export function parseGates(input: GatesInput = {}): Gates {
  return gatesSchema.parse(input);
}

export const GATE_IDS = ['minTrades', 'minNetEdgeBps', 'minNetEdgeBpsAt2xCost', 'minDsr', 'oosConsistency', 'parameterStability', 'noLookahead'] as const;
export type GateId = (typeof GATE_IDS)[number];

export type GateStatus = 'pass' | 'fail' | 'skipped';

/** One gate's outcome with its numbers; `detail` reads e.g. "n=12 < 30 trades" or "DSR 0.97 ≥ 0.95". */
export interface GateCheck {
  gate: GateId;
  status: GateStatus;
  value: number | null;
  threshold: number;
  detail: string;
}
