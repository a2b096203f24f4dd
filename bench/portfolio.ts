/**
 * Portfolio benchmark: three symbols of one year of 1m candles each (the backtest bench's seeded synthetic series,
 * seeds 2024..2026), the backtest bench's EMA cross + ATR stops strategy on every symbol, max 2 positions, equal
 * weight, all 11 cost presets — the whole `runPortfolio` (prepare, kernel pass, pricing, one shared-cash pass per
 * cost view, metrics, hash) against the sum of the three single-series `runBacktest`s. Median of a few runs after a
 * warm-up. No goal yet: the figure is recorded so later changes can be compared.
 *
 * Run standalone: `npx tsx bench/portfolio.ts`; or call `runPortfolioBench()`.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runBacktest } from '../shared/backtest/engine';
import { runPortfolio } from '../shared/portfolio';
import { emaCrossAtr, syntheticMinuteSeries } from './backtest';

export interface PortfolioBenchResult {
  suite: 'portfolio';
  symbols: number;
  candlesPerSymbol: number;
  trades: number;
  maxPositionsSkips: number;
  /** Median ms of one full portfolio run, and of the three single-series backtests together. */
  portfolioMs: number;
  singlesMs: number;
  resultHash: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runPortfolioBench(opts: { reps?: number; n?: number } = {}): Promise<PortfolioBenchResult> {
  const reps = opts.reps ?? 3;
  const universe = [2024, 2025, 2026].map((seed, k) => ({ ...syntheticMinuteSeries(opts.n, seed), symbol: `SYN${k}/USDT` }));
  const params = emaCrossAtr.defaults;
  const run = () => runPortfolio(universe, { kind: 'single', strategy: emaCrossAtr }, params, { maxPositions: 2 });
  let last = run();
  const pt: number[] = [];
  const st: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    last = run();
    pt.push(performance.now() - t);
    t = performance.now();
    for (const s of universe) runBacktest(s, emaCrossAtr, params, {});
    st.push(performance.now() - t);
  }
  return {
    suite: 'portfolio',
    symbols: universe.length,
    candlesPerSymbol: universe[0]!.length,
    trades: last.trades.length,
    maxPositionsSkips: last.skipped.maxPositions,
    portfolioMs: median(pt),
    singlesMs: median(st),
    resultHash: last.resultHash,
  };
}

export function formatPortfolioBench(r: PortfolioBenchResult): string {
  return (
    `\nPortfolio of ${r.symbols} × ${r.candlesPerSymbol.toLocaleString('en-US')} 1m candles, EMA cross + ATR stops, max 2 positions, all cost presets: ` +
    `${r.trades} trades (${r.maxPositionsSkips} entries refused at max positions)` +
    `\n  median ${r.portfolioMs.toFixed(0)} ms; the ${r.symbols} single-series backtests together ${r.singlesMs.toFixed(0)} ms`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatPortfolioBench(await runPortfolioBench()));
}
