/**
 * Cost-model overhead on the one-year 1m backtest row (bench/backtest.ts): the same full backtest (prepare, loop,
 * all 11 fee-only presets, metrics, hash) alone, and followed by the measured cost model for all five venues
 * (shared/costs/measured-run.ts: fee row, EDGE half-spread on the trailing day of candles, square-root impact,
 * per fill), as a run records it. Medians over several runs after a warm-up; goal: measured < 20 % slower.
 *
 * Run standalone: `npx tsx bench/cost-model.ts`; or `npm run bench -- backtest`.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runBacktest } from '../shared/backtest/engine';
import { parseBacktestConfig } from '../shared/backtest/config';
import { VENUE_IDS } from '../shared/costs/presets';
import { measureRunCosts } from '../shared/costs/measured-run';
import { emaCrossAtr, syntheticMinuteSeries, BACKTEST_BENCH_N } from './backtest';

export const COST_OVERHEAD_GOAL = 0.2;

export interface CostOverheadResult {
  n: number;
  reps: number;
  trades: number;
  feeOnlyMs: number;
  measuredMs: number;
  /** Median of the measured step alone. */
  measuredStepMs: number;
  /** Fastest measured step (less sensitive to other jobs on a shared machine). */
  measuredStepMinMs: number;
  /** Median measured step / median backtest alone: the step's share once the backtest gets faster or slower. */
  stepShare: number;
  /** Medians of the process CPU time (user + system) of the backtest alone and of the measured step: on a shared
   * machine wall time also counts the time other jobs held the cores. */
  feeOnlyCpuMs: number;
  measuredStepCpuMs: number;
  /** Median of (backtest + measured) / median of the backtest alone − 1. */
  overhead: number;
  /** The same with the fastest run of each (less sensitive to other jobs on a shared machine). */
  overheadMin: number;
  pass: boolean;
}

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
}

export function runCostOverheadBench(opts: { reps?: number; n?: number } = {}): CostOverheadResult {
  const reps = opts.reps ?? 9;
  const n = opts.n ?? BACKTEST_BENCH_N;
  const series = syntheticMinuteSeries(n);
  const params = emaCrossAtr.defaults;
  const config = parseBacktestConfig({});
  const venues = VENUE_IDS.map((venue) => ({ venue, legs: [{ symbol: series.symbol, series, candlesVenue: 'binance' }] }));
  let result = runBacktest(series, emaCrossAtr, params, config); // warm-up (JIT)
  measureRunCosts(result.trades, venues);
  const fee: number[] = [];
  const measured: number[] = [];
  const step: number[] = [];
  const feeCpu: number[] = [];
  const stepCpu: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  // A fresh copy of the candles for each run (made before timing): the measured model's per-series caches start
  // cold, as in a real run.
  const copies = Array.from({ length: reps }, () => ({ ...series, openTime: series.openTime.slice(), open: series.open.slice(), high: series.high.slice(), low: series.low.slice(), close: series.close.slice(), volume: series.volume.slice() }));
  for (let r = 0; r < reps; r++) {
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    result = runBacktest(series, emaCrossAtr, params, config);
    fee.push(performance.now() - t0);
    feeCpu.push(cpuMs(c0));
    const fresh = copies[r]!;
    const cold = VENUE_IDS.map((venue) => ({ venue, legs: [{ symbol: fresh.symbol, series: fresh, candlesVenue: 'binance' }] }));
    t0 = performance.now();
    result = runBacktest(series, emaCrossAtr, params, config);
    c0 = process.cpuUsage();
    const t1 = performance.now();
    measureRunCosts(result.trades, cold);
    const t2 = performance.now();
    stepCpu.push(cpuMs(c0));
    measured.push(t2 - t0);
    step.push(t2 - t1);
  }
  const feeOnlyMs = median(fee);
  const measuredMs = median(measured);
  const overhead = measuredMs / feeOnlyMs - 1;
  const overheadMin = Math.min(...measured) / Math.min(...fee) - 1;
  const measuredStepMs = median(step);
  return { n, reps, trades: result.trades.length, feeOnlyMs, measuredMs, measuredStepMs, measuredStepMinMs: Math.min(...step), stepShare: measuredStepMs / feeOnlyMs, feeOnlyCpuMs: median(feeCpu), measuredStepCpuMs: median(stepCpu), overhead, overheadMin, pass: overhead < COST_OVERHEAD_GOAL };
}

export function formatCostOverhead(r: CostOverheadResult): string {
  return (
    `\nCost-model overhead on the same backtest (${r.trades} trades, 5 venues measured: fee row + EDGE half-spread + sqrt impact per fill):` +
    `\n  fee-only presets ${r.feeOnlyMs.toFixed(0)} ms | + measured model ${r.measuredMs.toFixed(0)} ms (measured step ${r.measuredStepMs.toFixed(1)} ms, fastest ${r.measuredStepMinMs.toFixed(1)} ms, ${(r.stepShare * 100).toFixed(1)} % of the backtest) | ` +
    `${(r.overhead * 100).toFixed(1)} % slower (median of ${r.reps}; fastest runs: ${(r.overheadMin * 100).toFixed(1)} %); goal < ${COST_OVERHEAD_GOAL * 100} %: ${r.pass ? 'met' : 'NOT met'}` +
    `\n  CPU time (medians): backtest ${r.feeOnlyCpuMs.toFixed(1)} ms, measured step ${r.measuredStepCpuMs.toFixed(1)} ms (${((r.measuredStepCpuMs / r.feeOnlyCpuMs) * 100).toFixed(1)} % of the backtest)`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatCostOverhead(runCostOverheadBench()));
}
