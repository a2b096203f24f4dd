/**
 * The measured cost model: what one fill costs on one venue, for one symbol, at one time, for the run's order
 * size — fee + half-spread + impact, each from the best source there is, and which source each came from.
 *
 * Per fill (every fill is priced as a TAKER fill: no verdict assumes maker fills), per leg of the traded series
 * (one leg for a plain symbol; both legs for a pair such as the BTC/ETH ratio, each trading the order notional),
 * with i = the fill candle's index in the leg's candles (so candles 0..i−1 are the ones closed before the fill):
 *  - fee: the taker bps of the venue's fee schedule row in force at the fill's time, of the configured tier
 *    (./fee-schedules.ts; default the lowest tier). Source `<tier>@<effectiveFrom>`.
 *  - half-spread: the venue's book snapshot for the fill's time bucket — the last snapshot with
 *    bucket ≤ time < bucket + `snapshotMaxAgeMs` (5 min: one cron bucket) — source `book`; else EDGE (./estimators)
 *    over the `edgeWindowCandles` candles closed before the fill's UTC day began (refreshed once a day; default one
 *    day of candles, at least 60 and at most `EDGE_WINDOW_CAP` = 360 — 6 h of 1m candles: a full day of minutes at
 *    every daily refresh made the measured model 30–60 % of a one-year 1m backtest, `npm run bench -- backtest`),
 *    its SIGNED estimate halved, source `edge` (`edge-proxy` when the candles are
 *    another venue's); EDGE ≤ 0 ("below
 *    what these candles resolve") or refused for too few candles → `floorHalfSpreadBps` (default 0.5 bp, the
 *    resolution of 1m EDGE on crypto, shared/costs/README.md), source `floor:edge-unresolved` /
 *    `floor:edge-insufficient`. Never a zero cost, never |s|.
 *  - impact: the square-root law `k · σ · √(Q / V)` (./impact.ts), Q = the order notional, V = quote volume
 *    (Σ volume·close) of the `horizonCandles` candles before the fill (default one hour of candles, at least 1),
 *    σ = the standard deviation of the `volLookbackCandles` log close-to-close returns before the fill (default one
 *    day, at least 30) × √horizon — the definitions the k fit uses (shared/market/impact-calibration.ts). k is the
 *    venue's fit where the run is given one (source `fit`), else `DEFAULT_IMPACT_K` (source `default-k`); with
 *    another venue's candles `-proxy-volume` is appended. Q/V above `maxParticipation` (default 10 %) refuses the
 *    order: `MeasuredCostRefusedError` names the venue, symbol, time and share. Fewer than 3 candles before the
 *    fill: impact 0, source `unmeasured:insufficient-candles` (counted, so a reader sees it).
 * No lookahead: nothing at or after the fill's candle is read. Same inputs, same numbers.
 *
 * `measuredVenueCosts` prices every trade of a run through `createMeasuredCostHook` and the kernel's cost hook
 * (shared/execution `costTrade`: one net-return convention), and returns per trade the round-trip bps and net
 * return, the mean components and the count of fills per source of each component (the run's provenance).
 */
import { z } from 'zod';
import { TIMEFRAME_MS } from '../candles/timeframe';
import type { CandleSeries } from '../candles/candle';
import type { RawTrade } from '../backtest/types';
import { lowerBound } from '../backtest/version';
import { costTrade, type CostHook, type FillCost, type FillCostQuery } from '../execution/cost-hook';
import { feeEntryAt } from './cost-model';
import { feeSchedule } from './fee-schedules';
import { DEFAULT_IMPACT_K, DEFAULT_MAX_PARTICIPATION, ImpactRefusedError, sqrtImpact } from './impact';
import { edgeOnLogs, toLogOhlc } from './estimators';

/** Version of the measured model's rules (recorded with every measured view; bump when a rule or default changes). */
export const MEASURED_COST_VERSION = 'measured-cost/1.0.0';

export const measuredCostConfigSchema = z.object({
  /** Quote notional of each order (each leg of a pair trades this much). */
  orderNotional: z.number().finite().positive().default(10_000),
  /** Fee tier per venue (a tier name of ./fee-schedules.ts); venues not named use their lowest tier. */
  tiers: z.record(z.string(), z.string()).default({}),
  /** A book snapshot prices fills within this long after its bucket start. */
  snapshotMaxAgeMs: z.number().int().positive().default(5 * 60_000),
  /** EDGE window, candles; default one day of the series' candles, at least 60 and at most 360 (EDGE_WINDOW_CAP). */
  edgeWindowCandles: z.number().int().min(3).optional(),
  /** Half-spread used when EDGE cannot resolve the spread, bps. */
  floorHalfSpreadBps: z.number().finite().min(0).max(100).default(0.5),
  impact: z
    .object({
      /** Candles in the holding horizon (V, σ scaling); default one hour of candles, at least 1. */
      horizonCandles: z.number().int().min(1).optional(),
      /** Returns in the σ estimate; default one day of candles, at least 30. */
      volLookbackCandles: z.number().int().min(2).optional(),
      maxParticipation: z.number().finite().positive().max(1).default(DEFAULT_MAX_PARTICIPATION),
      /** A venue's fitted k (`npm run research -- impact-fit`) and where it came from. */
      k: z.record(z.string(), z.object({ k: z.number().finite().min(0), source: z.string().min(1) })).default({}),
    })
    .prefault({}),
});
export type MeasuredCostConfig = z.infer<typeof measuredCostConfigSchema>;
export type MeasuredCostConfigInput = z.input<typeof measuredCostConfigSchema>;

/** One traded leg: its candles (this venue's own, or another venue's as a proxy) and this venue's book snapshots. */
export interface MeasuredLeg {
  symbol: string;
  series: CandleSeries;
  /** Whose candles `series` holds (≠ the venue: a proxy, marked in the sources). */
  candlesVenue: string;
  /** This venue's snapshots of this symbol, ascending by bucket. */
  snapshots?: readonly { bucket: number; halfSpreadBps: number }[];
}

export interface MeasuredVenueInput {
  venue: string;
  legs: readonly MeasuredLeg[];
}

export class MeasuredCostRefusedError extends Error {
  override readonly name = 'MeasuredCostRefusedError';
  constructor(
    readonly venue: string,
    readonly symbol: string,
    readonly time: number,
    readonly participation: number,
    readonly maxParticipation: number,
    readonly orderNotional: number,
  ) {
    super(
      `measured costs: an order of ${orderNotional} on ${venue} ${symbol} at ${new Date(time).toISOString()} is ${(participation * 100).toPrecision(3)} % of the horizon's volume, above the ${(maxParticipation * 100).toPrecision(3)} % allowed (lower the order notional or raise maxParticipation)`,
    );
  }
}

interface LegCost {
  halfSpreadBps: number;
  spread: string;
  impactBps: number;
  impact: string;
}

const DAY_MS = 86_400_000;

/** Most candles an EDGE window spans by default (see `edgeWindowCandles`). */
export const EDGE_WINDOW_CAP = 360;

/** What a leg's candles say at one fill time, whatever the venue: the day's EDGE estimate, σ and V before the fill. */
interface MarketPoint {
  edge: { signed: number; ok: boolean; reason?: string };
  /** NaN when fewer than 3 candles precede the fill. */
  sigma: number;
  volume: number;
}

/**
 * Per series (a venue's candles), shared by every venue priced on them — the half-spread, σ and V do not depend on
 * the venue: the EDGE estimate per day bucket, the market point per fill time, and prefix sums of log returns,
 * squared log returns and quote volume, so σ and V over any lookback are O(1) per fill. Measured with
 * `npm run bench -- backtest`: recomputing every fill's windows for each venue made the measured model 25× slower
 * than the one-year 1m backtest itself.
 */
interface SeriesCache {
  edge: Map<number, MarketPoint['edge']>;
  /** Per window configuration `W:H:L`, per fill time. */
  points: Map<string, Map<number, MarketPoint>>;
  sumR: Float64Array | null;
  sumR2: Float64Array | null;
  sumQv: Float64Array | null;
}

const seriesCaches = new WeakMap<CandleSeries, SeriesCache>();

function seriesCache(s: CandleSeries): SeriesCache {
  let c = seriesCaches.get(s);
  if (!c) {
    c = { edge: new Map(), points: new Map(), sumR: null, sumR2: null, sumQv: null };
    seriesCaches.set(s, c);
  }
  return c;
}

/** Prefix sums over r_j = ln(close_j / close_{j−1}) (r_0 = 0), r_j² and quote volume volume_j·close_j. */
function prefixes(s: CandleSeries, c: SeriesCache): { sumR: Float64Array; sumR2: Float64Array; sumQv: Float64Array } {
  if (!c.sumR || !c.sumR2 || !c.sumQv) {
    const n = s.length;
    const sumR = new Float64Array(n + 1);
    const sumR2 = new Float64Array(n + 1);
    const sumQv = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) {
      const r = j === 0 ? 0 : Math.log(s.close[j]! / s.close[j - 1]!);
      sumR[j + 1] = sumR[j]! + r;
      sumR2[j + 1] = sumR2[j]! + r * r;
      sumQv[j + 1] = sumQv[j]! + s.volume[j]! * s.close[j]!;
    }
    c.sumR = sumR;
    c.sumR2 = sumR2;
    c.sumQv = sumQv;
  }
  return { sumR: c.sumR, sumR2: c.sumR2, sumQv: c.sumQv };
}

/** The market point of `time` on series `s` for windows (W, H, L), cached per series in `points`. */
function marketPoint(s: CandleSeries, cache: SeriesCache, points: Map<number, MarketPoint>, time: number, W: number, H: number, L: number): MarketPoint {
  const hit = points.get(time);
  if (hit) return hit;
  const i = lowerBound(s.openTime, time);
  // The half-spread is refreshed once a day: the window ends at the first candle of the fill's UTC day.
  const b = Math.min(i, lowerBound(s.openTime, Math.floor(time / DAY_MS) * DAY_MS));
  const ek = b * 1e6 + W;
  let edge = cache.edge.get(ek);
  if (!edge) {
    const a = Math.max(0, b - W);
    const e = edgeOnLogs(toLogOhlc({ open: s.open.subarray(a, b), high: s.high.subarray(a, b), low: s.low.subarray(a, b), close: s.close.subarray(a, b) }), 0, b - a);
    edge = e.ok ? { signed: e.signed, ok: true } : { signed: NaN, ok: false, reason: e.reason };
    cache.edge.set(ek, edge);
  }
  let sigma = NaN;
  let volume = NaN;
  const l = Math.min(L, i - 1);
  const h = Math.min(H, i);
  if (l >= 2 && h >= 1) {
    const { sumR, sumR2, sumQv } = prefixes(s, cache);
    volume = sumQv[i]! - sumQv[i - h]!;
    const m = (sumR[i]! - sumR[i - l]!) / l;
    sigma = Math.sqrt(Math.max(0, (sumR2[i]! - sumR2[i - l]! - l * m * m) / (l - 1))) * Math.sqrt(h);
  }
  const p = { edge, sigma, volume };
  points.set(time, p);
  return p;
}

function legPricer(venue: string, leg: MeasuredLeg, cfg: MeasuredCostConfig): (time: number) => LegCost {
  const s = leg.series;
  const perDay = Math.max(1, Math.round(DAY_MS / TIMEFRAME_MS[s.timeframe]));
  const perHour = Math.max(1, Math.round(3_600_000 / TIMEFRAME_MS[s.timeframe]));
  const W = cfg.edgeWindowCandles ?? Math.max(60, Math.min(perDay, EDGE_WINDOW_CAP));
  const H = cfg.impact.horizonCandles ?? perHour;
  const L = cfg.impact.volLookbackCandles ?? Math.max(30, perDay);
  const fit = cfg.impact.k[venue];
  const k = fit?.k ?? DEFAULT_IMPACT_K;
  const proxy = leg.candlesVenue !== venue;
  const kSource = (fit ? 'fit' : 'default-k') + (proxy ? '-proxy-volume' : '');
  const snaps = leg.snapshots ?? [];
  const cache = seriesCache(s);
  const pkey = `${W}:${H}:${L}`;
  let points = cache.points.get(pkey);
  if (!points) {
    points = new Map();
    cache.points.set(pkey, points);
  }
  return (time: number): LegCost => {
    const { edge: e, sigma, volume } = marketPoint(s, cache, points, time, W, H, L);
    let halfSpreadBps: number;
    let spread: string;
    if (e.ok && e.signed > 0) {
      halfSpreadBps = (e.signed / 2) * 1e4;
      spread = proxy ? 'edge-proxy' : 'edge';
    } else {
      halfSpreadBps = cfg.floorHalfSpreadBps;
      spread = e.ok || e.reason === 'not-identifiable' ? 'floor:edge-unresolved' : 'floor:edge-insufficient';
    }
    if (snaps.length > 0) {
      let lo = 0;
      let hi = snaps.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (snaps[mid]!.bucket <= time) lo = mid + 1;
        else hi = mid;
      }
      const sn = lo > 0 ? snaps[lo - 1]! : null;
      if (sn && time - sn.bucket < cfg.snapshotMaxAgeMs) {
        halfSpreadBps = sn.halfSpreadBps;
        spread = 'book';
      }
    }
    let impactBps = 0;
    let impact = 'unmeasured:insufficient-candles';
    if (Number.isNaN(sigma)) impact = 'unmeasured:insufficient-candles';
    else if (!(volume > 0)) impact = 'unmeasured:no-volume';
    else {
      impactBps = sqrtImpact({ notional: cfg.orderNotional, volume, sigma }, { k, maxParticipation: cfg.impact.maxParticipation }).impactBps;
      impact = kSource;
    }
    return { halfSpreadBps, spread, impactBps, impact };
  };
}

/**
 * The measured model of one venue as a kernel cost hook (rules in the module doc). Throws MeasuredCostRefusedError
 * when an order is above the allowed share of volume, UnknownFeeTierError for a tier the venue does not have.
 */
export function createMeasuredCostHook(input: MeasuredVenueInput, config: MeasuredCostConfigInput | MeasuredCostConfig = {}): CostHook {
  const cfg = measuredCostConfigSchema.parse(config);
  const schedule = feeSchedule(input.venue, cfg.tiers[input.venue]);
  if (input.legs.length === 0) throw new Error(`measured costs: ${input.venue} has no legs`);
  const legs = input.legs.map((l) => ({ leg: l, price: legPricer(input.venue, l, cfg) }));
  const feeLabels = new Map<string, string>();
  return (fill: FillCostQuery): FillCost => {
    const row = feeEntryAt(schedule, fill.time);
    let fee = feeLabels.get(row.effectiveFrom);
    if (fee === undefined) {
      fee = `${schedule.tier}@${row.effectiveFrom}`;
      feeLabels.set(row.effectiveFrom, fee);
    }
    let feeBps = 0;
    let halfSpreadBps = 0;
    let impactBps = 0;
    const sources: FillCost['sources'] = [];
    for (const { leg, price } of legs) {
      let c: LegCost;
      try {
        c = price(fill.time);
      } catch (err) {
        if (err instanceof ImpactRefusedError) throw new MeasuredCostRefusedError(input.venue, leg.symbol, fill.time, err.participation, err.maxParticipation, cfg.orderNotional);
        throw err;
      }
      feeBps += row.takerBps;
      halfSpreadBps += c.halfSpreadBps;
      impactBps += c.impactBps;
      sources.push({ fee, spread: c.spread, impact: c.impact });
    }
    return { feeBps, halfSpreadBps, impactBps, totalBps: feeBps + halfSpreadBps + impactBps, sources };
  };
}

/** One venue's measured view of a run's trades. */
export interface MeasuredVenueCosts {
  /** The view id (`<venue>-measured`), the key of `net` / `roundTripBps` beside the presets. */
  id: string;
  venue: string;
  tier: string;
  legs: { symbol: string; candlesVenue: string; snapshots: number }[];
  /** Per trade, in trade order. */
  roundTripBps: number[];
  net: number[];
  /** Mean round-trip bps per component (fee / half-spread / impact, both fills, every leg). */
  components: { feeBps: number; halfSpreadBps: number; impactBps: number };
  /** Fill-legs per source of each component (two fills per trade × legs). */
  sources: { fee: Record<string, number>; spread: Record<string, number>; impact: Record<string, number> };
}

/** The measured view id of a venue. */
export function measuredViewId(venue: string): string {
  return `${venue}-measured`;
}

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

/** Every trade of a run priced by one venue's measured model (through the kernel's cost hook). */
export function measuredVenueCosts(trades: readonly RawTrade[], input: MeasuredVenueInput, config: MeasuredCostConfigInput | MeasuredCostConfig = {}): MeasuredVenueCosts {
  const cfg = measuredCostConfigSchema.parse(config);
  const hook = createMeasuredCostHook(input, cfg);
  const roundTripBps: number[] = [];
  const net: number[] = [];
  const sums = { feeBps: 0, halfSpreadBps: 0, impactBps: 0 };
  const sources: MeasuredVenueCosts['sources'] = { fee: {}, spread: {}, impact: {} };
  for (const t of trades) {
    const c = costTrade(t, hook);
    roundTripBps.push(c.roundTripBps);
    net.push(c.net);
    for (const f of [c.entry, c.exit]) {
      sums.feeBps += f.feeBps;
      sums.halfSpreadBps += f.halfSpreadBps;
      sums.impactBps += f.impactBps;
      for (const s of f.sources) {
        bump(sources.fee, s.fee);
        bump(sources.spread, s.spread);
        bump(sources.impact, s.impact);
      }
    }
  }
  const n = trades.length;
  return {
    id: measuredViewId(input.venue),
    venue: input.venue,
    tier: feeSchedule(input.venue, cfg.tiers[input.venue]).tier,
    legs: input.legs.map((l) => ({ symbol: l.symbol, candlesVenue: l.candlesVenue, snapshots: l.snapshots?.length ?? 0 })),
    roundTripBps,
    net,
    components: n > 0 ? { feeBps: sums.feeBps / n, halfSpreadBps: sums.halfSpreadBps / n, impactBps: sums.impactBps / n } : { feeBps: 0, halfSpreadBps: 0, impactBps: 0 },
    sources,
  };
}
