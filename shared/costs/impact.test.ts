/**
 * Square-root impact k·σ·√(Q/V), pinned to the law's statement (Tóth et al., PRX 2011, Eq. 1; Bouchaud, Bonart,
 * Donier & Gould, "Trades, Quotes and Prices", 2018, ch. 12: impact ∝ √Q, ∝ σ, ∝ 1/√V) by a worked example and
 * by its scaling properties, the participation refusal, and the least-squares calibration of k: exact on noiseless
 * rows, by hand on three rows, and — on seeded noisy rows — unbiased with a standard error that matches the
 * spread of k over replications (the check that the reported error is the real one).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../backtest/prng';
import {
  DEFAULT_IMPACT_K,
  DEFAULT_MAX_PARTICIPATION,
  fitImpactK,
  ImpactInputError,
  ImpactRefusedError,
  sqrtImpact,
  type ImpactObservation,
} from './impact';

describe('sqrtImpact', () => {
  it('worked example: σ = 2 %, Q = 100k of V = 10M → √(Q/V) = 0.1 → 20 bps at k = 1, 14 bps at k = 0.7', () => {
    const q = { notional: 100_000, volume: 10_000_000, sigma: 0.02 };
    expect(DEFAULT_IMPACT_K).toBe(1);
    expect(sqrtImpact(q).impactBps).toBeCloseTo(20, 12);
    expect(sqrtImpact(q, { k: 0.7 }).impactBps).toBeCloseTo(14, 12);
    expect(sqrtImpact(q).participation).toBeCloseTo(0.01, 15);
  });

  it('the square-root law: 4× the order costs 2× the impact; 4× the volume halves it; impact is linear in σ', () => {
    const base = sqrtImpact({ notional: 10_000, volume: 5_000_000, sigma: 0.01 }).impactBps;
    expect(sqrtImpact({ notional: 40_000, volume: 5_000_000, sigma: 0.01 }).impactBps).toBeCloseTo(2 * base, 12);
    expect(sqrtImpact({ notional: 10_000, volume: 20_000_000, sigma: 0.01 }).impactBps).toBeCloseTo(base / 2, 12);
    expect(sqrtImpact({ notional: 10_000, volume: 5_000_000, sigma: 0.03 }).impactBps).toBeCloseTo(3 * base, 12);
    expect(sqrtImpact({ notional: 0, volume: 5_000_000, sigma: 0.01 }).impactBps).toBe(0);
  });

  it('refuses orders above the configured share of volume with a typed error', () => {
    expect(DEFAULT_MAX_PARTICIPATION).toBe(0.1);
    expect(sqrtImpact({ notional: 100, volume: 1000, sigma: 0.01 }).participation).toBe(0.1); // at the limit: priced
    try {
      sqrtImpact({ notional: 101, volume: 1000, sigma: 0.01 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ImpactRefusedError);
      expect((e as ImpactRefusedError).participation).toBeCloseTo(0.101, 15);
      expect((e as ImpactRefusedError).maxParticipation).toBe(0.1);
      expect((e as Error).message).toMatch(/10\.1 % of the horizon's volume, above the 10\.0 %/);
    }
    expect(() => sqrtImpact({ notional: 300, volume: 1000, sigma: 0.01 }, { maxParticipation: 0.25 })).toThrow(ImpactRefusedError);
    expect(sqrtImpact({ notional: 200, volume: 1000, sigma: 0.01 }, { maxParticipation: 0.25 }).participation).toBe(0.2);
  });

  it('rejects malformed input with the field', () => {
    expect(() => sqrtImpact({ notional: -1, volume: 1, sigma: 0.01 })).toThrow(ImpactInputError);
    expect(() => sqrtImpact({ notional: 1, volume: 0, sigma: 0.01 })).toThrow(/volume/);
    expect(() => sqrtImpact({ notional: 1, volume: 1e6, sigma: NaN })).toThrow(/sigma/);
    expect(() => sqrtImpact({ notional: 1, volume: 1e6, sigma: 0.01 }, { maxParticipation: 2 })).toThrow(/maxParticipation/);
  });
});

describe('fitImpactK', () => {
  it('recovers k exactly from noiseless rows, with zero residuals and standard error', () => {
    const rows: ImpactObservation[] = [1e3, 1e4, 1e5, 1e6].map((q) => ({
      notional: q,
      volume: 5e7,
      sigma: 0.015,
      halfSpreadBps: 0.5,
      costBps: 0.5 + 0.8 * 0.015 * Math.sqrt(q / 5e7) * 1e4,
    }));
    const f = fitImpactK(rows);
    if (!f.ok) throw new Error(f.detail);
    expect(f.k).toBeCloseTo(0.8, 12);
    expect(f.standardError).toBeLessThan(1e-12);
    expect(Math.max(...Array.from(f.residualsBps, Math.abs))).toBeLessThan(1e-9);
  });

  it('matches least squares through the origin worked by hand', () => {
    // σ = 1 %, V = 1M, Q = 100, 400, 900 → x = σ·√(Q/V)·1e4 = 1, 2, 3 bps; observed costs 2.1, 3.9, 6.2 bps
    const rows = [100, 400, 900].map((q, i) => ({ notional: q, volume: 1e6, sigma: 0.01, costBps: [2.1, 3.9, 6.2][i]! }));
    const f = fitImpactK(rows);
    if (!f.ok) throw new Error(f.detail);
    const k = (1 * 2.1 + 2 * 3.9 + 3 * 6.2) / 14; // Σxy / Σx² = 28.5 / 14
    expect(f.k).toBeCloseTo(k, 12);
    const res = [2.1 - k, 3.9 - 2 * k, 6.2 - 3 * k];
    res.forEach((r, i) => expect(f.residualsBps[i]).toBeCloseTo(r, 12));
    expect(f.standardError).toBeCloseTo(Math.sqrt(res.reduce((a, r) => a + r * r, 0) / 2 / 14), 12);
    expect(f.robustStandardError).toBeCloseTo(Math.sqrt(res.reduce((a, r, i) => a + (i + 1) ** 2 * r * r, 0)) / 14, 12);
  });

  it('on seeded noisy rows: k within 3 standard errors, and the standard error matches the replication spread', () => {
    const K = 0.6;
    const ks: number[] = [];
    const ses: number[] = [];
    for (let rep = 0; rep < 200; rep++) {
      const rng = mulberry32(500 + rep);
      const rows = Array.from({ length: 40 }, () => {
        const q = 10 ** (3 + 3 * rng.next()); // 1k … 1M notional
        const sigma = 0.005 + 0.02 * rng.next();
        const x = sigma * Math.sqrt(q / 2e8) * 1e4;
        return { notional: q, volume: 2e8, sigma, costBps: K * x + 0.5 * rng.normal() };
      });
      const f = fitImpactK(rows);
      if (!f.ok) throw new Error(f.detail);
      ks.push(f.k);
      ses.push(f.standardError);
    }
    const mean = ks.reduce((a, b) => a + b, 0) / ks.length;
    const sd = Math.sqrt(ks.reduce((a, b) => a + (b - mean) ** 2, 0) / (ks.length - 1));
    const meanSe = ses.reduce((a, b) => a + b, 0) / ses.length;
    expect(Math.abs(mean - K)).toBeLessThan((3 * sd) / Math.sqrt(ks.length));
    expect(meanSe / sd).toBeGreaterThan(0.8);
    expect(meanSe / sd).toBeLessThan(1.25);
    expect(ks.filter((k, i) => Math.abs(k - K) > 2 * ses[i]!).length / ks.length).toBeLessThan(0.1); // ≈ 5 % expected
  });

  it('refuses too few or uninformative rows with the count, and names a malformed row', () => {
    expect(fitImpactK([])).toMatchObject({ ok: false, reason: 'insufficient-data', count: 0, required: 2 });
    expect(fitImpactK([{ notional: 1, volume: 10, sigma: 0.01, costBps: 1 }])).toMatchObject({ ok: false, count: 1 });
    expect(fitImpactK([{ notional: 0, volume: 10, sigma: 0.01, costBps: 1 }, { notional: 1, volume: 10, sigma: 0, costBps: 1 }])).toMatchObject({
      ok: false,
      reason: 'not-identifiable',
    });
    expect(() => fitImpactK([{ notional: 1, volume: 10, sigma: 0.01, costBps: 1 }, { notional: 1, volume: -1, sigma: 0.01, costBps: 1 }])).toThrow(
      /impact observation 1: volume/,
    );
  });
});
