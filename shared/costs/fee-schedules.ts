/**
 * The venues' dated, tiered spot fee schedules: the data file the measured cost model reads its fee from (the row
 * in force at a trade's time, of the tier the run configures) and the fee-only presets take their base tier from.
 *
 * Each tier is a `FeeSchedule` (./schema.ts): rows with an `effectiveFrom` date (00:00 UTC), in force until the next
 * row; a trade before the first row pays the first row (there is no older sourced row yet). Every row cites the
 * venue's published schedule and the date the numbers were taken as in force.
 *
 * Sources (spot, no token/volume discount beyond the tier named, 30-day volume tiers):
 *   Binance  https://www.binance.com/en/fee/schedule                 (Regular/VIP0, VIP1, VIP2)
 *   Kraken   https://www.kraken.com/features/fee-schedule            (Kraken Pro, $0–10K and $10K–50K)
 *   Coinbase https://help.coinbase.com/en/coinbase/trading-and-funding/advanced-trade/advanced-trade-fees
 *                                                                      (Advanced Trade, $0–10K and $10K–50K)
 *   OKX      https://www.okx.com/fees                                 (Regular Lv1)
 *   Bybit    https://www.bybit.com/en/help-center/article/Trading-Fee-Structure (VIP0)
 * The base tiers are the numbers of the platform brief (in force 2025-01-01). The higher tiers were transcribed
 * from the same pages for that date without re-reading them in this change (no network from the build machine):
 * check them against the page before relying on a higher tier, and add a dated row when a venue changes its fees.
 */
import type { FeeSchedule } from './schema';

/** Date the numbers below were taken as in force (the platform brief, 2025). */
export const FEE_SCHEDULES_ATTESTED = '2025-01-01';

function tier(venue: string, name: string, makerBps: number, takerBps: number, source: string): FeeSchedule {
  return { venue, product: 'spot', tier: name, entries: [{ effectiveFrom: FEE_SCHEDULES_ATTESTED, makerBps, takerBps, source }] };
}

/** Every venue's tiers, lowest volume tier (the default) first. */
export const FEE_TIERS = {
  binance: [
    tier('binance', 'VIP0 (regular user)', 10, 10, 'binance.com/en/fee/schedule, spot VIP0, no BNB discount'),
    tier('binance', 'VIP1', 9, 10, 'binance.com/en/fee/schedule, spot VIP1 (≥ 1M USD 30d volume), no BNB discount'),
    tier('binance', 'VIP2', 8, 10, 'binance.com/en/fee/schedule, spot VIP2 (≥ 5M USD 30d volume), no BNB discount'),
  ],
  kraken: [
    tier('kraken', 'Pro $0-10K', 25, 40, 'kraken.com/features/fee-schedule, Kraken Pro spot base tier'),
    tier('kraken', 'Pro $10K-50K', 20, 35, 'kraken.com/features/fee-schedule, Kraken Pro spot $10,001–50,000'),
  ],
  coinbase: [
    tier('coinbase', 'Advanced $0-10K', 40, 60, 'Coinbase Advanced Trade / Exchange fee page, base tier'),
    tier('coinbase', 'Advanced $10K-50K', 25, 40, 'Coinbase Advanced Trade fee page, $10K–50K tier'),
  ],
  okx: [tier('okx', 'Regular Lv1', 8, 10, 'okx.com/fees, spot regular user Lv1')],
  bybit: [tier('bybit', 'VIP0', 10, 10, 'Bybit trading fee structure, spot VIP0')],
} as const satisfies Record<string, readonly FeeSchedule[]>;

export type FeeVenue = keyof typeof FEE_TIERS;

export class UnknownFeeTierError extends Error {
  constructor(
    readonly venue: string,
    readonly tier: string,
  ) {
    const known = (FEE_TIERS as Record<string, readonly FeeSchedule[]>)[venue]?.map((t) => t.tier) ?? [];
    super(known.length ? `no fee tier "${tier}" for ${venue} (known: ${known.join(', ')})` : `no fee schedule for venue ${venue}`);
    this.name = 'UnknownFeeTierError';
  }
}

/** A venue's schedule of the named tier (default: its lowest tier). Throws UnknownFeeTierError naming the known tiers. */
export function feeSchedule(venue: string, tierName?: string): FeeSchedule {
  const tiers = (FEE_TIERS as Record<string, readonly FeeSchedule[]>)[venue];
  if (!tiers) throw new UnknownFeeTierError(venue, tierName ?? '');
  if (tierName === undefined) return tiers[0]!;
  const t = tiers.find((x) => x.tier === tierName);
  if (!t) throw new UnknownFeeTierError(venue, tierName);
  return t;
}
