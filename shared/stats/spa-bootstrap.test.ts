import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng';
import { stationaryBootstrapIndices } from './resample';
import { superiorPredictiveAbility, type SpaInput, type SpaOptions } from './spa';
import type { Exceedances } from './spa-bootstrap';

/** A sweep-shaped case: k combos × n days, each trading on a few dozen days, and a dense buy-and-hold benchmark. */
function sweepCase(k: number, n: number, seed: number): { series: Float64Array[]; bench: number[] } {
  const r = mulberry32(seed);
  const bench = Array.from({ length: n }, () => 0.0004 + 0.03 * r.normal());
  const series = Array.from({ length: k }, (_, j) => {
    const row = new Float64Array(n);
    const trades = j % 50 === 0 ? 0 : 1 + Math.floor(r.next() * 60);
    const edge = (r.next() - 0.55) * 0.004;
    for (let i = 0; i < trades; i++) row[Math.floor(r.next() * n)]! += edge + 0.02 * r.normal();
    return row;
  });
  // Identical rows (two param sets with the same trades) as sweeps have them.
  for (let j = 3; j < k; j += 97) series[j] = series[j - 1]!.slice();
  return { series, bench };
}

/**
 * The straightforward computation the paths must reproduce: per replication, each strategy's resampled sum as
 * Σ over runs of contiguous indices, in run order, of P[end] − P[start] (P its prefix sums), then the maxima.
 */
function straightforward(input: SpaInput & { benchmark: ArrayLike<number> | 'flat' }, o: Required<Pick<SpaOptions, 'reps' | 'seed'>>, ref: ReturnType<typeof superiorPredictiveAbility>) {
  const k = input.series.length;
  const n = input.series[0]!.length;
  const P = Array.from({ length: k }, (_, j) => {
    const p = [0];
    let acc = 0;
    for (let t = 0; t < n; t++) {
      const b = input.benchmark === 'flat' ? 0 : input.benchmark[t]!;
      acc += input.series[j]![t]! - b;
      p.push(acc);
    }
    return p;
  });
  const mean = ref.meanDifference;
  const sqrtN = Math.sqrt(n);
  const threshold = Math.sqrt(2 * Math.log(Math.log(n)));
  const rng = mulberry32(o.seed);
  const idx = new Int32Array(n);
  const x = { lower: 0, consistent: 0, upper: 0, rc: 0 };
  for (let b = 0; b < o.reps; b++) {
    stationaryBootstrapIndices(n, ref.blockLength, rng, idx);
    const runs: [number, number][] = [];
    let s0 = idx[0]!;
    for (let t = 1; t <= n; t++) {
      if (t === n || idx[t] !== idx[t - 1]! + 1) {
        runs.push([s0, idx[t - 1]! + 1]);
        if (t < n) s0 = idx[t]!;
      }
    }
    let [l, c, u, rc] = [-Infinity, -Infinity, -Infinity, -Infinity];
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (const [a, e] of runs) s += P[j]![e]! - P[j]![a]!;
      const m = s / n;
      const sc = ref.studentized ? (ref.omega[j]! > 0 ? sqrtN / ref.omega[j]! : 0) : 1;
      const muC = mean[j]! >= (-ref.omega[j]! / sqrtN) * threshold ? mean[j]! : 0;
      l = Math.max(l, (m - Math.max(mean[j]!, 0)) * sc);
      c = Math.max(c, (m - muC) * sc);
      u = Math.max(u, (m - mean[j]!) * sc);
      rc = Math.max(rc, sqrtN * (m - mean[j]!));
    }
    if (l > ref.spa.statistic) x.lower++;
    if (c > ref.spa.statistic) x.consistent++;
    if (u > ref.spa.statistic) x.upper++;
    if (rc > ref.realityCheck.statistic) x.rc++;
  }
  return x;
}

function both(input: SpaInput, options: SpaOptions) {
  const seen: Record<string, Exceedances> = {};
  const onBootstrap = (p: string, x: Exceedances) => (seen[p] = x);
  const runs = superiorPredictiveAbility(input, options, { path: 'runs', onBootstrap });
  const sparse = superiorPredictiveAbility(input, options, { path: 'sparse', onBootstrap });
  let auto = '';
  superiorPredictiveAbility(input, { ...options, reps: 1 }, { onBootstrap: (p) => (auto = p) });
  return { runs, sparse, auto, recomputes: seen.sparse!.exactRecomputes };
}

describe('SPA bootstrap paths', () => {
  it('the sparse path gives the runs path’s result bit for bit on a sweep-sized case, vs flat and vs buy-and-hold', () => {
    const { series, bench } = sweepCase(250, 1918, 7);
    for (const benchmark of ['flat', bench] as const) {
      const input = { series, kind: 'returns' as const, benchmark };
      const { runs, sparse, auto } = both(input, { reps: 200, seed: 3 });
      expect(auto).toBe('sparse');
      expect(sparse).toEqual(runs);
      const x = straightforward(input, { reps: 200, seed: 3 }, runs);
      expect({ lower: runs.spa.pValues.lower * 200, consistent: runs.spa.pValues.consistent * 200, upper: runs.spa.pValues.upper * 200, rc: runs.realityCheck.pValue * 200 }).toEqual(x);
    }
  });

  it('comparisons within rounding of the statistic are recomputed with the runs path’s arithmetic', () => {
    // Unstudentized, every mean negative: μ̂ˡ = 0, so a replication that redraws the whole series in rotated order
    // (one wrapping block) puts max_k d̄*_k within rounding of the statistic max_k d̄_k.
    const { series } = sweepCase(60, 400, 11);
    const shifted = series.map((row, j) => row.map((v, t) => v - 0.001 - (j % 7) * 1e-4 - (t % 3 === 0 ? 3e-4 : 0)));
    const input = { series: shifted, kind: 'returns' as const, benchmark: 'flat' as const };
    const options = { reps: 400, seed: 5, blockLength: 400, studentize: false };
    const { runs, sparse, recomputes } = both(input, options);
    expect(recomputes).toBeGreaterThan(0);
    expect(sparse).toEqual(runs);
    expect(runs.spa.pValues.lower * 400).toBe(straightforward(input, options, runs).lower);
  });

  it('bit-identical rows share their block length and ω̂, which are what each row gives on its own', () => {
    const { series, bench } = sweepCase(120, 600, 4);
    const full = superiorPredictiveAbility({ series, kind: 'returns', benchmark: bench }, { reps: 50, seed: 1 });
    const dups = series.filter((row, j) => series.findIndex((r) => r.every((v, t) => Object.is(v, row[t]))) !== j).length;
    expect(dups).toBeGreaterThan(0);
    const alone = series.map((row) => superiorPredictiveAbility({ series: [row], kind: 'returns', benchmark: bench }, { reps: 1, seed: 1, blockLength: full.blockLength }).omega[0]);
    expect(full.omega).toEqual(alone);
    const blocks = series.map((row) => superiorPredictiveAbility({ series: [row], kind: 'returns', benchmark: bench }, { reps: 1, seed: 1 }).blockLength);
    expect(full.blockLength).toBe(blocks.reduce((a, b) => a + b, 0) / blocks.length);
  });

  it('losses and dense series: both paths agree and the runs path is chosen', () => {
    const r = mulberry32(2);
    const series = Array.from({ length: 30 }, () => Array.from({ length: 250 }, () => 0.01 * r.normal()));
    const input = { series, kind: 'losses' as const, benchmark: series[0]!.map((v) => v * 0.5) };
    const { runs, sparse, auto } = both(input, { reps: 300, seed: 9 });
    expect(auto).toBe('runs');
    expect(sparse).toEqual(runs);
  });
});
