/**
 * Calibrating the square-root impact law's k per venue from stored book snapshots: each snapshot's walk-the-book
 * cost for each configured notional Q (buy and sell sides) is one observation of
 *
 *   costBps − halfSpreadBps = k · σ · √(Q / V) · 1e4        (Tóth et al., Phys. Rev. X 1, 021006, 2011, Eq. 1)
 *
 * with V the quote volume traded over the holding horizon (the `horizonCandles` closed candles before the
 * snapshot's bucket, Σ volume·close) and σ the volatility over that horizon (the standard deviation of the
 * `volLookbackCandles` simple close-to-close returns close_i / close_{i−1} − 1 before the bucket, scaled by
 * √horizonCandles: the measured cost model's σ, shared/costs/measured.ts, since measured-cost/1.1.0). The fit itself
 * is `fitImpactK` (least squares through the origin, classical and White standard errors). A snapshot without
 * enough candles before it, or with no volume over the horizon, is skipped with the reason; a side the fetched
 * book could not fill (`null` cost) gives no observation. Pure: no I/O, no clock.
 */
import type { Candle } from '../candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../candles/timeframe';
import { fitImpactK, type ImpactFit, type ImpactFitRefusal, type ImpactObservation } from '../costs/impact';
import type { BookSnapshot } from './book-metrics';

export interface CalibrationOptions {
  /** Timeframe of the candles given. */
  timeframe: Timeframe;
  /** Candles in the holding horizon (V and the σ scaling). Default 12 (one hour of 5m candles). */
  horizonCandles?: number;
  /** Returns in the volatility estimate. Default 288 (one day of 5m candles). */
  volLookbackCandles?: number;
}

export type SnapshotForCalibration = Pick<BookSnapshot, 'halfSpreadBps' | 'fills'> & { bucket: number };

export interface CalibrationSkip {
  bucket: number;
  reason: 'insufficient candles' | 'no volume';
  detail: string;
}

export interface ImpactCalibration {
  fit: ImpactFit | ImpactFitRefusal;
  observations: ImpactObservation[];
  skipped: CalibrationSkip[];
  /** Snapshots that gave at least one observation. */
  snapshotsUsed: number;
  horizonCandles: number;
  volLookbackCandles: number;
}

/** Number of candles closed at or before `t` (candles ascending by open time). */
function closedBefore(candles: readonly Candle[], tfMs: number, t: number): number {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid]!.openTime + tfMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The observations the snapshots give against `candles` (ascending, one venue and symbol); rules in the module doc. */
export function impactObservations(snapshots: readonly SnapshotForCalibration[], candles: readonly Candle[], opts: CalibrationOptions): Omit<ImpactCalibration, 'fit'> {
  const h = opts.horizonCandles ?? 12;
  const L = opts.volLookbackCandles ?? 288;
  if (!(Number.isInteger(h) && h >= 1)) throw new RangeError(`horizonCandles must be an integer ≥ 1, got ${h}`);
  if (!(Number.isInteger(L) && L >= 2)) throw new RangeError(`volLookbackCandles must be an integer ≥ 2, got ${L}`);
  const tfMs = TIMEFRAME_MS[opts.timeframe];
  const need = Math.max(h, L + 1);
  const observations: ImpactObservation[] = [];
  const skipped: CalibrationSkip[] = [];
  let snapshotsUsed = 0;
  for (const s of snapshots) {
    const j = closedBefore(candles, tfMs, s.bucket);
    if (j < need) {
      skipped.push({ bucket: s.bucket, reason: 'insufficient candles', detail: `${j} closed ${opts.timeframe} candles before the snapshot, ${need} needed` });
      continue;
    }
    let volume = 0;
    for (let i = j - h; i < j; i++) volume += candles[i]!.volume * candles[i]!.close;
    if (!(volume > 0)) {
      skipped.push({ bucket: s.bucket, reason: 'no volume', detail: `no volume in the ${h} candles before the snapshot` });
      continue;
    }
    let sum = 0;
    let sumSq = 0;
    for (let i = j - L; i < j; i++) {
      const r = candles[i]!.close / candles[i - 1]!.close - 1;
      sum += r;
      sumSq += r * r;
    }
    const mean = sum / L;
    const sigma = Math.sqrt(Math.max(0, (sumSq - L * mean * mean) / (L - 1))) * Math.sqrt(h);
    let used = false;
    for (const f of s.fills) {
      for (const cost of [f.buyBps, f.sellBps]) {
        if (cost === null) continue;
        observations.push({ notional: f.notional, volume, sigma, costBps: cost, halfSpreadBps: s.halfSpreadBps });
        used = true;
      }
    }
    if (used) snapshotsUsed++;
  }
  return { observations, skipped, snapshotsUsed, horizonCandles: h, volLookbackCandles: L };
}

/** k of the square-root law from one venue's snapshots and its own candles (`fitImpactK` on `impactObservations`). */
export function calibrateImpactK(snapshots: readonly SnapshotForCalibration[], candles: readonly Candle[], opts: CalibrationOptions): ImpactCalibration {
  const obs = impactObservations(snapshots, candles, opts);
  return { ...obs, fit: fitImpactK(obs.observations) };
}
