import { beforeAll, expect, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { backtestRuns } from '../../shared/db/schema';
import { rowsOf } from '../../shared/db/database';
import { getRunRow } from '../../shared/db/queries/research';
import { withDb } from '../db';
import type { Env } from '../env';
import { accessHeaders } from '../api/test-access';
import { judgeRun } from '../../shared/app/core';
import { reproduceRun, runCore, singleStrategy, resolveParams, loadRunWindow } from '../../shared/app/run-backtest';
import { config, LAB_VENUE, seedLabCandles, waitUntil } from '../research-app/lab-fixtures.test-util';
import { handleQueue } from './consumer';
import { backtestJob } from './backtest';
import type { JobMessage } from './messages';

const FROM = Date.UTC(2021, 2, 1);
const TO = Date.UTC(2022, 0, 1);

async function runBatch(messages: JobMessage[]) {
  const batch = createMessageBatch(
    'jobs',
    messages.map((body, k) => ({ id: `bt-${k}-${Math.random()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleQueue(batch as MessageBatch<unknown>, env as Env, ctx);
  return getQueueResult(batch, ctx);
}

async function post(path: string, body: unknown): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://lab.local${path}`, { method: 'POST', headers: { ...(await accessHeaders()), 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

async function waitRun(id: string) {
  return waitUntil(
    async () => {
      const r = await withDb(config, (db) => getRunRow(db, id));
      return r && (r.status === 'done' || r.status === 'failed') ? r : null;
    },
    60_000,
    `run ${id}`,
  );
}

describeWithData('backtests as persisted jobs (workerd + Postgres)', () => {
  let runId = '';

  beforeAll(async () => {
    const n = await seedLabCandles();
    expect(n.h4).toBeGreaterThan(2100);
  }, 180_000);

  it('POST /api/research/backtests → 202 queued → the queue consumer completes it with provenance, trades and equity', async () => {
    const res = await post('/api/research/backtests', {
      strategy: 'dsta-rsi-mean-reversion',
      venue: LAB_VENUE,
      symbol: 'BTC/USDT',
      timeframe: '4h',
      from: '2021-03-01',
      to: TO,
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { run: { id: string; status: string } };
    expect(body.run.status).toBe('queued');
    runId = body.run.id;

    const run = await waitRun(runId);
    expect(run.status, run.error ?? '').toBe('done');
    expect(run.progress).toBe(1);
    expect(run.windowFrom).toBe(FROM);
    expect(run.windowTo).toBe(TO);
    // Exactly the window: 4h candles from 2021-03-01 to 2022-01-01 (306 days × 6, minus any gap in the archive).
    expect(run.candleCount).toBeGreaterThan(1800);
    expect(run.candleCount).toBeLessThanOrEqual(306 * 6);
    expect(run.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.dataSource).toContain('labtest:BTC/USDT:4h');
    expect(run.codeVersion).toBe('test');
    expect(run.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt).not.toBeNull();
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(['keep', 'watch', 'reject']).toContain(run.verdict);
    expect(run.verdictReason).toBeTruthy();
    const result = run.result as { venues: { key: string; verdict: string }[]; provenance: { warmupCandles: number }; tradeCount: number; trades?: unknown; trials: number };
    expect(result.trades).toBeUndefined();
    expect(result.venues.map((v) => v.key)).toContain('stress-31');
    expect(result.provenance.warmupCandles).toBeGreaterThan(100); // RSI warm-up loaded from before `from`
    expect(result.trials).toBeGreaterThanOrEqual(1);

    const stored = await withDb(config, async (db) => ({
      trades: rowsOf<{ n: number; first: number }>(await db.execute(sql`SELECT count(*)::int AS n, min(entry_time) AS first FROM backtest_trades WHERE run_id = ${runId}`))[0]!,
      equity: rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM backtest_equity WHERE run_id = ${runId}`))[0]!,
    }));
    expect(stored.trades.n).toBe(result.tradeCount);
    expect(stored.trades.n).toBeGreaterThan(0);
    expect(Number(stored.trades.first)).toBeGreaterThan(FROM); // never trades before `from`
    expect(stored.equity.n).toBeGreaterThan(10);
  });

  it('rerunning a recorded run reproduces its result hash (and the data hash)', async () => {
    const again = await withDb(config, (db) => reproduceRun(db, runId));
    expect(again.sameData).toBe(true);
    expect(again.resultHash).toBe(again.run.resultHash);
    expect(again.same).toBe(true);
  });

  it('redelivery is idempotent: a done run is skipped, a running run under a live lease is left alone, a stale one is recomputed', async () => {
    const before = (await withDb(config, (db) => getRunRow(db, runId)))!;
    const res = await runBatch([backtestJob(runId), backtestJob(runId)]);
    expect(res.explicitAcks.length).toBe(2);
    const after = (await withDb(config, (db) => getRunRow(db, runId)))!;
    expect(after.finishedAt!.getTime()).toBe(before.finishedAt!.getTime());
    expect(after.resultHash).toBe(before.resultHash);

    // A live lease: another consumer is on it → not recomputed, and not acked either (that consumer may have died):
    // retried after the lease.
    await withDb(config, (db) => db.update(backtestRuns).set({ status: 'running', startedAt: new Date() }).where(eq(backtestRuns.id, runId)));
    const live = await runBatch([backtestJob(runId)]);
    expect(live.explicitAcks.length).toBe(0);
    expect(live.retryMessages.length).toBe(1);
    expect((await withDb(config, (db) => getRunRow(db, runId)))!.status).toBe('running');

    // The lease expired (its consumer died): claimed and recomputed to the same hash, trades not duplicated.
    await withDb(config, (db) => db.update(backtestRuns).set({ startedAt: new Date(Date.now() - 3_600_000) }).where(eq(backtestRuns.id, runId)));
    const r2 = await runBatch([backtestJob(runId)]);
    expect(r2.explicitAcks.length).toBe(1);
    const redone = (await withDb(config, (db) => getRunRow(db, runId)))!;
    expect(redone.status).toBe('done');
    expect(redone.resultHash).toBe(before.resultHash);
    const n = await withDb(config, async (db) => rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM backtest_trades WHERE run_id = ${runId}`))[0]!.n);
    expect(n).toBe((before.result as { tradeCount: number }).tradeCount);
  });

  it('a run that cannot be computed stays failed with the error (no data in the window)', async () => {
    const res = await post('/api/research/backtests', { strategy: 'dsta-sma-crossover', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: '2030-01-01', to: '2030-06-01' });
    expect(res.status).toBe(202);
    const { run } = (await res.json()) as { run: { id: string } };
    const row = await waitRun(run.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/no candles/);
    // Redelivering it does not resurrect it.
    await runBatch([backtestJob(run.id)]);
    expect((await withDb(config, (db) => getRunRow(db, run.id)))!.status).toBe('failed');
  });

  it('rejects bad requests with 422 (unknown strategy, from after to, invalid params)', async () => {
    const base = { strategy: 'dsta-sma-crossover', venue: LAB_VENUE, symbol: 'BTC/USDT', timeframe: '4h', from: '2021-01-01', to: '2021-06-01' };
    expect((await post('/api/research/backtests', { ...base, strategy: 'nope' })).status).toBe(422);
    expect((await post('/api/research/backtests', { ...base, from: '2021-07-01' })).status).toBe(422);
    expect((await post('/api/research/backtests', { ...base, params: { fast: -3 } })).status).toBe(422);
  });

  it('the gate rejects a strategy below the minimum trade count however high its Sharpe', async () => {
    const run = (await withDb(config, (db) => getRunRow(db, runId)))!;
    const strategy = singleStrategy(run.strategyId);
    const params = resolveParams(strategy, run.params);
    const result = await withDb(config, async (db) => runCore(strategy, params, 'portfolio', await loadRunWindow(db, strategy, params, run)));
    // Keep only 3 winning trades and make every view's figures spectacular.
    const few = { ...result, trades: result.trades.slice(0, 3) };
    for (const m of Object.values(few.net)) Object.assign(m, { trades: 3, sharpe: 25, sortino: 40, meanReturn: 0.05, winRate: 1, totalReturn: 0.15 });
    Object.assign(few.gross, { trades: 3, sharpe: 25, meanReturn: 0.05 });
    const j = judgeRun(few, { trials: 1, venue: 'binance', family: strategy.family, timeframe: '4h' });
    expect(j.verdict).toBe('reject');
    expect(j.venues.every((v) => v.verdict === 'reject')).toBe(true);
    expect(j.reason).toMatch(/trade/i);
  });
});
