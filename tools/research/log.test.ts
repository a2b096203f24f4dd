/**
 * The research log prints a run's Monte Carlo bands and lookahead audit status, and a sweep's PBO and SPA, from
 * what the real estimators stored (runMonteCarlo, auditLookahead, summariseSweepPbo) — byte-identical on rerun.
 */
import { describe, expect, it } from 'vitest';
import type { BacktestRunRow, SweepRow } from '../../shared/db/schema';
import { runMonteCarlo } from '../../shared/research/run-monte-carlo';
import { tradesFromGross } from '../../shared/research/fixtures.test-util';
import { auditLookahead } from '../../shared/backtest/lookahead-audit';
import { maCross, randomWalk } from '../../shared/backtest/fixtures.test-util';
import { cscvFromBlockValues, probabilityOfBacktestOverfitting } from '../../shared/stats';
import { summariseSweepPbo } from '../../shared/research/sweep-pbo';
import { mergeSweep } from '../../shared/research/sweep';
import { renderLog } from './log';

const T0 = Date.UTC(2024, 0, 1);
const gross = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? -0.015 : 0.008));
const trades = tradesFromGross(gross);
const view = Object.keys(trades[0]!.net)[0]!;
const mc = runMonteCarlo(trades, undefined, view, { paths: 200, seed: 5 });
const series = randomWalk(800, 3);
const audit = auditLookahead(maCross({ fast: 3, slow: 10 }), series, {});

function run(id: string, result: Record<string, unknown>, kind = 'backtest'): BacktestRunRow {
  return {
    id, kind, strategyId: 'ma-cross', strategyVersion: '1', params: { fast: 3, slow: 10 }, venue: 'binance', symbol: 'BTCUSDT', timeframe: '1h', mode: 'long-only',
    windowFrom: T0, windowTo: T0 + 800 * 3600e3, dataSource: 'test', candleCount: 800, dataHash: 'd', costModels: [], codeVersion: 'c', status: 'done', progress: 1,
    verdict: 'reject', verdictReason: 'test', resultHash: `h-${id}`, error: null, sweepId: null, createdAt: new Date(T0), startedAt: new Date(T0), finishedAt: new Date(T0), durationMs: 1,
    result,
  } as unknown as BacktestRunRow;
}

describe('research log: issue-13 statistics', () => {
  it('prints MC bands per method and the lookahead status (and one clause per walk-forward fold), deterministically', () => {
    const rows = [run('r1', { monteCarlo: mc, lookahead: audit }), run('r2', { monteCarlo: mc, lookahead: [audit, audit] }, 'walk-forward')];
    const a = renderLog(rows);
    const text = a.map((x) => x.text).join('\n');
    const p = mc.tradeResample;
    if (p.status !== 'done') throw new Error(p.reason);
    expect(text).toContain(`Monte Carlo (200 paths, seed 5, view ${view}; 5 / 50 / 95 %)`);
    expect(text).toContain(`trade resample: final equity ${p.finalEquity.p5.toFixed(2)} / ${p.finalEquity.p50.toFixed(2)} / ${p.finalEquity.p95.toFixed(2)}`);
    expect(text).toContain(`Lookahead audit: pass (truncation pass: ${audit.truncation.cuts} cuts, ${audit.truncation.compared} compared, 0 mismatches; recursive ${audit.recursive.ok ? 'pass' : 'fail'}).`);
    expect(text).toContain('Lookahead audit: fold 0 pass');
    expect(text).toContain('; fold 1 pass');
    expect(renderLog([...rows].reverse())).toEqual(a);
  });

  it('prints the sweep PBO from the stored CSCV summary (a combo best on every block → PBO 0)', () => {
    const res = probabilityOfBacktestOverfitting(cscvFromBlockValues(Array.from({ length: 4 }, (_, c) => Array.from({ length: 8 }, (_, b) => (c === 0 ? 1 : 0.1 * Math.sin(5 * c + b))))), { metric: 'mean' });
    const pbo = summariseSweepPbo(res, ['a', 'b', 'c', 'd'], 'gross', [0, 1, 2, 3, 4, 5, 6, 7, 8], 1);
    const sweep = {
      id: 's1', strategyId: 'ma-cross', venue: 'binance', symbol: 'BTCUSDT', timeframe: '1h', windowFrom: T0, windowTo: T0 + 1e9, method: 'grid', seed: null, combos: 4, chunksTotal: 1, chunksDone: 1, chunkSize: 4,
      status: 'done', mode: 'long-only', space: {}, options: {}, codeVersion: 'c', candleCount: 10, dataHash: 'd', resultHash: 'r', createdAt: new Date(T0), finishedAt: new Date(T0),
      // The merge's own layout (an empty merge is enough here) with the PBO and SPA merged onto it.
      result: { ...mergeSweep([{ index: 0, of: 1, context: { strategyId: 'ma-cross', strategyVersion: '1', engineVersion: 'e', mode: 'single', series: { symbol: 'BTCUSDT', timeframe: '1h', length: 0, firstOpen: null, lastOpen: null }, configHash: 'c' }, combos: [] }]), pbo, spa: { status: 'insufficient-data', reason: 'fewer than 2 combos with daily returns' } },
    } as unknown as SweepRow;
    const files = renderLog([], [sweep]);
    const text = files.find((f) => f.name === 'sweeps.md')!.text;
    expect(text).toContain(`PBO (CSCV, 8 time blocks, ${res.splits} splits, per-trade Sharpe at gross): **0.000**`);
    expect(text).toContain('SPA / Reality Check: insufficient-data — fewer than 2 combos with daily returns');
    expect(renderLog([], [sweep])).toEqual(files);
  });
});

describe('research log: measured costs and the edge margin', () => {
  const measured = {
    version: 'measured-cost/1.0.0',
    config: { orderNotional: 10_000 },
    venues: [
      { id: 'binance-measured', venue: 'binance', tier: 'VIP0 (regular user)', legs: [{ symbol: 'BTCUSDT', candlesVenue: 'binance', snapshots: 0 }], components: { feeBps: 20, halfSpreadBps: 1.5, impactBps: 0.4 }, sources: { fee: { 'VIP0 (regular user)@2025-01-01': 80 }, spread: { edge: 70, 'floor:edge-unresolved': 10 }, impact: { 'default-k': 80 } } },
      { id: 'kraken-measured', venue: 'kraken', tier: 'Pro $0-10K', legs: [{ symbol: 'BTCUSDT', candlesVenue: 'binance', snapshots: 0 }], components: { feeBps: 80, halfSpreadBps: 1.5, impactBps: 0.4 }, sources: { fee: {}, spread: { 'edge-proxy': 80 }, impact: { 'default-k-proxy-volume': 80 } } },
    ],
  };
  const margin = { status: 'ok', breakEvenBps: 41.2, ci: { lo: 30.5, hi: 52.25, confidence: 0.9, resamples: 2000, seed: 1 }, cost: { n: 40, medianBps: 21.8, p90Bps: 23.4, meanBps: 21.9 }, marginBps: 7.1, clears: true };
  const venues = [
    { key: 'binance-taker', verdict: 'watch', reason: 'watch on Binance taker', metrics: { roundTripBps: 20 } },
    { key: 'kraken-taker', verdict: 'reject', reason: 'reject on Kraken taker', metrics: { roundTripBps: 80 } },
    { key: 'binance-measured', verdict: 'watch', reason: 'watch on Binance measured', metrics: { margin, netMeanBps: 19.3 } },
    { key: 'kraken-measured', verdict: 'reject', reason: 'reject on Kraken measured: no edge before costs', metrics: { margin: { status: 'no-edge', grossMeanBps: -3, cost: margin.cost, clears: false }, netMeanBps: -60 } },
  ];
  const gross = { trades: 40, meanReturn: 0.0041 };

  it('prints the per-venue measured table and a generated fee-only vs measured comparison; no negative break-even', () => {
    const rows = [run('m1', { measuredCosts: measured, venues, gross, breakEvenRoundTripBps: 41.2 }), run('m2', { venues, gross: { trades: 3, meanReturn: -0.0006 }, breakEvenRoundTripBps: -12 })];
    const files = renderLog(rows);
    const group = files.find((f) => f.name === 'ma-cross--binance--btcusdt--1h--long-only.md')!.text;
    expect(group).toContain('| binance | VIP0 (regular user) | BTCUSDT | 20.0 | 1.5 | 0.4 | 21.8 / 23.4 | 41.2 [30.5, 52.3] clears p90 | 19.3 | watch | edge 70, floor:edge-unresolved 10 | default-k 80 |');
    expect(group).toContain('| kraken | Pro $0-10K | BTCUSDT (binance candles) | 80.0 |');
    expect(group).toContain('no edge before costs | −60.0 | reject |');
    expect(group).toContain('Break-even round-trip cost: 41.2 bps');
    expect(group).toContain('Break-even round-trip cost: none: no edge before costs (gross −6.0 bps per trade)');
    expect(group).not.toMatch(/Break-even round-trip cost: −/);
    const cmp = files.find((f) => f.name === 'fee-only-vs-measured.md')!.text;
    expect(cmp.startsWith('<!-- generated by')).toBe(true);
    expect(cmp).toContain('| ma-cross--binance--btcusdt--1h--long-only | 2024-01-01 → 2024-02-03 | 40 | 41.0 | watch | watch |');
    expect(cmp).toContain('| ma-cross--binance--btcusdt--1h--long-only | 2024-01-01 → 2024-02-03 | kraken | 80.0 | reject | 21.8 / 23.4 | 80.0 / 1.5 / 0.4 | no edge before costs | reject |');
    expect(cmp).not.toContain('m2'); // runs without measured views are not compared
    expect(files.find((f) => f.name === 'index.md')!.text).toContain('[fee-only-vs-measured.md](fee-only-vs-measured.md)');
    expect(renderLog([...rows].reverse())).toEqual(files);
  });
});
