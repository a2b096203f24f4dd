/**
 * Named cost presets: base-tier spot fee schedules for Binance, Kraken, Coinbase, OKX and Bybit (each in a taker
 * and a maker variant) and Nexara's 31 bps stress cost.
 *
 * Venue presets are FEE ONLY (half-spread 0, slippage 0): they answer "what does the venue charge". Add execution
 * costs with `withExecution` (e.g. a half-spread or ATR-scaled slippage) when a study needs them. The `-taker`
 * variant prices every fill at the taker rate (market orders, stops); the `-maker` variant prices every fill at the
 * maker rate (all-limit best case).
 *
 * `stress-31` is all-in 31 bps PER SIDE (fee + spread + slippage together), i.e. 62 bps per round trip, whatever
 * the liquidity. It is the default stress cost of the Nexara research line.
 *
 * Sources (base tier = lowest 30-day volume tier, no token discount, spot), read for this module's first version;
 * each schedule keeps one dated row today; add a row with its own `effectiveFrom` when a venue changes fees, and
 * the row in force at a trade's time is used (rows before the first apply the first row).
 *   Binance  spot Regular/VIP0: maker 0.100 %, taker 0.100 %   https://www.binance.com/en/fee/schedule
 *   Kraken   Pro spot, $0–10K:  maker 0.25 %,  taker 0.40 %    https://www.kraken.com/features/fee-schedule
 *   Coinbase Advanced/Exchange, $0–10K: maker 0.40 %, taker 0.60 %  https://help.coinbase.com/en/coinbase/trading-and-funding/advanced-trade/advanced-trade-fees
 *   OKX      spot Regular Lv1:  maker 0.080 %, taker 0.100 %   https://www.okx.com/fees
 *   Bybit    spot VIP0:         maker 0.100 %, taker 0.100 %   https://www.bybit.com/en/help-center/article/Trading-Fee-Structure
 */
import { FEE_TIERS } from './fee-schedules';
import { costModelSchema, type CostModel, type CostModelInput, type Slippage } from './schema';

/** The base (lowest) tier of each venue's dated schedule (./fee-schedules.ts, where the sources are cited). */
const SCHEDULES = {
  binance: FEE_TIERS.binance[0],
  kraken: FEE_TIERS.kraken[0],
  coinbase: FEE_TIERS.coinbase[0],
  okx: FEE_TIERS.okx[0],
  bybit: FEE_TIERS.bybit[0],
} as const;

export const VENUE_IDS = ['binance', 'kraken', 'coinbase', 'okx', 'bybit'] as const;
export type VenueId = (typeof VENUE_IDS)[number];

export const COST_PRESET_IDS = [
  'binance-taker',
  'binance-maker',
  'kraken-taker',
  'kraken-maker',
  'coinbase-taker',
  'coinbase-maker',
  'okx-taker',
  'okx-maker',
  'bybit-taker',
  'bybit-maker',
  'stress-31',
] as const;
export type CostPresetId = (typeof COST_PRESET_IDS)[number];

/** Nexara stress cost: 31 bps per side all-in (62 bps per round trip). */
export const STRESS_BPS_PER_SIDE = 31;
export const STRESS_ROUND_TRIP_BPS = 2 * STRESS_BPS_PER_SIDE;

function venuePreset(venue: VenueId, liquidity: 'taker' | 'maker'): CostModel {
  const s = SCHEDULES[venue];
  return costModelSchema.parse({
    id: `${venue}-${liquidity}`,
    label: `${venue} spot ${s.tier}, ${liquidity} fee only`,
    schedule: s,
    liquidity,
    halfSpreadBps: 0,
    slippage: { kind: 'fixed', bps: 0 },
  } satisfies CostModelInput);
}

const STRESS: CostModel = costModelSchema.parse({
  id: 'stress-31',
  label: 'Nexara stress: 31 bps per side all-in (62 bps round trip)',
  schedule: {
    venue: 'stress',
    product: 'spot',
    tier: 'all-in',
    entries: [{ effectiveFrom: '2000-01-01', makerBps: 31, takerBps: 31, source: 'Nexara stress cost, per side, all-in' }],
  },
  liquidity: 'taker',
  halfSpreadBps: 0,
  slippage: { kind: 'fixed', bps: 0 },
} satisfies CostModelInput);

export const COST_PRESETS: Readonly<Record<CostPresetId, CostModel>> = Object.freeze({
  'binance-taker': venuePreset('binance', 'taker'),
  'binance-maker': venuePreset('binance', 'maker'),
  'kraken-taker': venuePreset('kraken', 'taker'),
  'kraken-maker': venuePreset('kraken', 'maker'),
  'coinbase-taker': venuePreset('coinbase', 'taker'),
  'coinbase-maker': venuePreset('coinbase', 'maker'),
  'okx-taker': venuePreset('okx', 'taker'),
  'okx-maker': venuePreset('okx', 'maker'),
  'bybit-taker': venuePreset('bybit', 'taker'),
  'bybit-maker': venuePreset('bybit', 'maker'),
  'stress-31': STRESS,
});

export function isCostPresetId(x: string): x is CostPresetId {
  return (COST_PRESET_IDS as readonly string[]).includes(x);
}

export function costPreset(id: CostPresetId): CostModel {
  return COST_PRESETS[id];
}

/** A preset (or model) with execution costs layered on top of its fees, under a new id. */
export function withExecution(
  base: CostModel | CostPresetId,
  extra: { id: string; label?: string; halfSpreadBps?: number; slippage?: Slippage; liquidity?: CostModel['liquidity'] },
): CostModel {
  const m = typeof base === 'string' ? COST_PRESETS[base] : base;
  return costModelSchema.parse({
    ...m,
    id: extra.id,
    label: extra.label ?? `${m.label} + execution`,
    halfSpreadBps: extra.halfSpreadBps ?? m.halfSpreadBps,
    slippage: extra.slippage ?? m.slippage,
    liquidity: extra.liquidity ?? m.liquidity,
  });
}
