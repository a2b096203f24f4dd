/**
 * Cost-estimator benchmark: the spread-from-candles estimators over one year of seeded simulated 1m candles
 * (525,600, 5 bps spread — the throughput does not depend on the values) — EDGE, Corwin–Schultz and Abdi–Ranaldo on
 * the whole year, EDGE per day (rolling window 1,440, step 1,440), EDGE over a trailing day every hour (window
 * 1,440, step 60) both exactly per window and by sliding moments (`edgeRolling`), plus 1M square-root impact evaluations. Informational (no goal yet): it says what a cost model
 * built on them would add to a one-year 1m backtest. Median of 5 runs after a warm-up (one run for the hourly
 * trailing-day EDGE, which is the slow one: O(n · window / step)).
 *
 * Run standalone: `npx tsx bench/costs.ts`; or call `runCostsBench()`.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../shared/backtest/prng';
import { abdiRanaldoSpread, corwinSchultzSpread, edgeRolling, edgeSpread, rollingSpread, simulateBidAskCandles } from '../shared/costs/estimators';
import { sqrtImpact } from '../shared/costs/impact';

export interface CostsBenchRow {
  name: string;
  medianMs: number;
}

function median(fn: () => unknown, reps = 5): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[reps >> 1]!;
}

export function runCostsBench(): CostsBenchRow[] {
  const x = simulateBidAskCandles(mulberry32(2024), { n: 525_600, trades: 20, prob: 0.5, spread: 0.0005, volatility: 0.001 });
  return [
    { name: 'EDGE, one year of 1m candles', medianMs: median(() => edgeSpread(x)) },
    { name: 'Corwin–Schultz, one year of 1m candles', medianMs: median(() => corwinSchultzSpread(x)) },
    { name: 'Abdi–Ranaldo, one year of 1m candles', medianMs: median(() => abdiRanaldoSpread(x)) },
    { name: 'EDGE per day (365 windows of 1,440)', medianMs: median(() => rollingSpread(x, { estimator: 'edge' }, { window: 1440, step: 1440 })) },
    { name: 'edgeRolling trailing day every hour (O(n))', medianMs: median(() => edgeRolling(x, { window: 1440, step: 60 })) },
    { name: 'edgeRolling trailing day every minute (O(n))', medianMs: median(() => edgeRolling(x, { window: 1440, step: 1 }), 3) },
    { name: 'EDGE trailing day every hour (8,737 windows)', medianMs: median(() => rollingSpread(x, { estimator: 'edge' }, { window: 1440, step: 60 }), 1) },
    {
      name: 'sqrtImpact × 1,000,000',
      medianMs: median(() => {
        let s = 0;
        for (let i = 0; i < 1_000_000; i++) s += sqrtImpact({ notional: 1000 + i, volume: 5e7, sigma: 0.01 }).impactBps;
        return s;
      }, 3),
    },
  ];
}

export function formatCostsTable(rows: CostsBenchRow[]): string {
  return ['\nCost estimators (median ms):', ...rows.map((r) => `  ${r.name.padEnd(48)} ${r.medianMs.toFixed(1).padStart(9)}`)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(formatCostsTable(runCostsBench()));
