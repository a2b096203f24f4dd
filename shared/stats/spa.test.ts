import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng';
import { InsufficientDataError, StatsInputError } from './errors';
import { stationaryBootstrapVariance, superiorPredictiveAbility } from './spa';
import { ar1 } from './test-series.test-util';

/** 5 strategies × 300 periods against a noisy benchmark (the reference series for the arch comparison). */
function archCase(): { bench: number[]; series: number[][] } {
  const r = mulberry32(21);
  const n = 300;
  const bench = Array.from({ length: n }, () => 0.001 + 0.01 * r.normal());
  const edges = [0, -0.002, 0.001, 0.0005, 0.002];
  const series = edges.map((edge) => {
    let e = 0;
    return Array.from({ length: n }, () => {
      e = 0.3 * e + r.normal();
      return 0.01 * e + edge;
    });
  });
  return { bench, series };
}

/** One-sample Kolmogorov–Smirnov distance of p-values from the uniform distribution. */
function ksUniform(ps: number[]): number {
  const v = ps.slice().sort((a, b) => a - b);
  let d = 0;
  for (let i = 0; i < v.length; i++) d = Math.max(d, (i + 1) / v.length - v[i]!, v[i]! - i / v.length);
  return d;
}

describe('SPA / Reality Check against arch.bootstrap.SPA (arch 8.0.0)', () => {
  // arch: SPA(benchmark = −bench, models = −series (losses), block_size, reps = 20000, seed = 1, 2, 3). Its
  // documented p-values (lower, consistent, upper) are unstudentized in `compute` — our `studentize: false`.
  const { bench, series } = archCase();
  const input = { series, benchmark: bench, kind: 'returns' as const };

  it('the stationary-bootstrap variance ω̂² equals arch `_loss_diff_var` and the consistent threshold drops the same model', () => {
    const arch: Record<number, number[]> = {
      5: [0.0002813446603734018, 0.00021665003830765125, 0.00036474361780524815, 0.0002201785832499703, 0.0002744701871233594],
      12: [0.00027163171958916754, 0.00018712715894632131, 0.00036531881567352953, 0.00018201366412685292, 0.00025497376958986175],
    };
    for (const bs of [5, 12]) {
      const r = superiorPredictiveAbility(input, { reps: 1, seed: 1, blockLength: bs, studentize: false });
      r.omega.forEach((w, j) => expect(w * w / arch[bs]![j]!).toBeCloseTo(1, 9));
      // arch `_valid_columns` = [T, F, T, T, T]: model 1 is below −√(ω̂²/n · 2 ln ln n).
      const valid = r.meanDifference.map((m, j) => m >= -Math.sqrt((r.omega[j]! ** 2 / 300) * 2 * Math.log(Math.log(300))));
      expect(valid).toEqual([true, false, true, true, true]);
    }
  });

  it('p-values agree with arch within Monte Carlo error (20,000 reps each; arch = mean over its seeds 1–3)', () => {
    const arch: Record<number, [number, number, number]> = { 5: [0.7378, 0.78583, 0.8269], 12: [0.76285, 0.81135, 0.85035] };
    for (const bs of [5, 12]) {
      const r = superiorPredictiveAbility(input, { reps: 20000, seed: 7, blockLength: bs, studentize: false });
      const [l, c, u] = arch[bs]!;
      // SE of one 20k-rep p-value ≈ 0.003: ±0.015 is 4–5 SE.
      expect(Math.abs(r.spa.pValues.lower - l)).toBeLessThan(0.015);
      expect(Math.abs(r.spa.pValues.consistent - c)).toBeLessThan(0.015);
      expect(Math.abs(r.spa.pValues.upper - u)).toBeLessThan(0.015);
      // White's RC is the unstudentized, always-recentred (upper) comparison.
      expect(r.realityCheck.pValue).toBe(r.spa.pValues.upper);
    }
  });

  it('is deterministic per seed and records the block length it used', () => {
    const a = superiorPredictiveAbility(input, { reps: 300, seed: 3 });
    const b = superiorPredictiveAbility(input, { reps: 300, seed: 3 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.blockLengthSource).toBe('politis-white');
    expect(a.blockLength).toBeGreaterThan(1);
    expect(a.studentized).toBe(true);
    expect(superiorPredictiveAbility(input, { reps: 300, seed: 4 }).spa.pValues).not.toEqual(a.spa.pValues);
  });
});

describe('SPA / Reality Check properties (White 2000 Thm 2.3, Hansen 2005 Thm 1–3)', () => {
  it('under the null (every strategy has zero edge) the RC, consistent and upper p-values are ≈ uniform', () => {
    const ps = { rc: [] as number[], l: [] as number[], c: [] as number[], u: [] as number[] };
    const sims = 200;
    for (let s = 1; s <= sims; s++) {
      const r = mulberry32(1000 + s);
      const series = Array.from({ length: 4 }, () => Array.from({ length: 100 }, () => r.normal()));
      const x = superiorPredictiveAbility({ series, kind: 'returns' }, { reps: 199, seed: s, blockLength: 1 });
      ps.rc.push(x.realityCheck.pValue);
      ps.l.push(x.spa.pValues.lower);
      ps.c.push(x.spa.pValues.consistent);
      ps.u.push(x.spa.pValues.upper);
      expect(x.spa.pValues.lower).toBeLessThanOrEqual(x.spa.pValues.consistent);
      expect(x.spa.pValues.consistent).toBeLessThanOrEqual(x.spa.pValues.upper);
    }
    // 1 % critical value of the one-sample KS distance for 200 draws: 1.63 / √200 ≈ 0.115.
    const crit = 1.63 / Math.sqrt(sims);
    expect(ksUniform(ps.rc)).toBeLessThan(crit);
    expect(ksUniform(ps.c)).toBeLessThan(crit);
    expect(ksUniform(ps.u)).toBeLessThan(crit);
    // The lower bound is liberal by construction (it recentres nothing that looks worse than the benchmark).
    expect(ps.l.filter((p) => p <= 0.05).length / sims).toBeLessThan(0.15);
  });

  it('under the null with dependent returns and the automatic block length, rejections stay near the level', () => {
    let reject = 0;
    const sims = 60;
    for (let s = 1; s <= sims; s++) {
      const series = [0, 1, 2].map((j) => ar1(200, 0.4, 5000 + 3 * s + j));
      const x = superiorPredictiveAbility({ series, kind: 'returns' }, { reps: 199, seed: s });
      if (x.spa.pValues.consistent <= 0.1) reject++;
    }
    // Nominal 10 %: allow sampling error (binomial SD ≈ 0.039 for 60 draws) plus bootstrap size distortion.
    expect(reject / sims).toBeLessThan(0.22);
  });

  it('one strategy with a real edge among noise gets a small p-value, and is the one named best', () => {
    const r = mulberry32(77);
    const series = Array.from({ length: 20 }, (_, j) => Array.from({ length: 500 }, () => (j === 13 ? 0.25 : 0) + r.normal()));
    const x = superiorPredictiveAbility({ series, kind: 'returns' }, { reps: 500, seed: 1 });
    expect(x.best).toBe(13);
    expect(x.spa.pValues.consistent).toBeLessThan(0.01);
    expect(x.realityCheck.pValue).toBeLessThan(0.01);
    // The same strategies judged against a benchmark that earns the same edge: nothing beats it.
    const bench = new Array(500).fill(0.25);
    const y = superiorPredictiveAbility({ series, kind: 'returns', benchmark: bench }, { reps: 500, seed: 1 });
    expect(y.spa.pValues.consistent).toBeGreaterThan(0.2);
  });

  it('losses are the mirror of returns', () => {
    const r = mulberry32(5);
    const series = Array.from({ length: 3 }, () => Array.from({ length: 80 }, () => r.normal()));
    const a = superiorPredictiveAbility({ series, kind: 'returns' }, { reps: 200, seed: 2, blockLength: 3 });
    const b = superiorPredictiveAbility({ series: series.map((s) => s.map((x) => -x)), kind: 'losses' }, { reps: 200, seed: 2, blockLength: 3 });
    expect(b.spa).toEqual(a.spa);
    expect(b.realityCheck).toEqual(a.realityCheck);
  });
});

describe('stationary-bootstrap variance and input checks', () => {
  it('the closed form equals the direct O(n²) sum of Politis & Romano (1994) / Hansen (2005)', () => {
    const x = ar1(700, 0.6, 8);
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const e = x.map((v) => v - m);
    const n = e.length;
    for (const b of [1, 2.5, 20, 700]) {
      const q = 1 / b;
      let v = e.reduce((a, z) => a + z * z, 0) / n;
      for (let i = 1; i < n; i++) {
        let s = 0;
        for (let t = 0; t + i < n; t++) s += e[t]! * e[t + i]!;
        v += (2 * ((1 - i / n) * (1 - q) ** i + (i / n) * (1 - q) ** (n - i)) * s) / n;
      }
      expect(stationaryBootstrapVariance(e, b) / v).toBeCloseTo(1, 12);
    }
  });

  it('refuses bad input with the reason', () => {
    const ok = [Array.from({ length: 20 }, (_, i) => Math.sin(i))];
    expect(() => superiorPredictiveAbility({ series: [[1, 2, 3]], kind: 'returns' }, { seed: 1 })).toThrow(InsufficientDataError);
    expect(() => superiorPredictiveAbility({ series: ok, kind: 'returns', benchmark: [1, 2] }, { seed: 1 })).toThrow(/benchmark has 2 periods/);
    expect(() => superiorPredictiveAbility({ series: ok, kind: 'returns' }, { seed: 1, reps: 0 })).toThrow();
    expect(() => superiorPredictiveAbility({ series: ok, kind: 'returns' }, { seed: 1, blockLength: 0.5 })).toThrow();
    expect(() => superiorPredictiveAbility({ series: [new Array(20).fill(0.01)], kind: 'returns' }, { seed: 1 })).toThrow(StatsInputError);
    // A strategy identical to the benchmark contributes exactly 0 and does not break the test.
    const same = superiorPredictiveAbility({ series: [new Array(20).fill(0), ok[0]!], kind: 'returns' }, { seed: 1, reps: 50 });
    expect(same.omega[0]).toBe(0);
  });
});
