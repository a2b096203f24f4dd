/**
 * Seeds the Lab with real market data and derived research rows for the browser tests and the benchmark:
 * Binance BTC/USDT and ETH/USDT 4h and 5m candles (freqtrade's REST-derived files in ../shared/data, validated
 * with the real validator; rejected rows go to data_issues), two EMA-crossover runs and a sweep computed on those
 * candles (tools/browser/lab-fixtures.ts), and a couple of paper signals with alerts in two delivery states.
 * Everything seeded is labelled `fixture` (strategy `fixture-ema-crossover`, code version `fixture`).
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { join, resolve } from 'node:path';
import type { Candle } from '../../shared/candles/candle';
import type { Timeframe } from '../../shared/candles/timeframe';
import { validateCandles } from '../../shared/candles/validate';
import type { Database } from '../../shared/db/database';
import { upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';
import { alerts, signals } from '../../shared/db/schema';
import { buildRunFixture, buildSweepFixture, crossoverTrades, insertRunFixture, insertSweepFixture, syntheticTrades } from './lab-fixtures';
import { runStats, sweepStats } from './stats-fixtures';
import { ROOT } from './stack';

export const SHARED_DATA_DIR = process.env.SHARED_DATA_DIR ?? resolve(ROOT, '..', 'shared', 'data');
const FT = 'SauloHenriqueAguiar-freqtrades';

export function freqtradeCandles(file: string): Candle[] {
  const rows = JSON.parse(readFileSync(join(SHARED_DATA_DIR, 'freqtrade-binance-spot', FT, file), 'utf8')) as number[][];
  return rows.map((r) => ({ openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }));
}

export const FIXTURE_STRATEGY = 'fixture-ema-crossover';
export const SEEDED = { runA: 'fixture-btc-4h-ema12-26', runB: 'fixture-eth-4h-ema8-21', run5m: 'fixture-btc-5m-ema20-50', sweep: 'fixture-btc-4h-sweep' } as const;

export interface SeedReport {
  candles: Record<string, number>;
  issues: number;
  runs: Record<string, number>;
  sweepCombos: number;
}

export async function seedLab(db: Database): Promise<SeedReport> {
  const report: SeedReport = { candles: {}, issues: 0, runs: {}, sweepCombos: 0 };
  const series: Record<string, Candle[]> = {};
  for (const [symbol, base] of [
    ['BTC/USDT', 'BTC_USDT'],
    ['ETH/USDT', 'ETH_USDT'],
  ] as const) {
    for (const tf of ['4h', '5m'] as Timeframe[]) {
      const key = { venue: 'binance', symbol, timeframe: tf };
      const { valid, issues } = validateCandles(freqtradeCandles(`${base}-${tf}.json`), { timeframe: tf, now: Date.now() });
      const source = `freqtrade:${base}-${tf}.json`;
      await upsertCandles(db, key, valid, source);
      if (issues.length) report.issues += await recordDataIssues(db, key, source, issues);
      series[`${symbol} ${tf}`] = valid;
      report.candles[`binance ${symbol} ${tf}`] = valid.length;
    }
  }
  const btc4h = series['BTC/USDT 4h']!;
  const eth4h = series['ETH/USDT 4h']!;
  const btc5m = series['BTC/USDT 5m']!;
  const runs = [
    { id: SEEDED.runA, candles: btc4h, symbol: 'BTC/USDT', tf: '4h', fast: 12, slow: 26, at: 3 },
    { id: SEEDED.runB, candles: eth4h, symbol: 'ETH/USDT', tf: '4h', fast: 8, slow: 21, at: 2 },
    { id: SEEDED.run5m, candles: btc5m, symbol: 'BTC/USDT', tf: '5m', fast: 20, slow: 50, at: 1 },
  ];
  // The issue-13 statistics from the real estimators: PBO / SPA over EMA-crossover combos (run A's evidence; the sweep
  // fixture computes its own with the real sweep code), and per 4h run the Monte
  // Carlo, the lookahead audit and the study gates (run A judged with the sweep's PBO and SPA p as evidence).
  const SWEEP_FAST = [5, 8, 12, 20];
  const SWEEP_SLOW = [21, 26, 34, 50];
  const sweepCombos = SWEEP_FAST.flatMap((fast) => SWEEP_SLOW.filter((slow) => slow > fast).map((slow) => ({ key: `fast=${fast},slow=${slow}`, trades: crossoverTrades(btc4h, fast, slow) })));
  const sweepStat = sweepStats({ combos: sweepCombos, candles: btc4h, timeframe: '4h', view: 'binance-taker' });
  const spaP = sweepStat.spa.vsFlat.status === 'done' ? sweepStat.spa.vsFlat.spa.consistent : null;
  for (const r of runs) {
    const trades = crossoverTrades(r.candles, r.fast, r.slow);
    const stats =
      r.tf === '4h'
        ? runStats({ trades, candles: r.candles, timeframe: '4h', view: 'binance-taker', ...(r.id === SEEDED.runA ? { pbo: sweepStat.pbo.status === 'done' ? sweepStat.pbo.pbo : null, spaPValue: spaP } : {}) })
        : null;
    await insertRunFixture(
      db,
      buildRunFixture({
        id: r.id,
        strategyId: FIXTURE_STRATEGY,
        venue: 'binance',
        symbol: r.symbol,
        timeframe: r.tf,
        windowFrom: r.candles[0]!.openTime,
        windowTo: r.candles.at(-1)!.openTime,
        candleCount: r.candles.length,
        trades,
        params: { fast: r.fast, slow: r.slow },
        createdAt: new Date(Date.now() - r.at * 60_000),
        ...(stats ? { extraResult: { ...stats } } : {}),
      }),
    );
    report.runs[r.id] = trades.length;
  }
  const sweep = buildSweepFixture({ id: SEEDED.sweep, strategyId: FIXTURE_STRATEGY, venue: 'binance', symbol: 'BTC/USDT', timeframe: '4h', candles: btc4h, fast: SWEEP_FAST, slow: SWEEP_SLOW, chunkSize: 4 });
  await insertSweepFixture(db, sweep);
  report.sweepCombos = sweep.sweep.combos;

  // Two paper signals at the last trades of run A, with alerts in two delivery states.
  const lastTrades = crossoverTrades(btc4h, 12, 26).slice(-2);
  for (const [i, t] of lastTrades.entries()) {
    const [s] = await db
      .insert(signals)
      .values({
        strategyId: FIXTURE_STRATEGY,
        strategyVersion: '1.0.0',
        venue: 'binance',
        symbol: 'BTC/USDT',
        timeframe: '4h',
        candleOpenTime: t.entryTime - 14_400_000,
        candleCloseTime: t.entryTime,
        action: 'BUY',
        price: t.entryPrice,
        reason: t.entryReason,
        mode: 'paper',
        computedAt: new Date(t.entryTime),
      })
      .onConflictDoNothing()
      .returning();
    if (!s) continue;
    await db
      .insert(alerts)
      .values({
        signalId: s.id,
        dedupeKey: `fixture:${s.id}`,
        status: i === 0 ? 'sent' : 'failed',
        attempts: i === 0 ? 1 : 3,
        message: `BUY BTC/USDT 4h (fixture): ${t.entryReason}`,
        lastError: i === 0 ? null : 'fixture: Telegram 502 Bad Gateway',
        sentAt: i === 0 ? new Date(t.entryTime + 1000) : null,
      })
      .onConflictDoNothing();
  }
  return report;
}

/** The benchmark's run: `n` synthetic trades on the BTC 5m window (equity downsampled to ≤ 2000 points). */
export async function seedBenchRun(db: Database, id: string, n: number): Promise<void> {
  const start = Date.UTC(2022, 0, 6);
  await insertRunFixture(
    db,
    buildRunFixture({ id, strategyId: 'fixture-bench', venue: 'binance', symbol: 'BTC/USDT', timeframe: '5m', windowFrom: start, windowTo: start + n * 2 * 300_000, candleCount: n * 2, trades: syntheticTrades(n, start, 300_000), engineEquity: true }),
  );
  // Planner statistics as autovacuum would leave them (fresh tables otherwise get bitmap scans + sorts).
  await db.execute(sql`ANALYZE backtest_runs, backtest_trades, backtest_equity`);
}
