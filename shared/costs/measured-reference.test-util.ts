/**
 * Test-only reference of the measured cost model (./measured.ts), written the straightforward way the model was
 * first computed (measured-cost/1.0.0): per fill and per leg, the fill candle by binary search, EDGE of the
 * trailing window by the estimator as it stood (one compensated running mean per moment, a log per price), σ and V
 * from prefix sums over the whole series (σ over simple returns since measured-cost/1.1.0, as the model), the fee row by a scan of the schedule, every fill through the kernel's
 * cost hook and `costTrade`. No caches, no batching: the fast path of ./measured.ts must reproduce it to the bit.
 */
import type { RawTrade } from '../backtest/types';
import { lowerBound } from '../backtest/version';
import { TIMEFRAME_MS } from '../candles/timeframe';
import type { CandleSeries } from '../candles/candle';
import { costTrade, type CostHook, type FillCost } from '../execution/cost-hook';
import { feeEntryAt } from './cost-model';
import { feeSchedule } from './fee-schedules';
import { DEFAULT_IMPACT_K, ImpactRefusedError, sqrtImpact } from './impact';
import { EDGE_WINDOW_CAP, MeasuredCostRefusedError, measuredCostConfigSchema, measuredView, type MeasuredCostConfigInput, type MeasuredVenueCosts, type MeasuredVenueInput } from './measured';
import { NanMean } from './estimators/types';

/** EDGE's signed estimate on [a, b) of a series as the estimator computed it (a log per price, NanMean moments). */
export function referenceEdge(s: Pick<CandleSeries, 'open' | 'high' | 'low' | 'close'>, a: number, b: number): { ok: true; signed: number } | { ok: false; reason: string } {
  const n = b - a;
  if (n < 3) return { ok: false, reason: 'insufficient-data' };
  const lg = (x: Float64Array): Float64Array => Float64Array.from(x.subarray(a, b), (p) => Math.log(p));
  const o = lg(s.open), h = lg(s.high), l = lg(s.low), c = lg(s.close);
  const ind = (x: number, y: number): number => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x !== y ? 1 : 0);
  const tauAt = (t: number): number => (Number.isNaN(h[t]!) || Number.isNaN(l[t]!) || Number.isNaN(c[t - 1]!) ? NaN : h[t] !== l[t] || l[t] !== c[t - 1] ? 1 : 0);
  const mTau = new NanMean(), mPo1 = new NanMean(), mPo2 = new NanMean(), mPc1 = new NanMean(), mPc2 = new NanMean();
  const mR1 = new NanMean(), mR3 = new NanMean(), mR5 = new NanMean();
  let nt = 0;
  for (let t = 1; t < n; t++) {
    const m = (h[t]! + l[t]!) / 2;
    const tau = tauAt(t);
    if (tau === 1) nt++;
    mTau.add(tau);
    mPo1.add(tau * ind(o[t]!, h[t]!));
    mPo2.add(tau * ind(o[t]!, l[t]!));
    mPc1.add(tau * ind(c[t - 1]!, h[t - 1]!));
    mPc2.add(tau * ind(c[t - 1]!, l[t - 1]!));
    mR1.add(m - o[t]!);
    mR3.add(m - c[t - 1]!);
    mR5.add(o[t]! - c[t - 1]!);
  }
  if (nt < 2) return { ok: false, reason: 'insufficient-data' };
  const pt = mTau.mean();
  const po = mPo1.mean() + mPo2.mean();
  const pc = mPc1.mean() + mPc2.mean();
  if (po === 0 || pc === 0 || !Number.isFinite(po) || !Number.isFinite(pc)) return { ok: false, reason: 'not-identifiable' };
  const k1 = mR1.mean() / pt, k3 = mR3.mean() / pt, k5 = mR5.mean() / pt;
  const e1m = new NanMean(), e2m = new NanMean(), q1m = new NanMean(), q2m = new NanMean();
  for (let t = 1; t < n; t++) {
    const m = (h[t]! + l[t]!) / 2;
    const m1 = (h[t - 1]! + l[t - 1]!) / 2;
    const tau = tauAt(t);
    const d1 = m - o[t]! - k1 * tau;
    const d3 = m - c[t - 1]! - k3 * tau;
    const d5 = o[t]! - c[t - 1]! - k5 * tau;
    const x1 = (-4 / po) * d1 * (o[t]! - m1) + (-4 / pc) * d3 * (c[t - 1]! - m1);
    const x2 = (-4 / po) * d1 * (o[t]! - c[t - 1]!) + (-4 / pc) * d5 * (c[t - 1]! - m1);
    e1m.add(x1);
    e2m.add(x2);
    q1m.add(x1 * x1);
    q2m.add(x2 * x2);
  }
  const e1 = e1m.mean(), e2 = e2m.mean();
  const v1 = q1m.mean() - e1 * e1, v2 = q2m.mean() - e2 * e2;
  const s2 = v1 + v2 > 0 ? (v2 * e1 + v1 * e2) / (v1 + v2) : (e1 + e2) / 2;
  if (!Number.isFinite(s2)) return { ok: false, reason: 'insufficient-data' };
  const root = Math.sqrt(Math.abs(s2));
  return { ok: true, signed: s2 < 0 ? -root : root };
}

/** One venue's measured view, every fill priced from scratch through the kernel's cost hook (module doc). */
export function referenceMeasuredVenueCosts(trades: readonly RawTrade[], input: MeasuredVenueInput, config: MeasuredCostConfigInput = {}): MeasuredVenueCosts {
  const cfg = measuredCostConfigSchema.parse(config);
  const schedule = feeSchedule(input.venue, cfg.tiers[input.venue]);
  const legs = input.legs.map((leg) => {
    const s = leg.series;
    const perDay = Math.max(1, Math.round(86_400_000 / TIMEFRAME_MS[s.timeframe]));
    const n = s.length;
    const sumR = new Float64Array(n + 1), sumR2 = new Float64Array(n + 1), sumQv = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) {
      const r = j === 0 ? 0 : s.close[j]! / s.close[j - 1]! - 1;
      sumR[j + 1] = sumR[j]! + r;
      sumR2[j + 1] = sumR2[j]! + r * r;
      sumQv[j + 1] = sumQv[j]! + s.volume[j]! * s.close[j]!;
    }
    return {
      leg,
      W: cfg.edgeWindowCandles ?? Math.max(60, Math.min(perDay, EDGE_WINDOW_CAP)),
      H: cfg.impact.horizonCandles ?? Math.max(1, Math.round(3_600_000 / TIMEFRAME_MS[s.timeframe])),
      L: cfg.impact.volLookbackCandles ?? Math.max(30, perDay),
      sumR,
      sumR2,
      sumQv,
      edges: new Map<string, ReturnType<typeof referenceEdge>>(),
    };
  });
  const hook: CostHook = (fill) => {
    const row = feeEntryAt(schedule, fill.time);
    const out: FillCost = { feeBps: 0, halfSpreadBps: 0, impactBps: 0, totalBps: 0, sources: [] };
    for (const { leg, W, H, L, sumR, sumR2, sumQv, edges } of legs) {
      const s = leg.series;
      const proxy = leg.candlesVenue !== input.venue;
      const i = lowerBound(s.openTime, fill.time);
      const b = Math.min(i, lowerBound(s.openTime, Math.floor(fill.time / 86_400_000) * 86_400_000));
      // (the window's estimate memoised per leg only to keep the test quick; computed as above)
      const ek = `${b}`;
      const e = edges.get(ek) ?? referenceEdge(s, Math.max(0, b - W), b);
      edges.set(ek, e);
      let hs = cfg.floorHalfSpreadBps;
      let spread = e.ok || e.reason === 'not-identifiable' ? 'floor:edge-unresolved' : 'floor:edge-insufficient';
      if (e.ok && e.signed > 0) {
        hs = (e.signed / 2) * 1e4;
        spread = proxy ? 'edge-proxy' : 'edge';
      }
      const snap = (leg.snapshots ?? []).filter((x) => x.bucket <= fill.time).at(-1);
      if (snap && fill.time - snap.bucket < cfg.snapshotMaxAgeMs) {
        hs = snap.halfSpreadBps;
        spread = 'book';
      }
      let impactBps = 0;
      let impact = 'unmeasured:insufficient-candles';
      const l = Math.min(L, i - 1);
      const h = Math.min(H, i);
      let sigma = NaN;
      let volume = NaN;
      if (l >= 2 && h >= 1) {
        volume = sumQv[i]! - sumQv[i - h]!;
        const m = (sumR[i]! - sumR[i - l]!) / l;
        sigma = Math.sqrt(Math.max(0, (sumR2[i]! - sumR2[i - l]! - l * m * m) / (l - 1))) * Math.sqrt(h);
      }
      if (Number.isNaN(sigma)) impact = 'unmeasured:insufficient-candles';
      else if (!(volume > 0)) impact = 'unmeasured:no-volume';
      else {
        const fit = cfg.impact.k[input.venue];
        try {
          impactBps = sqrtImpact({ notional: cfg.orderNotional, volume, sigma }, { k: fit?.k ?? DEFAULT_IMPACT_K, maxParticipation: cfg.impact.maxParticipation }).impactBps;
        } catch (err) {
          if (err instanceof ImpactRefusedError) throw new MeasuredCostRefusedError(input.venue, leg.symbol, fill.time, err.participation, err.maxParticipation, cfg.orderNotional);
          throw err;
        }
        impact = (fit ? 'fit' : 'default-k') + (proxy ? '-proxy-volume' : '');
      }
      out.feeBps += row.takerBps;
      out.halfSpreadBps += hs;
      out.impactBps += impactBps;
      out.sources.push({ fee: `${schedule.tier}@${row.effectiveFrom}`, spread, impact });
    }
    out.totalBps = out.feeBps + out.halfSpreadBps + out.impactBps;
    return out;
  };
  const sums = { feeBps: 0, halfSpreadBps: 0, impactBps: 0 };
  const sources: MeasuredVenueCosts['sources'] = { fee: {}, spread: {}, impact: {} };
  const roundTripBps: number[] = [];
  const net: number[] = [];
  for (const t of trades) {
    const c = costTrade(t, hook);
    roundTripBps.push(c.roundTripBps);
    net.push(c.net);
    for (const f of [c.entry, c.exit]) {
      sums.feeBps += f.feeBps;
      sums.halfSpreadBps += f.halfSpreadBps;
      sums.impactBps += f.impactBps;
      for (const s of f.sources) {
        sources.fee[s.fee] = (sources.fee[s.fee] ?? 0) + 1;
        sources.spread[s.spread] = (sources.spread[s.spread] ?? 0) + 1;
        sources.impact[s.impact] = (sources.impact[s.impact] ?? 0) + 1;
      }
    }
  }
  return measuredView(input, schedule.tier, roundTripBps, net, sums, sources);
}
