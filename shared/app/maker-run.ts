/**
 * The honest-maker report stored with a single-series run (issue 12 item 6, shown on its run page): the strategy's
 * entries posted as limits at the signal close, filled only when a later candle trades through by one tick within
 * three candles (`shared/research/maker-fills.ts`, the kernel's `limitTradeThrough`), priced on the run venue's fee
 * schedule. No verdict reads it. The tick is inferred from the candles' own price decimals (the finest step any
 * price in the window is quoted in) and the stored report says so.
 */
import type { Candle, CandleSeries } from '../candles/candle';
import { legVenueOf } from '../candles/spread';
import { FEE_TIERS } from '../costs/fee-schedules';
import { makerFillReport, type MakerFillReport } from '../research/maker-fills';
import type { Params, Strategy } from '../strategies/types';

/** Candles a resting maker limit waits before it is cancelled (a missed trade). */
export const MAKER_MAX_CANDLES = 3;

/** Decimals of a quoted price (binary float noise ignored: 30203.449999999997 is 30203.45, 2 decimals). */
function decimals(x: number): number {
  for (let d = 0; d < 8; d++) {
    const p = 10 ** d;
    if (Math.abs(Math.round(x * p) / p - x) <= Math.abs(x) * 1e-12) return d;
  }
  return 8;
}

/** The finest price step the window's candles are quoted in (10^−d for the most decimals seen, at most 8). */
export function inferTick(candles: readonly Candle[]): number | null {
  if (candles.length === 0) return null;
  let d = 0;
  for (const c of candles) d = Math.max(d, decimals(c.open), decimals(c.high), decimals(c.low), decimals(c.close));
  return Number((10 ** -Math.min(d, 8)).toFixed(Math.min(d, 8)));
}

export type StoredMakerReport = MakerFillReport & { tickSource: string };

/**
 * The run's maker report, or null where it has no meaning: a derived pair (its "price" is a ratio of two legs, no
 * venue quotes it), a venue without a fee schedule, or a window without candles.
 */
export function makerOfRun(
  series: CandleSeries,
  candles: readonly Candle[],
  strategy: Strategy<Params, unknown>,
  params: Params,
  window: { from: number; to: number },
  venue: string,
  inputs: { reference?: CandleSeries } = {},
): StoredMakerReport | null {
  if (legVenueOf(venue) !== undefined || !(venue in FEE_TIERS)) return null;
  const tick = inferTick(candles);
  if (tick === null) return null;
  const r = makerFillReport(series, strategy, params, window, { tick, venue, maxCandles: MAKER_MAX_CANDLES }, inputs);
  return { ...r, tickSource: 'inferred from the finest price step of the window’s candles' };
}
