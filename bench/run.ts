/**
 * `npm run bench`: every performance target in one run, each printed side by side with the peers its issue names —
 * indicators vs tulind / technicalindicators / trading-signals, the one-year 1m backtest (and the measured cost
 * model's overhead on it, fee-only presets vs measured side by side), archive import vs `psql \copy`, the cron
 * cycle, sweeps vs the bare-loop JS limit (`sweep`, which also prints the 1m backtest row), the run detail
 * (`run-detail`: p99 at concurrency 10 and size, vs all trades in one response) and (when its suite is present) API
 * latency under load. Performance targets live
 * here, never in timed unit tests. `npm run bench -- indicators backtest` runs a subset.
 * `npm run bench -- sweep-e2e` (10,000 combos through the local Queues, then the same sweep serially: several
 * minutes of CPU) runs only when named — never in the no-argument run.
 */
import { formatIndicatorTable, runIndicatorBench } from './indicators';
import { BACKTEST_GOAL_MS, runBacktestBench } from './backtest';
import { formatCostOverhead, runCostOverheadBench } from './cost-model';
import { runImportBench } from './import';
import { formatCostsTable, runCostsBench } from './costs';
import { runMarketBench } from './market';
import { formatStatsBench, runStatsBench } from './stats';
import { formatPortfolioBench, runPortfolioBench } from './portfolio';
import { formatSweepBench, runSweepBench } from './sweep';

const wanted = new Set(process.argv.slice(2));
const want = (s: string) => wanted.size === 0 || wanted.has(s);
const started = performance.now();
console.log(`npm run bench — Node ${process.versions.node}, ${new Date().toISOString()}`);

if (want('indicators')) {
  const rows = await runIndicatorBench();
  console.log(formatIndicatorTable(rows));
}
if (want('sweep')) console.log(formatSweepBench(await runSweepBench()));
if (want('backtest') || want('sweep')) {
  const r = await runBacktestBench();
  console.log(
    `\nBacktest of one year of 1m candles (${r.n.toLocaleString('en-US')}), EMA cross + ATR stops, ${r.trades} trades, all cost presets, metrics and hash:` +
      `\n  median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)}, ${r.reps} runs); prepare ${r.prepareMs.toFixed(0)} ms, prepare+loop ${r.loopMs.toFixed(0)} ms` +
      `\n  goal < ${BACKTEST_GOAL_MS} ms: ${r.pass ? 'met' : 'NOT met'}`,
  );
  console.log(formatCostOverhead(runCostOverheadBench()));
}
if (want('import')) await runImportBench();
if (want('costs')) console.log(formatCostsTable(runCostsBench()));
if (want('market')) runMarketBench();
if (want('stats')) console.log(formatStatsBench(await runStatsBench()));
if (want('portfolio')) console.log(formatPortfolioBench(await runPortfolioBench()));
if (want('run-detail')) {
  const { runRunDetailBench } = await import('./run-detail');
  await runRunDetailBench();
}
if (wanted.has('sweep-e2e')) await (await import('./sweep-e2e')).runSweepE2eBench();
if (want('api')) {
  const api = await import('./api').catch(() => null);
  if (api && 'runApiBench' in api) await (api as { runApiBench: () => Promise<unknown> }).runApiBench();
}
console.log(`\nbench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
