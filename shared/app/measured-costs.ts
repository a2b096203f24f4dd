/**
 * Loading what a run's measured cost views need and computing them (shared/costs/measured-run.ts): for each of the
 * five venues, the traded legs — the run's own symbol, or both legs of a derived pair (`derived` BTC/ETH: the
 * BTC/USDT and ETH/USDT candles of the venue the ratio was derived from, each leg paying its own costs) — with
 * enough candles before the window for the EDGE and volatility lookbacks, the venue's stored book snapshots of
 * each leg over the window, and the venue's impact k fitted on its stored snapshots (`calibrateImpactK`) where a
 * fit exists. Candles are the data venue's; another venue's measured view uses them as a proxy (marked in the
 * sources, and the verdict is capped by `proxyPriceVerdict`). k is a venue constant calibrated on every stored
 * snapshot of the venue (a calibration input like the fee schedule, not a signal input), recorded as its source.
 * No Node or Workers-only APIs.
 */
import { toSeries, type CandleSeries } from '../candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../candles/timeframe';
import type { RawTrade } from '../backtest/types';
import { VENUE_IDS } from '../costs/presets';
import { measuredCostConfigSchema, type MeasuredCostConfig, type MeasuredCostConfigInput, type MeasuredLeg } from '../costs/measured';
import { measureRunCosts, type MeasuredCosts } from '../costs/measured-run';
import { loadBookSnapshots } from '../db/queries/book-snapshots';
import { loadCandles, loadDerivedCandles, seriesSource } from '../db/queries/candles';
import { calibrateImpactK } from '../market/impact-calibration';
import type { Database } from '../db/database';
import type { LoadedWindow } from './window';
import { legVenueOf } from '../candles/spread';

/** The run's legs cannot be found (a derived series without a spread source, no leg candles): retrying cannot fix it. */
export class MeasuredCostInputError extends Error {
  override readonly name = 'MeasuredCostInputError';
}

/** Candles of lookback loaded before the window: the largest default lookback (one day of 1m candles) and then some. */
const LOOKBACK_CANDLES = 1500;

/** The legs a series trades: itself, or for a derived pair A/B the A/QUOTE and B/QUOTE series of its source venue. */
export function tradedLegs(win: Pick<LoadedWindow, 'key' | 'sources'>): { venue: string; symbols: string[] } {
  if (legVenueOf(win.key.venue) === undefined) return { venue: win.key.venue, symbols: [win.key.symbol] };
  const src = win.sources.map((s) => /^spread:([a-z]+):([A-Z0-9]+)\/([A-Z0-9]+)÷([A-Z0-9]+)\/([A-Z0-9]+)/.exec(s.source)).find((m) => m !== null);
  if (!src) throw new MeasuredCostInputError(`measured costs: derived series ${win.key.symbol} has no spread source naming its legs (sources: ${win.sources.map((s) => s.source).join(', ') || 'none'})`);
  return { venue: src[1]!, symbols: [`${src[2]}/${src[3]}`, `${src[4]}/${src[5]}`] };
}

/** The run's measured cost views over `trades` (rules in the module doc). */
export async function measureRun(db: Database, win: LoadedWindow, trades: readonly RawTrade[], config: MeasuredCostConfigInput = {}): Promise<MeasuredCosts> {
  const tf = win.key.timeframe as Timeframe;
  const tfMs = TIMEFRAME_MS[tf];
  const legs = tradedLegs(win);
  const start = (win.candles[0]?.openTime ?? win.from) - LOOKBACK_CANDLES * tfMs;
  const end = Math.max(win.to, trades.at(-1)?.exitTime ?? win.to) + tfMs;
  // One series object per leg, shared by every venue's view: the measured model computes a series' market
  // columns (EDGE, σ, V) once for all venues priced on it (shared/costs/measured.ts).
  const legSeries = new Map<string, CandleSeries>();
  for (const symbol of legs.symbols) {
    // The leg at the run's timeframe, derived from a stored base when that timeframe is not stored (as the window is).
    const legKey = { venue: legs.venue, symbol, timeframe: tf };
    const candles = await loadDerivedCandles(db, legKey, (await seriesSource(db, legKey, start, end)) ?? tf, start, end);
    if (candles.length === 0) throw new MeasuredCostInputError(`measured costs: no ${legs.venue} ${symbol} ${tf} candles for the run's legs`);
    legSeries.set(symbol, toSeries(candles, tf, symbol));
  }
  const base = measuredCostConfigSchema.parse(config);
  const k: MeasuredCostConfig['impact']['k'] = { ...base.impact.k };
  const inputs = [];
  for (const venue of VENUE_IDS) {
    const venueLegs: MeasuredLeg[] = [];
    for (const symbol of legs.symbols) {
      const snaps = await loadBookSnapshots(db, { venue, symbol, from: start, to: end });
      venueLegs.push({ symbol, series: legSeries.get(symbol)!, candlesVenue: legs.venue, snapshots: snaps.map((s) => ({ bucket: s.bucket, halfSpreadBps: s.halfSpreadBps })) });
    }
    if (!k[venue]) {
      const fit = await fitVenueK(db, venue, legs.symbols[0]!);
      if (fit) k[venue] = fit;
    }
    inputs.push({ venue, legs: venueLegs });
  }
  return measureRunCosts(trades, inputs, { ...base, impact: { ...base.impact, k } });
}

/** The venue's square-root k from all its stored snapshots of `symbol` and its own 5m candles, when a fit exists. */
async function fitVenueK(db: Database, venue: string, symbol: string): Promise<{ k: number; source: string } | null> {
  const snaps = await loadBookSnapshots(db, { venue, symbol });
  if (snaps.length < 2) return null;
  const tf: Timeframe = '5m';
  const first = snaps[0]!.bucket;
  const last = snaps.at(-1)!.bucket;
  const candles = await loadCandles(db, { venue, symbol, timeframe: tf }, first - 300 * TIMEFRAME_MS[tf], last);
  const c = calibrateImpactK(snaps, candles, { timeframe: tf });
  // A fit is used only when it is a cost (k ≥ 0): a noisy fit through ~zero walk-the-book costs can come out negative.
  if (!c.fit.ok || !(c.fit.k >= 0)) return null;
  return { k: c.fit.k, source: `fit on ${c.fit.n} walk-the-book costs of ${snaps.length} ${venue} ${symbol} snapshots (k ${c.fit.k.toPrecision(4)} ± ${c.fit.robustStandardError.toPrecision(3)})` };
}
