/**
 * Sweeps and walk-forwards of ETH/USDT whose combos set `sentinelDropPct` (the Nexus Sentinel watching BTC/USDT),
 * through the queue jobs (real workerd + Postgres), on the fake exchange's recorded 2022 Binance 5m candles of
 * workers/cron/sentinel.test.ts (8,000 candles of each ingested by one cron cycle at 2022-04-14 05:10:30): each chunk loads the
 * BTC/USDT reference for the window, the sweep completes and records it, and a combo's summary equals the stored
 * backtest of the same params (whose trades include Sentinel exits). With BTC/USDT missing the sweep fails with
 * the reason on the chunk's first attempt (a RunInputError: never retried), and so does a walk-forward.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import worker from '../index';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { accessHeaders } from '../api/test-access';
import { rowsOf } from '../../shared/db/database';
import { viewSummary, type ComboSummary } from '../../shared/research/summary';
import { executeSweepChunk } from '../../shared/app/sweep';
import type { Metrics } from '../../shared/backtest/types';

const STRATEGY = 'nexara-baseline-5m';
const DROP = 0.0017;
const at = (h: number, m: number, s = 30) => Date.UTC(2022, 3, 14, h, m, s);
const FROM = Date.UTC(2022, 2, 30);
const TO = at(5, 10, 0);
const fx = inject('fakeExchangeUrl');
const both = { ...env, INGEST_BACKFILL_LIMIT: '8000', INGEST_SERIES: 'binance:ETH/USDT:5m,binance:BTC/USDT:5m' } as Env;
const config = getConfig(both);

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(config, async (db) => rowsOf<T>(await db.execute(query)));
}

async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await exports.default.fetch(new Request(`http://lab.local${path}`, { method: 'POST', headers: { ...(await accessHeaders()), 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(fn: () => Promise<T | null>, what: string, ms = 120_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    const v = await fn();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not finish`);
}

interface SweepDone {
  status: string;
  error: string | null;
  result: { combos: ComboSummary[]; context: { reference?: { series: string; candleCount: number; dataHash: string } } } | null;
}
const sweepDone = (id: string) =>
  until(async () => {
    const [s] = await q<SweepDone>(sql`SELECT status, error, result FROM sweeps WHERE id = ${id}`);
    return s && (s.status === 'done' || s.status === 'failed') ? s : null;
  }, `sweep ${id}`);

interface RunDone {
  status: string;
  error: string | null;
  result: { gross: Metrics; net: Record<string, Metrics>; tradeCount: number; breakEvenRoundTripBps: number | null; sentinelReference?: { series: string } } | null;
}
const runDone = (id: string) =>
  until(async () => {
    const [r] = await q<RunDone>(sql`SELECT status, error, result FROM backtest_runs WHERE id = ${id}`);
    return r && (r.status === 'done' || r.status === 'failed') ? r : null;
  }, `run ${id}`);

const SWEEP = { strategy: STRATEGY, venue: 'binance', symbol: 'ETH/USDT', timeframe: '5m', from: FROM, to: TO, method: 'random', samples: 10, seed: 5, chunkSize: 5, params: { sentinelDropPct: DROP } };
const sweeps: string[] = [];
const runs: string[] = [];
let original: { status: string; status_reason: string | null; enabled: boolean; muted: boolean; params: unknown } | undefined;
let startedAt = '';

async function clearCandles(): Promise<void> {
  await q(sql`DELETE FROM candles WHERE venue = 'binance' AND symbol IN ('ETH/USDT', 'BTC/USDT') AND timeframe = '5m'`);
}

describeWithData('sweeps and walk-forwards with the Sentinel on ETH/USDT load the BTC/USDT reference (workerd + Postgres)', () => {
  beforeAll(async () => {
    [original] = await q<NonNullable<typeof original>>(sql`SELECT status, status_reason, enabled, muted, params FROM strategies WHERE id = ${STRATEGY}`);
    startedAt = (await q<{ now: string }>(sql`SELECT now()::text AS now`))[0]!.now;
    await fetch(`${fx}/__faults`, { method: 'DELETE' });
    await clearCandles();
    const t = at(5, 10);
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: t }) });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: t, cron: '*/5 * * * *' }), both, ctx);
    await waitOnExecutionContext(ctx);
    const n = await q<{ symbol: string; n: number }>(sql`SELECT symbol, count(*)::int AS n FROM candles WHERE venue = 'binance' AND symbol IN ('ETH/USDT', 'BTC/USDT') AND timeframe = '5m' AND open_time < ${TO} GROUP BY symbol ORDER BY symbol`);
    expect(n.map((r) => r.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(n.every((r) => r.n > 7_500)).toBe(true);
  }, 180_000);

  afterAll(async () => {
    await fetch(`${fx}/__now`, { method: 'POST', body: JSON.stringify({ now: Date.UTC(2022, 3, 16, 13, 47, 30) }) });
    for (const id of runs) await q(sql`DELETE FROM backtest_runs WHERE id = ${id}`);
    for (const id of sweeps) await q(sql`DELETE FROM sweeps WHERE id = ${id}`);
    await clearCandles();
    await q(sql`DELETE FROM strategy_promotions WHERE strategy_id = ${STRATEGY} AND created_at >= ${startedAt}::timestamptz`);
    await q(sql`DELETE FROM strategy_status_changes WHERE strategy_id = ${STRATEGY} AND created_at >= ${startedAt}::timestamptz`);
    if (original) {
      await q(
        sql`UPDATE strategies SET status = ${original.status}, status_reason = ${original.status_reason}, enabled = ${original.enabled}, muted = ${original.muted}, params = ${JSON.stringify(original.params)}::jsonb WHERE id = ${STRATEGY}`,
      );
    }
  });

  it('an ETH/USDT sweep whose combos set sentinelDropPct completes, records the reference, and a combo equals the stored backtest of its params', async () => {
    const created = await post<{ sweep: { id: string; chunksTotal: number } }>('/api/research/sweeps', SWEEP);
    expect(created.status).toBe(202);
    sweeps.push(created.body.sweep.id);
    expect(created.body.sweep.chunksTotal).toBe(2);
    const done = await sweepDone(created.body.sweep.id);
    expect(done.status, done.error ?? '').toBe('done');
    const ref = done.result!.context.reference!;
    expect(ref).toMatchObject({ series: 'binance:BTC/USDT:5m' });
    expect(ref.candleCount).toBeGreaterThan(1_000);
    expect(ref.dataHash).toMatch(/^[0-9a-f]{64}$/);
    const combos = done.result!.combos;
    expect(combos).toHaveLength(10);
    expect(combos.every((c) => c.params.sentinelDropPct === DROP)).toBe(true);

    // The traded combo with the most trades, as a stored backtest of the same params over the same window.
    const combo = [...combos].sort((a, b) => b.trades - a.trades || (a.key < b.key ? -1 : 1))[0]!;
    expect(combo.trades).toBeGreaterThan(0);
    const bt = await post<{ run: { id: string } }>('/api/research/backtests', { strategy: STRATEGY, venue: 'binance', symbol: 'ETH/USDT', timeframe: '5m', from: FROM, to: TO, params: combo.params });
    runs.push(bt.body.run.id);
    const run = await runDone(bt.body.run.id);
    expect(run.status, run.error ?? '').toBe('done');
    expect(run.result!.sentinelReference).toMatchObject({ series: 'binance:BTC/USDT:5m' });
    const trades = await q<{ gross_return: number; net_returns: Record<string, number>; exit_reason: string }>(sql`SELECT gross_return, net_returns, exit_reason FROM backtest_trades WHERE run_id = ${bt.body.run.id} ORDER BY seq`);
    // The Sentinel closed some of its trades: the sweep's equal figures are those of runs that applied it.
    expect(trades.some((t) => t.exit_reason.startsWith('sentinel: BTC/USDT fell'))).toBe(true);
    expect(combo.trades).toBe(run.result!.tradeCount);
    expect(combo.breakEvenRoundTripBps).toBe(run.result!.breakEvenRoundTripBps);
    expect(combo.gross).toEqual(viewSummary(run.result!.gross, trades.map((t) => t.gross_return)));
    for (const [view, summary] of Object.entries(combo.net)) {
      const { roundTripBps: _rt, ...rest } = summary;
      expect(rest, view).toEqual(viewSummary(run.result!.net[view]!, trades.map((t) => t.net_returns[view]!)));
    }
    // Promotion reproduces the sweep's best combo under the same declared risk and reference: its hash matches.
    const judged = await until(async () => {
      const [s] = await q<{ judgement: { best: unknown; reproduced?: boolean | null; reason?: string } | null }>(sql`SELECT result->'judgement' AS judgement FROM sweeps WHERE id = ${created.body.sweep.id}`);
      return s?.judgement ?? null;
    }, 'sweep judgement');
    expect(judged.best, judged.reason ?? '').not.toBeNull();
    expect(judged.reproduced).toBe(true);
  });

  it('a walk-forward of those combos records the reference it read for its folds and its in-sample family', async () => {
    const wf = await post<{ run: { id: string } }>('/api/research/walk-forwards', { ...SWEEP, chunkSize: undefined, folds: 2, isToOos: 2, objective: { minTrades: 1 } });
    expect(wf.status).toBe(202);
    runs.push(wf.body.run.id);
    const run = await runDone(wf.body.run.id);
    expect(run.status, run.error ?? '').toBe('done');
    expect(run.result!.sentinelReference).toMatchObject({ series: 'binance:BTC/USDT:5m' });
    expect((run.result as unknown as { pbo: { status: string } }).pbo.status).not.toBe('failed');
  });

  it('with BTC/USDT missing the sweep fails with the reason on its first attempt (not retried), and so does a walk-forward', async () => {
    await q(sql`DELETE FROM candles WHERE venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m'`);
    const created = await post<{ sweep: { id: string } }>('/api/research/sweeps', SWEEP);
    expect(created.status).toBe(202);
    const id = created.body.sweep.id;
    sweeps.push(id);
    const failed = await sweepDone(id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('risk.sentinel watches BTC/USDT: no stored binance BTC/USDT 5m candles');
    const chunks = await q<{ status: string; attempts: number; error: string | null }>(sql`SELECT status, attempts, error FROM sweep_chunks WHERE sweep_id = ${id} ORDER BY chunk_index`);
    const dead = chunks.filter((c) => c.status === 'dead');
    expect(dead.length).toBeGreaterThanOrEqual(1);
    expect(dead.every((c) => c.attempts === 1 && (c.error ?? '').includes('no stored binance BTC/USDT 5m candles'))).toBe(true);
    // A redelivery of a chunk (what a retry would be) changes nothing: the sweep is failed for good.
    const again = await withDb(config, (db) => executeSweepChunk(db, id, 0, { now: Date.now }));
    expect(again).toMatchObject({ status: 'skipped', reason: 'sweep is failed' });

    const wf = await post<{ run: { id: string } }>('/api/research/walk-forwards', { ...SWEEP, chunkSize: undefined, folds: 2, isToOos: 2 });
    runs.push(wf.body.run.id);
    const run = await runDone(wf.body.run.id);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('risk.sentinel watches BTC/USDT: no stored binance BTC/USDT 5m candles');
  });
});
