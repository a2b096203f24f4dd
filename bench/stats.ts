/**
 * Statistics benchmark (issue 13): PBO by CSCV for 1,000 combos × 16 blocks (all 12,870 splits; the returns
 * matrix is 1,000 × 1,600 seeded normal observations, 100 per block, reduced once to per-block sufficient
 * statistics), both in one call and as 13 queue-sized chunks of ≤ 1,000 splits plus the exact merge (the largest
 * chunk's time is what one Worker invocation spends); and Hansen's SPA + White's Reality Check for 1,000
 * strategies × 2,000 observations (seeded AR(1) φ = 0.2 returns sharing a market factor, flat benchmark) with
 * 1,000 stationary-bootstrap replications and the automatic Politis–White block length. Goal: each < 5 s.
 * Reports the median of 3 timed runs after a warm-up, in wall-clock ms and in process CPU ms (user + system, the
 * figure a Worker's CPU limit counts; on a shared machine wall time also counts waiting for a core), and the load
 * average at the start.
 *
 * Run standalone: `npx tsx bench/stats.ts`; or call `runStatsBench()` (`npm run bench -- stats`).
 */
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../shared/research/prng';
import {
  cscvFromReturns,
  mergePboPartials,
  planPboChunks,
  pboSplits,
  probabilityOfBacktestOverfitting,
  superiorPredictiveAbility,
  type CscvMatrix,
} from '../shared/stats';

export const STATS_GOAL_MS = 5000;

export interface StatsBenchResult {
  suite: 'stats';
  loadAverage: number;
  pbo: { combos: number; blocks: number; splits: number; medianMs: number; minMs: number; maxMs: number; cpuMs: number; chunkedMs: number; maxChunkMs: number; maxChunkBytes: number; chunks: number; buildMs: number; pbo: number };
  spa: { strategies: number; observations: number; reps: number; blockLength: number; medianMs: number; minMs: number; maxMs: number; cpuMs: number; pConsistent: number };
  goalMs: number;
  pass: boolean;
}

/** Wall and CPU milliseconds of one call. */
export function timed<T>(f: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function pboMatrix(combos: number, blocks: number, perBlock: number, seed: number): { m: CscvMatrix; buildMs: number } {
  const rng = mulberry32(seed);
  const rows = Array.from({ length: combos }, () => {
    const r = new Float64Array(blocks * perBlock);
    for (let i = 0; i < r.length; i++) r[i] = rng.normal();
    return r;
  });
  const t0 = performance.now();
  const m = cscvFromReturns(rows, blocks);
  return { m, buildMs: performance.now() - t0 };
}

function spaSeries(strategies: number, n: number, seed: number): Float64Array[] {
  const rng = mulberry32(seed);
  const market = new Float64Array(n);
  for (let t = 0; t < n; t++) market[t] = 0.01 * rng.normal();
  return Array.from({ length: strategies }, () => {
    const r = new Float64Array(n);
    let e = 0;
    for (let t = 0; t < n; t++) {
      e = 0.2 * e + rng.normal();
      r[t] = 0.5 * market[t]! + 0.005 * e;
    }
    return r;
  });
}

export async function runStatsBench(opts: { reps?: number; log?: (line: string) => void } = {}): Promise<StatsBenchResult> {
  const reps = opts.reps ?? 3;
  const log = opts.log ?? (() => {});
  const combos = 1000;
  const blocks = 16;
  const { m, buildMs } = pboMatrix(combos, blocks, 100, 13);
  probabilityOfBacktestOverfitting(pboMatrix(50, blocks, 20, 1).m); // warm-up
  const loadAverage = loadavg()[0]!;
  const pboTimes: number[] = [];
  const pboCpu: number[] = [];
  let pboValue = NaN;
  let splits = 0;
  for (let i = 0; i < reps; i++) {
    const { value: r, wallMs, cpuMs } = timed(() => probabilityOfBacktestOverfitting(m));
    pboTimes.push(wallMs);
    pboCpu.push(cpuMs);
    pboValue = r.pbo;
    splits = r.splits;
    log(`PBO run ${i + 1}: ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (PBO ${r.pbo.toFixed(3)})`);
  }
  const plan = planPboChunks(blocks, 1000);
  const t1 = performance.now();
  let maxChunkMs = 0;
  let maxChunkBytes = 0;
  const partials = plan.map((c) => {
    const t = performance.now();
    const json = JSON.stringify(pboSplits(m, c)); // through JSON, as a queue message would
    maxChunkMs = Math.max(maxChunkMs, performance.now() - t);
    maxChunkBytes = Math.max(maxChunkBytes, json.length);
    return JSON.parse(json) as unknown;
  });
  const merged = mergePboPartials(partials);
  const chunkedMs = performance.now() - t1;
  if (merged.pbo !== pboValue) throw new Error('chunked PBO differs from the one-call PBO');

  const strategies = 1000;
  const n = 2000;
  const spaReps = 1000;
  const series = spaSeries(strategies, n, 17);
  superiorPredictiveAbility({ series: series.slice(0, 20), kind: 'returns' }, { reps: 50, seed: 1 }); // warm-up
  const spaTimes: number[] = [];
  const spaCpu: number[] = [];
  let blockLength = NaN;
  let pConsistent = NaN;
  for (let i = 0; i < reps; i++) {
    const { value: r, wallMs, cpuMs } = timed(() => superiorPredictiveAbility({ series, kind: 'returns', benchmark: 'flat' }, { reps: spaReps, seed: 42 }));
    spaTimes.push(wallMs);
    spaCpu.push(cpuMs);
    blockLength = r.blockLength;
    pConsistent = r.spa.pValues.consistent;
    log(`SPA run ${i + 1}: ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (block length ${r.blockLength.toFixed(2)}, p consistent ${pConsistent.toFixed(3)})`);
  }
  const pboMedian = median(pboTimes);
  const spaMedian = median(spaTimes);
  return {
    suite: 'stats',
    loadAverage,
    pbo: {
      combos,
      blocks,
      splits,
      medianMs: pboMedian,
      minMs: Math.min(...pboTimes),
      maxMs: Math.max(...pboTimes),
      cpuMs: median(pboCpu),
      chunkedMs,
      maxChunkMs,
      maxChunkBytes,
      chunks: plan.length,
      buildMs,
      pbo: pboValue,
    },
    spa: { strategies, observations: n, reps: spaReps, blockLength, medianMs: spaMedian, minMs: Math.min(...spaTimes), maxMs: Math.max(...spaTimes), cpuMs: median(spaCpu), pConsistent },
    goalMs: STATS_GOAL_MS,
    pass: pboMedian < STATS_GOAL_MS && spaMedian < STATS_GOAL_MS,
  };
}

export function formatStatsBench(r: StatsBenchResult): string {
  const p = r.pbo;
  const s = r.spa;
  return (
    `\nPBO by CSCV, ${p.combos.toLocaleString('en-US')} combos × ${p.blocks} blocks (${p.splits.toLocaleString('en-US')} splits, Sharpe metric):` +
    `\n  one call: median ${p.medianMs.toFixed(0)} ms wall (min ${p.minMs.toFixed(0)}, max ${p.maxMs.toFixed(0)}), ${p.cpuMs.toFixed(0)} ms CPU; block statistics ${p.buildMs.toFixed(0)} ms; PBO ${p.pbo.toFixed(3)} (pure noise)` +
    `\n  chunked: ${p.chunks} chunks of ≤ 1,000 splits + merge through JSON ${p.chunkedMs.toFixed(0)} ms, largest chunk ${p.maxChunkMs.toFixed(0)} ms and ${(p.maxChunkBytes / 1024).toFixed(0)} KB of JSON` +
    `\nSPA + Reality Check, ${s.strategies.toLocaleString('en-US')} strategies × ${s.observations.toLocaleString('en-US')} observations, ${s.reps.toLocaleString('en-US')} stationary-bootstrap reps, automatic block length ${s.blockLength.toFixed(2)}:` +
    `\n  median ${s.medianMs.toFixed(0)} ms wall (min ${s.minMs.toFixed(0)}, max ${s.maxMs.toFixed(0)}), ${s.cpuMs.toFixed(0)} ms CPU; p consistent ${s.pConsistent.toFixed(3)}` +
    `\n  goal < ${r.goalMs} ms wall each: ${r.pass ? 'met' : 'NOT met'} (load average ${r.loadAverage.toFixed(1)} at the start)`
  );
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, statistics bench (issue 13)…`);
  const r = await runStatsBench({ log: (l) => console.log(l) });
  console.log(formatStatsBench(r));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
