/**
 * k of the square-root law (Tóth et al. 2011, Eq. 1: Δ = Y σ √(Q/V)) calibrated from book snapshots: on synthetic
 * snapshots whose walk-the-book cost is exactly half-spread + k σ √(Q/V) the fit returns k; with seeded noise it
 * recovers k within its standard error; snapshots without enough history are skipped with the count.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import type { Candle } from '../candles/candle';
import { calibrateImpactK, impactObservations, type SnapshotForCalibration } from './impact-calibration';

const M5 = 300_000;
const T0 = Date.UTC(2024, 0, 1);

function candles(n: number, seed: number): Candle[] {
  const r = mulberry32(seed);
  let p = 40_000;
  return Array.from({ length: n }, (_, i) => {
    const open = p;
    p = p * Math.exp(0.002 * r.normal());
    return { openTime: T0 + i * M5, open, high: Math.max(open, p), low: Math.min(open, p), close: p, volume: 5 + 10 * r.next() };
  });
}

/** σ and V at a bucket by the definitions, written out independently of the module. */
function sigmaAndVolume(cs: Candle[], bucket: number, h: number, L: number): { sigma: number; volume: number } {
  const closed = cs.filter((c) => c.openTime + M5 <= bucket);
  const win = closed.slice(-h);
  const volume = win.reduce((a, c) => a + c.volume * c.close, 0);
  const rets = closed.slice(-(L + 1)).map((c, i, xs) => (i === 0 ? NaN : c.close / xs[i - 1]!.close - 1)).slice(1);
  const m = rets.reduce((a, b) => a + b, 0) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / (rets.length - 1));
  return { sigma: sd * Math.sqrt(h), volume };
}

function snapshots(cs: Candle[], k: number, noiseBps: number, seed: number): SnapshotForCalibration[] {
  const r = mulberry32(seed);
  const out: SnapshotForCalibration[] = [];
  for (let i = 300; i < 400; i += 2) {
    const bucket = T0 + i * M5;
    const { sigma, volume } = sigmaAndVolume(cs, bucket, 12, 288);
    const half = 0.4 + 0.2 * r.next();
    const cost = (q: number) => half + k * sigma * Math.sqrt(q / volume) * 1e4 + noiseBps * r.normal();
    out.push({ bucket, halfSpreadBps: half, fills: [1_000, 10_000, 100_000].map((notional) => ({ notional, buyBps: cost(notional), sellBps: cost(notional) })) });
  }
  return out;
}

describe('impact k from book snapshots', () => {
  const cs = candles(400, 7);

  it('returns k exactly when every cost is half-spread + k·σ·√(Q/V)', () => {
    const c = calibrateImpactK(snapshots(cs, 0.7, 0, 1), cs, { timeframe: '5m' });
    expect(c.fit.ok).toBe(true);
    if (!c.fit.ok) return;
    expect(c.fit.n).toBe(50 * 3 * 2);
    expect(c.fit.k).toBeCloseTo(0.7, 10);
    expect(c.fit.rmseBps).toBeLessThan(1e-9);
    expect(c.snapshotsUsed).toBe(50);
  });

  it('recovers k within its standard error under seeded noise', () => {
    const c = calibrateImpactK(snapshots(cs, 0.7, 0.3, 2), cs, { timeframe: '5m' });
    if (!c.fit.ok) throw new Error(c.fit.detail);
    expect(c.fit.standardError).toBeGreaterThan(0);
    expect(Math.abs(c.fit.k - 0.7)).toBeLessThan(3 * c.fit.standardError);
    expect(c.fit.rmseBps).toBeGreaterThan(0.2);
    expect(c.fit.rmseBps).toBeLessThan(0.4);
  });

  it('skips a snapshot without enough candles before it and a side the book could not fill', () => {
    const early: SnapshotForCalibration = { bucket: T0 + 100 * M5, halfSpreadBps: 0.5, fills: [{ notional: 1000, buyBps: 1, sellBps: 1 }] };
    const unfilled: SnapshotForCalibration = { bucket: T0 + 350 * M5, halfSpreadBps: 0.5, fills: [{ notional: 1000, buyBps: 1, sellBps: null }] };
    const o = impactObservations([early, unfilled], cs, { timeframe: '5m' });
    expect(o.skipped).toEqual([{ bucket: early.bucket, reason: 'insufficient candles', detail: '100 closed 5m candles before the snapshot, 289 needed' }]);
    expect(o.observations).toHaveLength(1);
    const c = calibrateImpactK([early, unfilled], cs, { timeframe: '5m' });
    expect(c.fit).toMatchObject({ ok: false, reason: 'insufficient-data', count: 1, required: 2 });
  });
});
