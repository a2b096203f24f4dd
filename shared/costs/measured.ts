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
 *    σ = the standard deviation of the `volLookbackCandles` simple close-to-close returns close_j / close_{j−1} − 1
 *    before the fill (default one day, at least 30) × √horizon (log returns before 1.1.0, see `prefixes`) — the
 *    definitions the k fit uses (shared/market/impact-calibration.ts). k is the venue's fit where the run is given
 *    one (source `fit`), else `DEFAULT_IMPACT_K` (source `default-k`); with another venue's candles `-proxy-volume`
 *    is appended. Q/V above `maxParticipation` (default 10 %) refuses the
 *    order: `MeasuredCostRefusedError` names the venue, symbol, time and share. Fewer than 3 candles before the
 *    fill: impact 0, source `unmeasured:insufficient-candles` (counted, so a reader sees it).
 * No lookahead: nothing at or after the fill's candle is read. Same inputs, same numbers.
 *
 * `createMeasuredCostHook` is the model as the kernel's cost hook, one fill at a time. `measuredVenuesCosts` (and
 * `measuredVenueCosts` for one venue) prices every trade of a run and returns per trade the round-trip bps and net
 * return, the mean components and the count of fills per source of each component (the run's provenance) — the
 * numbers `costTrade` through the hook gives, to the bit (the kernel's net-return convention, `netReturn`), pinned
 * against a straightforward reference on real candles and trades (./measured-reference.test.ts), batched: what the
 * candles say at each fill (EDGE, σ, V, √(Q/V)) is computed once per series for every venue priced on it, σ and V
 * by one sweep of running sums read only where fills need them, EDGE once per day window, and sources are counted
 * by code instead of built per fill. `npm run bench -- backtest` times it against the one-year 1m backtest.
 */
import { z } from 'zod';
import { TIMEFRAME_MS } from '../candles/timeframe';
import type { CandleSeries } from '../candles/candle';
import type { RawTrade } from '../backtest/types';
import { lowerBound, lowerBoundFrom } from '../backtest/version';
import type { CostHook, FillCost, FillCostQuery } from '../execution/cost-hook';
import { feeEntryAt, feeRowIndex, feeRowStarts, netReturn } from './cost-model';
import { feeSchedule } from './fee-schedules';
import { DEFAULT_IMPACT_K, DEFAULT_MAX_PARTICIPATION, ImpactRefusedError, sqrtImpact } from './impact';
import { edgeOnLogs, toLogOhlc, type LogOhlc } from './estimators';

/** Version of the measured model's rules (recorded with every measured view; bump when a rule or default changes). */
export const MEASURED_COST_VERSION = 'measured-cost/1.1.0';

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

/** The day's EDGE estimate of a window: its signed value, or why it was refused. */
interface EdgePoint {
  signed: number;
  ok: boolean;
  reason?: string;
}

/** What a leg's candles say at one fill time, whatever the venue: the day's EDGE estimate, σ and V before the fill. */
interface MarketPoint {
  edge: EdgePoint;
  /** NaN when fewer than 3 candles precede the fill. */
  sigma: number;
  volume: number;
}

/**
 * Per series (a venue's candles), shared by every venue priced on them — the half-spread, σ and V do not depend on
 * the venue: the EDGE estimate per day bucket and, for the one-fill hook, the market point per fill time and prefix
 * sums of returns, squared returns and quote volume (σ and V over any lookback in O(1) per fill).
 */
interface SeriesCache {
  edge: Map<number, EdgePoint>;
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

/** Log-price buffers for EDGE windows of up to `w` candles (one set per pass, reused by every window). */
function logBuffers(w: number): Omit<LogOhlc, 'n'> {
  return { o: new Float64Array(w), h: new Float64Array(w), l: new Float64Array(w), c: new Float64Array(w) };
}

/** EDGE on the `W` candles before candle `b` (the fill's UTC day start), cached per series by (b, W). */
function edgeAt(s: CandleSeries, cache: SeriesCache, b: number, W: number, buf: Omit<LogOhlc, 'n'>): EdgePoint {
  const ek = b * 1e6 + W;
  let edge = cache.edge.get(ek);
  if (!edge) {
    const a = Math.max(0, b - W);
    const e = edgeOnLogs(toLogOhlc(s, { from: a, to: b, into: buf }), 0, b - a);
    edge = e.ok ? { signed: e.signed, ok: true } : { signed: NaN, ok: false, reason: e.reason };
    cache.edge.set(ek, edge);
  }
  return edge;
}

/**
 * Prefix sums over the returns r_j = close_j / close_{j−1} − 1 (r_0 = 0), r_j² and quote volume volume_j·close_j.
 * Simple returns since measured-cost/1.1.0 (written out here and in `sweepSigmaVolume`); 1.0.0 took
 * ln(close_j / close_{j−1}). The two differ by about r²/2 per candle: on the real 2022 BTC/USDT 5m file the mean
 * impact moved by +0.03 % and no round trip of a 10k order by more than 0.02 bp, below the 0.1 bp the verdicts
 * print. The square-root law's σ is the volatility of returns in either convention (Tóth et al. 2011, Eq. 1: the
 * daily volatility), and the ~525k logs of a year of 1m candles were a quarter to a third of the model's step
 * against a one-year 1m backtest (`npm run bench -- backtest`). The k fit takes the same returns
 * (shared/market/impact-calibration.ts).
 */
function prefixes(s: CandleSeries, c: SeriesCache): { sumR: Float64Array; sumR2: Float64Array; sumQv: Float64Array } {
  if (!c.sumR || !c.sumR2 || !c.sumQv) {
    const n = s.length;
    const sumR = new Float64Array(n + 1);
    const sumR2 = new Float64Array(n + 1);
    const sumQv = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) {
      const r = j === 0 ? 0 : s.close[j]! / s.close[j - 1]! - 1;
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

/** σ of the l returns before candle i scaled to h candles, from prefix values at i and i − l (the k fit's definition). */
function sigmaOf(rI: number, r2I: number, rL: number, r2L: number, l: number, h: number): number {
  const m = (rI - rL) / l;
  return Math.sqrt(Math.max(0, (r2I - r2L - l * m * m) / (l - 1))) * Math.sqrt(h);
}

/** The market point of `time` on series `s` for windows (W, H, L), cached per series in `points` (the hook's path). */
function marketPoint(s: CandleSeries, cache: SeriesCache, points: Map<number, MarketPoint>, time: number, W: number, H: number, L: number, buf: Omit<LogOhlc, 'n'>): MarketPoint {
  const hit = points.get(time);
  if (hit) return hit;
  const i = lowerBound(s.openTime, time);
  // The half-spread is refreshed once a day: the window ends at the first candle of the fill's UTC day.
  const b = Math.min(i, lowerBound(s.openTime, Math.floor(time / DAY_MS) * DAY_MS));
  const edge = edgeAt(s, cache, b, W, buf);
  let sigma = NaN;
  let volume = NaN;
  const l = Math.min(L, i - 1);
  const h = Math.min(H, i);
  if (l >= 2 && h >= 1) {
    const { sumR, sumR2, sumQv } = prefixes(s, cache);
    volume = sumQv[i]! - sumQv[i - h]!;
    sigma = sigmaOf(sumR[i]!, sumR2[i]!, sumR[i - l]!, sumR2[i - l]!, l, h);
  }
  const p = { edge, sigma, volume };
  points.set(time, p);
  return p;
}

/** The windows of a leg's series: EDGE `W`, impact horizon `H`, σ lookback `L` (candles; rules in the module doc). */
function legWindows(s: CandleSeries, cfg: MeasuredCostConfig): { W: number; H: number; L: number } {
  const perDay = Math.max(1, Math.round(DAY_MS / TIMEFRAME_MS[s.timeframe]));
  const perHour = Math.max(1, Math.round(3_600_000 / TIMEFRAME_MS[s.timeframe]));
  return {
    W: cfg.edgeWindowCandles ?? Math.max(60, Math.min(perDay, EDGE_WINDOW_CAP)),
    H: cfg.impact.horizonCandles ?? perHour,
    L: cfg.impact.volLookbackCandles ?? Math.max(30, perDay),
  };
}

/** A venue's k for the square-root law and its source label (`-proxy-volume` on another venue's candles). */
function legK(venue: string, leg: MeasuredLeg, cfg: MeasuredCostConfig): { k: number; kSource: string; proxy: boolean } {
  const fit = cfg.impact.k[venue];
  const proxy = leg.candlesVenue !== venue;
  return { k: fit?.k ?? DEFAULT_IMPACT_K, kSource: (fit ? 'fit' : 'default-k') + (proxy ? '-proxy-volume' : ''), proxy };
}

/** The half-spread of the last snapshot with bucket ≤ time < bucket + maxAge, or NaN when there is none. */
function snapshotHalfSpread(snaps: readonly { bucket: number; halfSpreadBps: number }[], time: number, maxAgeMs: number): number {
  let lo = 0;
  let hi = snaps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (snaps[mid]!.bucket <= time) lo = mid + 1;
    else hi = mid;
  }
  const sn = lo > 0 ? snaps[lo - 1]! : null;
  return sn && time - sn.bucket < maxAgeMs ? sn.halfSpreadBps : NaN;
}

/** EDGE's state at a fill: a positive estimate, unresolved (≤ 0 or not identifiable), too few candles. */
const EDGE_POSITIVE = 0;
const EDGE_UNRESOLVED = 1;
const EDGE_INSUFFICIENT = 2;

function edgeState(e: EdgePoint): number {
  if (e.ok && e.signed > 0) return EDGE_POSITIVE;
  return e.ok || e.reason === 'not-identifiable' ? EDGE_UNRESOLVED : EDGE_INSUFFICIENT;
}

function legPricer(venue: string, leg: MeasuredLeg, cfg: MeasuredCostConfig): (time: number) => LegCost {
  const s = leg.series;
  const { W, H, L } = legWindows(s, cfg);
  const { k, kSource, proxy } = legK(venue, leg, cfg);
  const snaps = leg.snapshots ?? [];
  const cache = seriesCache(s);
  const pkey = `${W}:${H}:${L}`;
  const buf = logBuffers(W);
  let points = cache.points.get(pkey);
  if (!points) {
    points = new Map();
    cache.points.set(pkey, points);
  }
  return (time: number): LegCost => {
    const { edge: e, sigma, volume } = marketPoint(s, cache, points, time, W, H, L, buf);
    let halfSpreadBps = cfg.floorHalfSpreadBps;
    let spread = 'floor:edge-unresolved';
    const state = edgeState(e);
    if (state === EDGE_POSITIVE) {
      halfSpreadBps = (e.signed / 2) * 1e4;
      spread = proxy ? 'edge-proxy' : 'edge';
    } else if (state === EDGE_INSUFFICIENT) spread = 'floor:edge-insufficient';
    const book = snaps.length > 0 ? snapshotHalfSpread(snaps, time, cfg.snapshotMaxAgeMs) : NaN;
    if (!Number.isNaN(book)) {
      halfSpreadBps = book;
      spread = 'book';
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
        throw refusalOf(err, input.venue, leg.symbol, fill.time, cfg.orderNotional);
      }
      feeBps += row.takerBps;
      halfSpreadBps += c.halfSpreadBps;
      impactBps += c.impactBps;
      sources.push({ fee, spread: c.spread, impact: c.impact });
    }
    return { feeBps, halfSpreadBps, impactBps, totalBps: feeBps + halfSpreadBps + impactBps, sources };
  };
}

/** An impact refusal as the venue's MeasuredCostRefusedError; any other error as it is. */
function refusalOf(err: unknown, venue: string, symbol: string, time: number, orderNotional: number): unknown {
  return err instanceof ImpactRefusedError ? new MeasuredCostRefusedError(venue, symbol, time, err.participation, err.maxParticipation, orderNotional) : err;
}

/**
 * What a leg's candles say at every fill of a run (fill 2k = trade k's entry, 2k + 1 its exit) for the run's order
 * size, whatever the venue: EDGE's state and half-spread, σ, √(Q/V) and the impact's state — computed once per
 * series and windows and shared by every venue priced on that series in one `measuredVenuesCosts` call. The
 * arithmetic is the hook's (`marketPoint`, `sqrtImpact`), to the bit.
 */
interface FillMarket {
  /** Fill time, ms UTC. */
  time: Float64Array;
  edgeState: Uint8Array;
  /** (signed EDGE / 2) · 1e4 where the state is positive. */
  edgeHalfSpreadBps: Float64Array;
  impactState: Uint8Array;
  sigma: Float64Array;
  /** √(Q / V) where the impact state is measured; Q / V where it is refused. */
  sqrtParticipation: Float64Array;
  participation: Float64Array;
  /** An error the hook would have thrown pricing this fill on this leg (malformed candles or volume), by fill. */
  errors: Map<number, unknown>;
}

/** Impact's state at a fill: measured, too few candles, no volume, order above the allowed share of volume. */
const IMPACT_MEASURED = 0;
const IMPACT_NO_CANDLES = 1;
const IMPACT_NO_VOLUME = 2;
const IMPACT_REFUSED = 3;

/** Fill markets of one `measuredVenuesCosts` call (one configuration), per series and windows. */
type FillMarkets = Map<CandleSeries, Map<string, FillMarket>>;

function fillMarket(markets: FillMarkets, trades: readonly RawTrade[], s: CandleSeries, cfg: MeasuredCostConfig): FillMarket {
  const { W, H, L } = legWindows(s, cfg);
  const key = `${W}:${H}:${L}`;
  let perSeries = markets.get(s);
  if (!perSeries) {
    perSeries = new Map();
    markets.set(s, perSeries);
  }
  const hit = perSeries.get(key);
  if (hit) return hit;
  const F = 2 * trades.length;
  const cache = seriesCache(s);
  const buf = logBuffers(W);
  const out: FillMarket = {
    time: new Float64Array(F),
    edgeState: new Uint8Array(F),
    edgeHalfSpreadBps: new Float64Array(F),
    impactState: new Uint8Array(F),
    sigma: new Float64Array(F).fill(NaN),
    sqrtParticipation: new Float64Array(F),
    participation: new Float64Array(F),
    errors: new Map(),
  };
  const volume = new Float64Array(F).fill(NaN);
  const at = new Int32Array(F);
  let day = NaN;
  let dayStart = 0;
  let lastB = -1;
  let i = 0;
  for (let f = 0; f < F; f++) {
    const t = trades[f >> 1]!;
    const time = f & 1 ? t.exitTime : t.entryTime;
    out.time[f] = time;
    // fills come roughly in time order: search from the previous fill's candle (the same index as lowerBound)
    i = lowerBoundFrom(s.openTime, time, i);
    at[f] = i;
    const d = Math.floor(time / DAY_MS) * DAY_MS;
    if (d !== day) {
      day = d;
      dayStart = lowerBoundFrom(s.openTime, d, i);
    }
    const b = Math.min(i, dayStart);
    if (b === lastB && f > 0 && !(out.errors.size > 0 && out.errors.has(f - 1))) {
      // the same window as the previous fill (most fills of a day): the same estimate
      out.edgeState[f] = out.edgeState[f - 1]!;
      out.edgeHalfSpreadBps[f] = out.edgeHalfSpreadBps[f - 1]!;
      continue;
    }
    lastB = b;
    try {
      const e = edgeAt(s, cache, b, W, buf);
      out.edgeState[f] = edgeState(e);
      out.edgeHalfSpreadBps[f] = (e.signed / 2) * 1e4;
    } catch (err) {
      out.errors.set(f, err);
    }
  }
  sweepSigmaVolume(s, at, H, L, out.sigma, volume);
  const notional = cfg.orderNotional;
  const checks = { k: 0, maxParticipation: cfg.impact.maxParticipation };
  for (let f = 0; f < F; f++) {
    const sigma = out.sigma[f]!;
    const v = volume[f]!;
    if (Number.isNaN(sigma)) out.impactState[f] = IMPACT_NO_CANDLES;
    else if (!(v > 0)) out.impactState[f] = IMPACT_NO_VOLUME;
    else {
      const p = notional / v;
      out.participation[f] = p;
      // sqrtImpact's checks (k, validated by the schema, plays no part in them); its product is taken per venue
      if (p > checks.maxParticipation || !(v < Infinity && sigma < Infinity)) {
        try {
          sqrtImpact({ notional, volume: v, sigma }, checks);
        } catch (err) {
          if (err instanceof ImpactRefusedError) out.impactState[f] = IMPACT_REFUSED;
          else if (!out.errors.has(f)) out.errors.set(f, err);
          continue;
        }
      }
      out.sqrtParticipation[f] = Math.sqrt(p);
    }
  }
  perSeries.set(key, out);
  return out;
}

/**
 * σ and V of every fill (candle index `at[f]`) from the prefix sums the hook keeps (`prefixes`), taken in one sweep
 * of running sums up to the last index any fill needs and read only at the indices the fills need (i, i − h,
 * i − l) instead of stored for every candle: the same sums, so the same bits.
 */
function sweepSigmaVolume(s: CandleSeries, at: Int32Array, H: number, L: number, sigma: Float64Array, vol: Float64Array): void {
  const F = at.length;
  const { close, volume } = s;
  // slot + 1 of each candle index a fill reads (0: none), and the prefix sums read there
  const slotOf = new Int32Array(s.length + 1);
  let slots = 0;
  let last = -1;
  const mark = (x: number): void => {
    if (slotOf[x] === 0) slotOf[x] = ++slots;
    if (x > last) last = x;
  };
  for (let f = 0; f < F; f++) {
    const i = at[f]!;
    const l = Math.min(L, i - 1);
    const h = Math.min(H, i);
    if (l < 2 || h < 1) continue;
    mark(i);
    mark(i - h);
    mark(i - l);
  }
  const pR = new Float64Array(slots);
  const pR2 = new Float64Array(slots);
  const pQ = new Float64Array(slots);
  let sR = 0;
  let sR2 = 0;
  let sQ = 0;
  for (let j = 0; j <= last; j++) {
    const k = slotOf[j]!;
    if (k !== 0) {
      pR[k - 1] = sR;
      pR2[k - 1] = sR2;
      pQ[k - 1] = sQ;
    }
    if (j === last) break;
    const r = j === 0 ? 0 : close[j]! / close[j - 1]! - 1;
    sR += r;
    sR2 += r * r;
    sQ += volume[j]! * close[j]!;
  }
  for (let f = 0; f < F; f++) {
    const i = at[f]!;
    const l = Math.min(L, i - 1);
    const h = Math.min(H, i);
    if (l < 2 || h < 1) continue;
    const kI = slotOf[i]! - 1;
    const kL = slotOf[i - l]! - 1;
    vol[f] = pQ[kI]! - pQ[slotOf[i - h]! - 1]!;
    sigma[f] = sigmaOf(pR[kI]!, pR2[kI]!, pR[kL]!, pR2[kL]!, l, h);
  }
}

/** Counts of source labels in first-seen order (the order the stored record's keys take). */
class SourceCounts {
  private readonly codes = new Map<string, number>();
  private readonly labels: string[] = [];
  private readonly counts: number[] = [];
  private readonly order: number[] = [];
  /** The code of a label (called while setting up, not per fill). */
  code(label: string): number {
    let c = this.codes.get(label);
    if (c === undefined) {
      c = this.labels.length;
      this.codes.set(label, c);
      this.labels.push(label);
      this.counts.push(0);
    }
    return c;
  }
  bump(code: number): void {
    if (this.counts[code]!++ === 0) this.order.push(code);
  }
  record(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.order) out[this.labels[c]!] = this.counts[c]!;
    return out;
  }
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

/** Every trade of a run priced by one venue's measured model (the hook's numbers; see `venueCosts`). */
export function measuredVenueCosts(trades: readonly RawTrade[], input: MeasuredVenueInput, config: MeasuredCostConfigInput | MeasuredCostConfig = {}): MeasuredVenueCosts {
  return measuredVenuesCosts(trades, [input], config)[0]!;
}

/** Each venue's view of a run's trades; the market columns of a series are computed once for every venue on it. */
export function measuredVenuesCosts(trades: readonly RawTrade[], venues: readonly MeasuredVenueInput[], config: MeasuredCostConfigInput | MeasuredCostConfig = {}): MeasuredVenueCosts[] {
  const cfg = measuredCostConfigSchema.parse(config);
  const markets: FillMarkets = new Map();
  return venues.map((v) => venueCosts(trades, v, cfg, markets));
}

/**
 * One venue's view, batched: what `costTrade` through `createMeasuredCostHook` gives, fill for fill and to the bit
 * (./measured-reference.test-util.ts pins it), without a query, cost and source object per fill: the market
 * columns come from `markets` (computed once per series for every venue of a run), sources are counted by code.
 * The fill arithmetic is the hook's and the net return the kernel's convention (`netReturn`, as `costTrade`).
 */
function venueCosts(trades: readonly RawTrade[], input: MeasuredVenueInput, cfg: MeasuredCostConfig, markets: FillMarkets): MeasuredVenueCosts {
  const schedule = feeSchedule(input.venue, cfg.tiers[input.venue]);
  if (input.legs.length === 0) throw new Error(`measured costs: ${input.venue} has no legs`);
  const fee = new SourceCounts();
  const spread = new SourceCounts();
  const impact = new SourceCounts();
  const unresolved = spread.code('floor:edge-unresolved');
  const insufficient = spread.code('floor:edge-insufficient');
  const book = spread.code('book');
  const noCandles = impact.code('unmeasured:insufficient-candles');
  const noVolume = impact.code('unmeasured:no-volume');
  const legs = input.legs.map((leg) => {
    const { k, kSource, proxy } = legK(input.venue, leg, cfg);
    return { symbol: leg.symbol, k, edge: spread.code(proxy ? 'edge-proxy' : 'edge'), fit: impact.code(kSource), snaps: leg.snapshots ?? [], m: fillMarket(markets, trades, leg.series, cfg) };
  });
  const feeCodes = schedule.entries.map((r) => fee.code(`${schedule.tier}@${r.effectiveFrom}`));
  const feeStarts = feeRowStarts(schedule);
  const times = legs[0]!.m.time;
  const floor = cfg.floorHalfSpreadBps;
  const n = trades.length;
  const roundTripBps: number[] = new Array<number>(n);
  const net: number[] = new Array<number>(n);
  let sumFee = 0;
  let sumHalfSpread = 0;
  let sumImpact = 0;
  let entryTotal = 0;
  for (let f = 0; f < 2 * n; f++) {
    const time = times[f]!;
    const r = feeRowIndex(feeStarts, time);
    const takerBps = schedule.entries[r]!.takerBps;
    const feeCode = feeCodes[r]!;
    let feeBps = 0;
    let halfSpreadBps = 0;
    let impactBps = 0;
    for (let gi = 0; gi < legs.length; gi++) {
      const g = legs[gi]!;
      const m = g.m;
      if (m.errors.size > 0 && m.errors.has(f)) throw m.errors.get(f);
      let hs = floor;
      let sc = unresolved;
      const es = m.edgeState[f]!;
      if (es === EDGE_POSITIVE) {
        hs = m.edgeHalfSpreadBps[f]!;
        sc = g.edge;
      } else if (es === EDGE_INSUFFICIENT) sc = insufficient;
      if (g.snaps.length > 0) {
        const b = snapshotHalfSpread(g.snaps, time, cfg.snapshotMaxAgeMs);
        if (!Number.isNaN(b)) {
          hs = b;
          sc = book;
        }
      }
      let ib = 0;
      let ic = g.fit;
      const is = m.impactState[f]!;
      // k · σ · √(Q/V) · 1e4, as sqrtImpact multiplies it
      if (is === IMPACT_MEASURED) ib = g.k * m.sigma[f]! * m.sqrtParticipation[f]! * 1e4;
      else if (is === IMPACT_NO_CANDLES) ic = noCandles;
      else if (is === IMPACT_NO_VOLUME) ic = noVolume;
      else throw new MeasuredCostRefusedError(input.venue, g.symbol, time, m.participation[f]!, cfg.impact.maxParticipation, cfg.orderNotional);
      feeBps += takerBps;
      halfSpreadBps += hs;
      impactBps += ib;
      fee.bump(feeCode);
      spread.bump(sc);
      impact.bump(ic);
    }
    sumFee += feeBps;
    sumHalfSpread += halfSpreadBps;
    sumImpact += impactBps;
    const totalBps = feeBps + halfSpreadBps + impactBps;
    if ((f & 1) === 0) entryTotal = totalBps;
    else {
      const t = trades[f >> 1]!;
      roundTripBps[f >> 1] = entryTotal + totalBps;
      net[f >> 1] = netReturn(t.grossReturn, entryTotal, totalBps, t.exitPrice / t.entryPrice);
    }
  }
  return measuredView(input, schedule.tier, roundTripBps, net, { feeBps: sumFee, halfSpreadBps: sumHalfSpread, impactBps: sumImpact }, { fee: fee.record(), spread: spread.record(), impact: impact.record() });
}

/** A venue's view from its per-trade round trips and net returns, the component sums over all fills and the sources. */
export function measuredView(input: MeasuredVenueInput, tier: string, roundTripBps: number[], net: number[], sums: MeasuredVenueCosts['components'], sources: MeasuredVenueCosts['sources']): MeasuredVenueCosts {
  const n = net.length;
  return {
    id: measuredViewId(input.venue),
    venue: input.venue,
    tier,
    legs: input.legs.map((l) => ({ symbol: l.symbol, candlesVenue: l.candlesVenue, snapshots: l.snapshots?.length ?? 0 })),
    roundTripBps,
    net,
    components: n > 0 ? { feeBps: sums.feeBps / n, halfSpreadBps: sums.halfSpreadBps / n, impactBps: sums.impactBps / n } : { feeBps: 0, halfSpreadBps: 0, impactBps: 0 },
    sources,
  };
}
