/**
 * A run's measured cost views: every venue's measured model (./measured.ts) applied to the run's trades, recorded
 * with the model's version and parsed configuration (the run's provenance: which source each component came from,
 * counted per venue), and laid beside the fee-only presets for judging (`withMeasuredViews`: each trade gets the
 * `<venue>-measured` round trip and net return, the result a per-trade summary under the same key).
 *
 * The measured views are a separate field of the stored run, outside the core result and its `resultHash`, so the
 * hashes of the existing views do not change; they carry their own version (`MEASURED_COST_VERSION`).
 */
import { tradeStats } from '../backtest/metrics';
import type { RawTrade, Trade } from '../backtest/types';
import { measuredCostConfigSchema, measuredVenuesCosts, MEASURED_COST_VERSION, type MeasuredCostConfig, type MeasuredCostConfigInput, type MeasuredVenueCosts, type MeasuredVenueInput } from './measured';

export interface MeasuredCosts {
  version: string;
  config: MeasuredCostConfig;
  venues: MeasuredVenueCosts[];
}

/** Price a run's trades under each venue's measured model (a series' market columns computed once for all venues). */
export function measureRunCosts(trades: readonly RawTrade[], venues: readonly MeasuredVenueInput[], config: MeasuredCostConfigInput | MeasuredCostConfig = {}): MeasuredCosts {
  const cfg = measuredCostConfigSchema.parse(config);
  return { version: MEASURED_COST_VERSION, config: cfg, venues: measuredVenuesCosts(trades, venues, cfg) };
}

/** The result's trades and per-view summaries with the measured views added beside the presets' (for judging). */
export function withMeasuredViews<R extends { trades: readonly Trade[]; net: Readonly<Record<string, unknown>> }>(result: R, m: MeasuredCosts | null | undefined): { trades: Trade[]; net: Record<string, unknown> } {
  if (!m || m.venues.length === 0) return { trades: [...result.trades], net: { ...result.net } };
  for (const v of m.venues) {
    if (v.net.length !== result.trades.length) throw new Error(`measured view ${v.id} has ${v.net.length} trades, the result ${result.trades.length}`);
  }
  const trades = result.trades.map((t, k) => {
    const net = { ...t.net };
    const roundTripBps = { ...t.roundTripBps };
    for (const v of m.venues) {
      net[v.id] = v.net[k]!;
      roundTripBps[v.id] = v.roundTripBps[k]!;
    }
    return { ...t, net, roundTripBps };
  });
  const net: Record<string, unknown> = { ...result.net };
  for (const v of m.venues) net[v.id] = tradeStats(v.net);
  return { trades, net };
}
