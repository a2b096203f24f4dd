import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng';
import { moments } from '../research/stats';
import { InsufficientDataError, StatsInputError } from './errors';
import { binomial, nextCombination, unrankCombination } from './combinations';
import { blockStatsByTime, cscvDigest, cscvFromBlockStats, cscvFromBlockValues, cscvFromReturns } from './cscv-matrix';
import {
  cscvSplitCount,
  lambdaHistogram,
  mergePboPartials,
  planPboChunks,
  pboSplitDetails,
  pboSplits,
  probabilityOfBacktestOverfitting,
} from './pbo';

describe('CSCV split order', () => {
  it('enumerates C(S, S/2) subsets lexicographically, like R combn(S, S/2)', () => {
    expect(binomial(16, 8)).toBe(12870);
    expect(cscvSplitCount(4)).toBe(6);
    const all: number[][] = [];
    const c = [0, 1];
    do all.push(c.slice());
    while (nextCombination(c, 4));
    expect(all).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    for (let i = 0; i < 70; i++) {
      const u = unrankCombination(8, 4, i);
      const v = unrankCombination(8, 4, 0);
      for (let j = 0; j < i; j++) nextCombination(v, 8);
      expect(u).toEqual(v);
    }
    expect(() => unrankCombination(4, 2, 6)).toThrow(StatsInputError);
  });
});

describe('PBO by CSCV — worked example enumerated by hand (Bailey, Borwein, López de Prado & Zhu 2017, §2.2–2.3)', () => {
  // 3 combos × 4 blocks, one performance value per block; metric 'mean' so R on a set of 2 blocks is their mean.
  //   A = [3, 0, 1, 0], B = [1, 1, 1, 1], C = [0, 2, 0, 2.5]
  // Split (IS blocks) | R (A, B, C)      | n*        | R̄ (A, B, C)      | rank of R̄_{n*}  | ω̄ = rank/(N+1) | λ
  // {0,1}             | 1.5, 1, 1        | A         | 0.5, 1, 1.25     | 1               | 1/4            | ln(1/3)
  // {0,2}             | 2, 1, 0          | A         | 0, 1, 2.25       | 1               | 1/4            | ln(1/3)
  // {0,3}             | 1.5, 1, 1.25     | A         | 0.5, 1, 1        | 1               | 1/4            | ln(1/3)
  // {1,2}             | 0.5, 1, 1        | B (tie→1st)| 1.5, 1, 1.25    | 1               | 1/4            | ln(1/3)
  // {1,3}             | 0, 1, 2.25       | C         | 2, 1, 0          | 1               | 1/4            | ln(1/3)
  // {2,3}             | 0.5, 1, 1.25     | C         | 1.5, 1, 1        | 1.5 (tie with B)| 3/8            | ln(3/5)
  // PBO = #(λ ≤ 0)/6 = 1. Pairs (R_{n*}, R̄_{n*}): (1.5,.5) (2,0) (1.5,.5) (1,1) (2.25,0) (1.25,1):
  //   x̄ = 19/12, ȳ = 1/2, Sxy = −1, Sxx = 13/12 → slope −12/13, intercept 1/2 + (12/13)(19/12) = 51/26.
  //   P(R̄_{n*} < 0) = 0; P(R̄_{n*} < 0.75) = 4/6.
  const A = [3, 0, 1, 0];
  const B = [1, 1, 1, 1];
  const C = [0, 2, 0, 2.5];

  it('reproduces every split, the PBO, the degradation fit and the probability of loss', () => {
    const m = cscvFromBlockValues([A, B, C]);
    const part = pboSplitDetails(pboSplits(m, { metric: 'mean' }));
    const l3 = Math.log(1 / 3);
    expect(part.map((s) => s.inSample)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(part.map((s) => s.best)).toEqual([0, 0, 0, 1, 2, 2]);
    expect(part.map((s) => s.isPerformance)).toEqual([1.5, 2, 1.5, 1, 2.25, 1.25]);
    expect(part.map((s) => s.oosPerformance)).toEqual([0.5, 0, 0.5, 1, 0, 1]);
    expect(part.map((s) => s.oosRank)).toEqual([1, 1, 1, 1, 1, 1.5]);
    expect(part.map((s) => s.omega)).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.375]);
    const lambdas = part.map((s) => s.lambda);
    for (let i = 0; i < 5; i++) expect(lambdas[i]).toBeCloseTo(l3, 15);
    expect(lambdas[5]).toBeCloseTo(Math.log(0.6), 15);

    const r = probabilityOfBacktestOverfitting(m, { metric: 'mean' });
    expect(r.pbo).toBe(1);
    expect(r.splits).toBe(6);
    expect(r.degradation.slope).toBeCloseTo(-12 / 13, 14);
    expect(r.degradation.intercept).toBeCloseTo(51 / 26, 14);
    expect(r.degradation.meanIs).toBeCloseTo(19 / 12, 14);
    expect(r.degradation.meanOos).toBeCloseTo(0.5, 14);
    expect(r.probabilityOfLoss).toBe(0);
    expect(probabilityOfBacktestOverfitting(m, { metric: 'mean', lossThreshold: 0.75 }).probabilityOfLoss).toBeCloseTo(4 / 6, 15);
    // λ histogram, bins of 0.5: ln(1/3) ≈ −1.10 in [−1.5, −1), ln(0.6) ≈ −0.51 in [−1, −0.5).
    expect(r.histogram).toEqual({ binWidth: 0.5, edges: [-1.5, -1, -0.5], counts: [5, 1] });
  });

  it('a combo that is best on every block set is never overfit: PBO 0, λ = ln(N) (ω̄ = N/(N+1))', () => {
    // Adding E = [2.5, 2.5, 2.5, 2.5]: R_E = 2.5 beats every other R (max 2.25), and R̄_E = 2.5 beats every R̄.
    const r = probabilityOfBacktestOverfitting(cscvFromBlockValues([A, B, C, [2.5, 2.5, 2.5, 2.5]]), { metric: 'mean' });
    expect(r.pbo).toBe(0);
    for (const l of r.lambdas) expect(l).toBeCloseTo(Math.log(4), 15);
    // R_{n*} is 2.5 on every split: no slope can be fitted.
    expect(r.degradation.slope).toBeNull();
    expect(r.pairs.every((p) => p.best === 3)).toBe(true);
  });
});

function noise(combos: number, t: number, seed: number, edge: (c: number) => number = () => 0): Float64Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: combos }, (_, c) => {
    const row = new Float64Array(t);
    for (let i = 0; i < t; i++) row[i] = edge(c) + rng.normal();
    return row;
  });
}

describe('PBO properties (paper §3: skill-less strategies overfit half of the time, a real edge does not)', () => {
  it('pure noise strategies → PBO ≈ 0.5 (mean over 30 seeds)', () => {
    let total = 0;
    const seeds = 30;
    for (let s = 1; s <= seeds; s++) total += probabilityOfBacktestOverfitting(cscvFromReturns(noise(20, 400, s), 8)).pbo;
    const mean = total / seeds;
    // Under the null the rank of R̄_{n*} is uniform on 1..20 → P(λ ≤ 0) = 10/20. Across seeds the per-matrix PBO
    // varies a lot (the 70 splits share data); 30 seeds keep the mean within ±0.1 of 0.5 with a wide margin.
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
  });

  it('one genuinely better strategy among noise → PBO ≈ 0, positive OOS performance', () => {
    for (const seed of [1, 2, 3]) {
      const r = probabilityOfBacktestOverfitting(cscvFromReturns(noise(20, 400, seed, (c) => (c === 7 ? 0.5 : 0)), 8));
      expect(r.pbo).toBeLessThan(0.05);
      expect(r.pairs.filter((p) => p.best === 7).length).toBeGreaterThan(r.splits * 0.9);
      expect(r.probabilityOfLoss).toBe(0);
    }
  });
});

describe('CSCV matrix from returns', () => {
  it('pools block statistics exactly: the IS Sharpe is the Sharpe of the concatenated observations', () => {
    const rets = noise(3, 103, 9); // 103 observations into 4 blocks: sizes 26, 26, 26, 25
    const m = cscvFromReturns(rets, 4);
    expect(Array.from(m.count.slice(0, 4))).toEqual([26, 26, 26, 25]);
    const part = pboSplits(m, { from: 1, to: 2 }); // IS = blocks {0, 2} → t ∈ [0, 26) ∪ [52, 78)
    const s = pboSplitDetails(part)[0]!;
    expect(s.inSample).toEqual([0, 2]);
    const sharpeOf = (xs: number[]) => {
      const mo = moments(xs)!;
      return mo.mean / mo.sd;
    };
    const isOf = (c: number) => sharpeOf([...rets[c]!.slice(0, 26), ...rets[c]!.slice(52, 78)]);
    const oosOf = (c: number) => sharpeOf([...rets[c]!.slice(26, 52), ...rets[c]!.slice(78)]);
    const best = [0, 1, 2].reduce((b, c) => (isOf(c) > isOf(b) ? c : b), 0);
    expect(s.best).toBe(best);
    expect(s.isPerformance).toBeCloseTo(isOf(best), 12);
    expect(s.oosPerformance).toBeCloseTo(oosOf(best), 12);
  });

  it('refuses bad input with the reason', () => {
    expect(() => cscvFromReturns(noise(5, 100, 1), 5)).toThrow(/even number of blocks/);
    expect(() => cscvFromReturns(noise(1, 100, 1), 4)).toThrow(InsufficientDataError);
    expect(() => cscvFromReturns(noise(4, 7, 1), 4)).toThrow(/7 observations per combo, at least 8/);
    expect(() => cscvFromReturns([[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3]], 4)).toThrow(/ragged/);
    expect(() => cscvFromBlockValues([[1, NaN], [1, 2]])).toThrow(/not a finite number/);
    expect(() => probabilityOfBacktestOverfitting(cscvFromBlockValues([[1, 1], [2, 2]]), { metric: 'sharpe' })).toThrow(/Sharpe needs 2/);
  });
});

describe('chunked CSCV (queue messages) merges exactly', () => {
  const m = cscvFromReturns(noise(12, 300, 4), 10); // 252 splits
  const whole = probabilityOfBacktestOverfitting(m);

  it('any chunking and arrival order gives the same result, byte for byte, through JSON', () => {
    for (const size of [1, 7, 100, 252]) {
      const parts = planPboChunks(10, size).map((c) => JSON.parse(JSON.stringify(pboSplits(m, c))) as unknown);
      parts.reverse();
      expect(JSON.stringify(mergePboPartials(parts))).toBe(JSON.stringify(whole));
    }
  });

  it('tolerates an identical duplicate, refuses gaps, conflicts and foreign partials', () => {
    const parts = planPboChunks(10, 50).map((c) => pboSplits(m, c));
    expect(mergePboPartials([...parts, parts[2]!])).toEqual(whole);
    expect(() => mergePboPartials(parts.slice(1))).toThrow(/50 missing/);
    const tampered = structuredClone(parts[0]!);
    tampered.isPerformance[3]! += 1;
    expect(() => mergePboPartials([...parts, tampered])).toThrow(/delivered twice with different content/);
    const other = pboSplits(cscvFromReturns(noise(12, 300, 5), 10), { from: 0, to: 50 });
    expect(() => mergePboPartials([...parts.slice(1), other])).toThrow(/different input/);
    expect(() => mergePboPartials([{ kind: 'pbo-partial', splits: 'x' }])).toThrow(/not a PBO partial/);
    const short = structuredClone(parts[1]!);
    short.oosRank.pop();
    expect(() => mergePboPartials([parts[0]!, short])).toThrow(/holds 49 values/);
    const bad = structuredClone(parts[1]!);
    bad.best[0] = 12;
    expect(() => mergePboPartials([parts[0]!, bad])).toThrow(/names combo 12/);
    // The wire format costs < 70 bytes of JSON per split (1,000 splits ≈ 55 KB, inside a 128 KB queue message).
    expect(JSON.stringify(pboSplits(m, { from: 0, to: 252 })).length).toBeLessThan(252 * 70);
    expect(() => mergePboPartials(parts, { metric: 'mean' })).toThrow(/metric/);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(probabilityOfBacktestOverfitting(m))).toBe(JSON.stringify(whole));
    expect(lambdaHistogram(whole.lambdas).counts.reduce((a, b) => a + b, 0)).toBe(252);
  });
});

describe('CSCV from timed values (per-trade returns at exit times) and sparse combos', () => {
  it('time blocks with the index edges ⌈s·T/S⌉ give the same matrix (same digest) as cscvFromReturns', () => {
    const rets = noise(5, 90, 6);
    const S = 6;
    const edges = Array.from({ length: S + 1 }, (_, s) => Math.ceil((s * 90) / S));
    const times = Array.from({ length: 90 }, (_, i) => i);
    const m = cscvFromBlockStats(rets.map((r) => blockStatsByTime(r, times, edges)));
    expect(cscvDigest(m)).toBe(cscvDigest(cscvFromReturns(rets, S)));
  });

  it("a combo without trades on one side of a split: refused by default, scored 0 (flat) with sparse 'zero'", () => {
    const edges = [0, 10, 20, 30, 40];
    const active = blockStatsByTime([1, 2, 3, 1, 2, 5, 1, 4], [1, 3, 12, 15, 22, 25, 33, 38], edges);
    const quiet = blockStatsByTime([2, 3], [1, 4], edges); // trades only in block 0
    expect(quiet.count).toEqual([2, 0, 0, 0]);
    const m = cscvFromBlockStats([active, quiet]);
    expect(() => probabilityOfBacktestOverfitting(m)).toThrow(InsufficientDataError);
    const r = probabilityOfBacktestOverfitting(m, { sparse: 'zero', metric: 'mean' });
    expect(r.sparse).toBe('zero');
    // Split {0,1}: IS means active (1+2+3+1)/4 = 1.75, quiet 2.5 → n* = quiet; OOS quiet = 0 < active 3 → rank 1.
    expect(r.pairs[0]).toMatchObject({ is: 2.5, oos: 0, best: 1 });
    expect(r.pairs[0]!.lambda).toBeCloseTo(Math.log(1 / 2), 15); // ω̄ = 1/3
    const parts = planPboChunks(4, 3).map((c) => pboSplits(m, { ...c, metric: 'mean', sparse: 'zero' }));
    expect(mergePboPartials(parts)).toEqual(r);
    const other = pboSplits(cscvFromBlockStats([active, active]), { from: 0, to: 3, metric: 'mean', sparse: 'zero' });
    expect(() => mergePboPartials([parts[1]!, { ...other, digest: parts[1]!.digest, sparse: 'error' }])).toThrow(/sparse rule/);
    expect(() => blockStatsByTime([1], [40], edges)).toThrow(/outside the blocks/);
    expect(() => blockStatsByTime([1], [5], [0, 10, 5])).toThrow(/even number of blocks|must increase/);
  });
});
