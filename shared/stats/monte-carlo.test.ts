import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng';
import { InsufficientDataError } from './errors';
import { blockBootstrapMonteCarlo, equityPath, tradeMonteCarlo } from './monte-carlo';
import { movingBlockIndices, permutationIndices, stationaryBootstrapIndices } from './resample';
import { ar1 } from './test-series.test-util';

describe('equity path', () => {
  it('compounds, tracks the running peak from the start, and treats equity ≤ 0 as absorbing ruin', () => {
    // 1 → 1.2 → 1.08 → 0.972: drawdown from the 1.2 peak = 1 − 0.972/1.2 = 0.19.
    const a = equityPath([0.2, -0.1, -0.1], null, false);
    expect(a.finalEquity).toBeCloseTo(0.972, 15);
    expect(a.maxDrawdown).toBeCloseTo(0.19, 15);
    // Additive stake: 1 → 0.5 → 1.5 → 1.0: drawdowns 0.5 (from the start) and 1/3 (from 1.5).
    const b = equityPath([-0.5, 1, -0.5], null, true);
    expect(b).toEqual({ finalEquity: 1, maxDrawdown: 0.5 });
    expect(equityPath([0.1, -1.5, 3], null, true)).toEqual({ finalEquity: 0, maxDrawdown: 1 });
    expect(equityPath([-1, 0.5], null, false)).toEqual({ finalEquity: 0, maxDrawdown: 1 });
  });
});

describe('trade-order Monte Carlo, worked example: trades +20 %, −10 %, −10 %', () => {
  // The three distinct orders are equally likely under a uniform permutation:
  //   (+,−,−): 1.2, 1.08, 0.972 → MDD 0.19;  (−,+,−): 0.9, 1.08, 0.972 → MDD 0.10;  (−,−,+): 0.9, 0.81, 0.972 → MDD 0.19.
  // So final equity is 0.972 on every path; MDD = 0.10 w.p. 1/3 and 0.19 w.p. 2/3 → p5 = 0.10, p50 = p95 = 0.19,
  // and P(MDD ≥ 0.15) = 2/3.
  const trades = [0.2, -0.1, -0.1];

  it('permutation: constant final equity, the exact drawdown distribution', () => {
    const r = tradeMonteCarlo(trades, { paths: 6000, seed: 1, ruinDrawdown: 0.15 });
    expect(r.method).toBe('trade-permutation');
    expect(r.finalEquity.p5).toBeCloseTo(0.972, 14);
    expect(r.finalEquity.p95).toBeCloseTo(0.972, 14);
    expect(r.maxDrawdown.p5).toBeCloseTo(0.1, 14);
    expect(r.maxDrawdown.p50).toBeCloseTo(0.19, 14);
    expect(r.maxDrawdown.p95).toBeCloseTo(0.19, 14);
    // Binomial SD of the share over 6000 paths ≈ 0.006.
    expect(Math.abs(r.probabilityOfRuin - 2 / 3)).toBeLessThan(0.025);
    expect(r.observed).toEqual(equityPath(trades, null, false));
  });

  it('resample with replacement: final equity 1.2^U·0.9^(3−U), U ~ Binomial(3, 1/3)', () => {
    // P(U = 0, 1, 2, 3) = 8/27, 12/27, 6/27, 1/27 → cumulative 0.296, 0.741, 0.963, 1:
    // p5 = 0.9³ = 0.729, p50 = 1.2·0.81 = 0.972, p95 = 1.44·0.9 = 1.296.
    const r = tradeMonteCarlo(trades, { paths: 6000, seed: 2, method: 'resample' });
    expect(r.finalEquity.p5).toBeCloseTo(0.729, 14);
    expect(r.finalEquity.p50).toBeCloseTo(0.972, 14);
    expect(r.finalEquity.p95).toBeCloseTo(1.296, 14);
  });

  it('is deterministic per seed; the fan chart starts at 1 and ends on the final-equity band', () => {
    const t = Array.from({ length: 200 }, (_, i) => 0.01 * Math.sin(i * 1.3) + 0.001);
    const a = tradeMonteCarlo(t, { paths: 500, seed: 9, method: 'resample', fanPoints: 11 });
    expect(JSON.stringify(tradeMonteCarlo(t, { paths: 500, seed: 9, method: 'resample', fanPoints: 11 }))).toBe(JSON.stringify(a));
    expect(a.fan!.step).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(a.fan!.p50[0]).toBe(1);
    expect(a.fan!.p5[10]).toBe(a.finalEquity.p5);
    expect(a.fan!.p95[10]).toBe(a.finalEquity.p95);
    expect(() => tradeMonteCarlo([0.1], { seed: 1 })).toThrow(InsufficientDataError);
    expect(() => tradeMonteCarlo([0.1, NaN], { seed: 1 })).toThrow(/not a finite number/);
    expect(() => tradeMonteCarlo([0.1, 0.2], { seed: 1, ruinDrawdown: 0 })).toThrow();
  });
});

describe('moving-block bootstrap Monte Carlo (Künsch 1989)', () => {
  it('a block as long as the series reproduces the observed path on every draw', () => {
    const r = ar1(50, 0.2, 3).map((x) => 0.01 * x);
    const m = blockBootstrapMonteCarlo(r, { paths: 50, seed: 1, blockLength: 50 });
    expect(m.finalEquity).toEqual({ p5: m.observed.finalEquity, p50: m.observed.finalEquity, p95: m.observed.finalEquity });
    expect(m.maxDrawdown.p50).toBe(m.observed.maxDrawdown);
  });

  it('keeps positive autocorrelation that an iid resample destroys: a wider final-equity band', () => {
    // Var(Σr) of an AR(1) with φ = 0.8 is ≈ (1+φ)/(1−φ) = 9 × the iid value; blocks of ~the automatic length keep
    // most of it, blocks of 1 keep none.
    const r = ar1(1000, 0.8, 4).map((x) => 0.002 * x);
    const auto = blockBootstrapMonteCarlo(r, { paths: 800, seed: 5, compounding: 'additive' });
    const iid = blockBootstrapMonteCarlo(r, { paths: 800, seed: 5, compounding: 'additive', blockLength: 1 });
    expect(auto.blockLengthSource).toBe('politis-white');
    expect(auto.blockLength).toBeGreaterThan(5);
    const width = (b: { p5: number; p95: number }) => b.p95 - b.p5;
    expect(width(auto.finalEquity) / width(iid.finalEquity)).toBeGreaterThan(2);
    expect(auto.maxDrawdown.p50).toBeGreaterThan(iid.maxDrawdown.p50);
  });

  it('ruin probability rises with leverage and is bounded by the configured drawdown', () => {
    const r = ar1(500, 0.1, 6).map((x) => 0.0005 + 0.01 * x);
    const lo = blockBootstrapMonteCarlo(r, { paths: 400, seed: 1, ruinDrawdown: 0.3 });
    const hi = blockBootstrapMonteCarlo(r.map((x) => 3 * x), { paths: 400, seed: 1, ruinDrawdown: 0.3 });
    expect(hi.probabilityOfRuin).toBeGreaterThan(lo.probabilityOfRuin);
    expect(blockBootstrapMonteCarlo(r, { paths: 400, seed: 1, ruinDrawdown: 1 }).probabilityOfRuin).toBe(0);
    expect(() => blockBootstrapMonteCarlo([0.1, 0.2], { seed: 1 })).toThrow(InsufficientDataError);
  });
});

describe('index resamplers', () => {
  it('permutations are permutations; MBB blocks are contiguous; SB blocks have mean length ≈ b', () => {
    const rng = mulberry32(1);
    const p = Array.from(permutationIndices(100, rng)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const m = movingBlockIndices(103, 10, rng);
    for (let t = 0; t < 103; t++) if (t % 10 !== 0) expect(m[t]).toBe(m[t - 1]! + 1);
    const s = stationaryBootstrapIndices(200000, 8, rng);
    let starts = 1;
    for (let t = 1; t < s.length; t++) if (s[t] !== (s[t - 1]! + 1) % s.length) starts++;
    // Geometric block lengths with mean 8 (a new start w.p. 1/8, sometimes landing on the successor anyway).
    expect(s.length / starts).toBeGreaterThan(7.6);
    expect(s.length / starts).toBeLessThan(8.4);
  });
});
