/**
 * Portfolio backtests through the Worker (workerd + Postgres): real Binance BTCUSDT and ETHUSDT 1h candles for
 * Jan–Mar 2021 (imported through the archive import job from the fake data.binance.vision, copied to the test
 * venue and aggregated to 4h), `POST /api/research/backtests` with `symbols` → 202 queued → the queue consumer
 * computes and stores the run (provenance of both series, sizing, max positions, per-symbol contribution, trades
 * and equity), `GET /api/runs/:id` serves it; redelivery of a done run changes nothing; bad bodies are 422s
 * with the reason.
 */
import { beforeAll, expect, it } from 'vitest';
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { inject } from 'vitest';
import { sql } from 'drizzle-orm';
import { aggregateCandles } from '../../shared/candles/aggregate';
import { rowsOf } from '../../shared/db/database';
import { loadCandles, upsertCandles } from '../../shared/db/queries/candles';
import { getImportJob } from '../../shared/db/queries/imports';
import { getRunRow } from '../../shared/db/queries/research';
import { withDb } from '../db';
import type { Env } from '../env';
import { accessHeaders } from '../api/test-access';
import { describeWithData } from '../real-data.test-util';
import { startArchiveImport } from '../../shared/app/archive-import';
import { jobsEnqueue } from './enqueue';
import { config, waitUntil } from '../research-app/lab-fixtures.test-util';
import { handleQueue } from './consumer';
import { backtestJob } from './backtest';
import { PORTFOLIO_MODE } from './backtest-portfolio';

const VENUE = 'porttest';
const Q1 = { from: Date.UTC(2021, 0, 1), to: Date.UTC(2021, 3, 1) };

async function post(body: unknown): Promise<Response> {
  return exports.default.fetch(
    new Request('http://lab.local/api/research/backtests', { method: 'POST', headers: { ...(await accessHeaders()), 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

async function get(path: string): Promise<Response> {
  return exports.default.fetch(new Request(`http://lab.local${path}`, { headers: await accessHeaders() }));
}

/** BTC/USDT and ETH/USDT 4h on the test venue for Q1 2021, from the real 1h archive files. */
async function seedQ1(): Promise<Record<string, number>> {
  const archive = inject('fakeArchiveUrl');
  const out: Record<string, number> = {};
  for (const [pair, symbol] of [
    ['BTCUSDT', 'BTC/USDT'],
    ['ETHUSDT', 'ETH/USDT'],
  ] as const) {
    const created = await withDb(config, (db) => startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/ms`, { symbol: pair, interval: '1h', from: '2021-01', to: '2021-03' }, { now: Date.now() }));
    await waitUntil(
      async () => {
        const j = await withDb(config, (db) => getImportJob(db, created.job.id));
        return j && j.job.status !== 'queued' && j.job.status !== 'running' ? j : null;
      },
      120_000,
      `archive import ${pair}`,
    );
    out[symbol] = await withDb(config, async (db) => {
      const h1 = await loadCandles(db, { venue: 'binance', symbol, timeframe: '1h' }, Q1.from, Q1.to);
      const h4 = aggregateCandles(h1, { from: '1h', to: '4h' });
      await upsertCandles(db, { venue: VENUE, symbol, timeframe: '4h' }, h4, `derived:aggregate-1h ${pair} (test)`);
      return h4.length;
    });
  }
  return out;
}

async function waitRun(id: string) {
  return waitUntil(
    async () => {
      const r = await withDb(config, (db) => getRunRow(db, id));
      return r && (r.status === 'done' || r.status === 'failed') ? r : null;
    },
    90_000,
    `run ${id}`,
  );
}

describeWithData('portfolio backtests as persisted jobs (workerd + Postgres)', () => {
  const body = { strategy: 'dsta-rsi-mean-reversion', venue: VENUE, symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '4h', from: '2021-01-15', to: Q1.to, maxPositions: 3, sizing: { kind: 'equal-weight' } };
  let seeded: Record<string, number> = {};
  let runId = '';

  beforeAll(async () => {
    seeded = await seedQ1();
  }, 240_000);

  it('POST with symbols → 202 queued → the consumer stores the portfolio run with both series and per-symbol contribution', async () => {
    expect(seeded['BTC/USDT']).toBeGreaterThan(500);
    expect(seeded['ETH/USDT']).toBeGreaterThan(500);
    const res = await post(body);
    expect(res.status).toBe(202);
    const created = (await res.json()) as { run: { id: string; status: string } };
    expect(created.run.status).toBe('queued');
    runId = created.run.id;
    const run = await waitRun(runId);
    expect(run.status, run.error ?? '').toBe('done');
    expect(run.mode).toBe(PORTFOLIO_MODE);
    expect(run.symbol).toBe('BTC/USDT,ETH/USDT');
    expect(run.codeVersion).toBe('test');
    expect(run.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.dataHash).toMatch(/^[0-9a-f]{64}$/);
    const windowCandles = (Q1.to - Date.UTC(2021, 0, 15)) / 14_400_000;
    expect(run.candleCount).toBeGreaterThan(1.9 * windowCandles);
    expect(run.candleCount).toBeLessThanOrEqual(2 * windowCandles);
    const r = run.result as {
      tradeCount: number;
      tradeSymbols: string[];
      contributions: { symbol: string; trades: number; netPnl: Record<string, number> }[];
      provenance: { series: { symbol: string; candleCount: number; dataHash: string; dataSource: string }[]; sizing: unknown; maxPositions: number; codeVersion: string };
    };
    expect(r.provenance.series.map((s) => s.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(r.provenance.series.reduce((s, x) => s + x.candleCount, 0)).toBe(run.candleCount);
    expect(new Set(r.provenance.series.map((s) => s.dataHash)).size).toBe(2);
    expect(r.provenance.series[1]!.dataSource).toContain(`${VENUE}:ETH/USDT:4h`);
    expect(r.provenance.sizing).toEqual({ kind: 'equal-weight' });
    expect(r.provenance.maxPositions).toBe(3);
    expect(r.contributions.map((c) => c.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(r.contributions.reduce((s, c) => s + c.trades, 0)).toBe(r.tradeCount);
    expect(r.tradeSymbols).toHaveLength(r.tradeCount);
    const n = await withDb(config, async (db) => rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*)::int AS n FROM backtest_trades WHERE run_id = ${runId}`))[0]!.n);
    expect(n).toBe(r.tradeCount);

    const detail = await get(`/api/runs/${runId}?trades=5&points=50`);
    expect(detail.status).toBe(200);
    const d = (await detail.json()) as { run: { mode: string }; venues: { key: string; verdict: string }[]; equity: { source: string; time: number[] }; result: { contributions: unknown[] } };
    expect(d.run.mode).toBe(PORTFOLIO_MODE);
    expect(d.venues.map((v) => v.key)).toContain('stress-31');
    expect(d.equity.source).toBe('table');
    expect(d.equity.time.length).toBeGreaterThan(10); // run-detail/2: columnar equity
    expect(d.result.contributions).toHaveLength(2);
  }, 180_000);

  it('redelivering the job of a done portfolio run acks it and changes nothing', async () => {
    const before = (await withDb(config, (db) => getRunRow(db, runId)))!;
    const batch = createMessageBatch('jobs', [{ id: `pf-${Math.random()}`, timestamp: new Date(), attempts: 1, body: backtestJob(runId) }]);
    const ctx = createExecutionContext();
    await handleQueue(batch as MessageBatch<unknown>, env as Env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks.length).toBe(1);
    const after = (await withDb(config, (db) => getRunRow(db, runId)))!;
    expect(after.finishedAt!.getTime()).toBe(before.finishedAt!.getTime());
    expect(after.resultHash).toBe(before.resultHash);
  });

  it('refuses bad portfolio bodies with 422 and the reason', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...body, symbols: [] }, /symbols/],
      [{ ...body, symbols: ['BTC/USDT', 'BTC/USDT'] }, /duplicate/],
      [{ ...body, symbols: ['btcusdt'] }, /BASE\/QUOTE/],
      [{ ...body, symbol: 'BTC/USDT' }, /either symbol .* or symbols/],
      [{ ...body, maxPositions: 0 }, /maxPositions/],
      [{ ...body, sizing: { kind: 'fixed-fraction', fraction: 1.5 } }, /sizing/],
      [{ ...body, strategy: 'nope' }, /strategy/],
      [{ ...body, from: '2021-05-01' }, /from must be before to/],
    ];
    for (const [b, reason] of cases) {
      const res = await post(b);
      expect(res.status, JSON.stringify(b)).toBe(422);
      const e = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
      expect(e.error.code).toBe('validation');
      expect(`${e.error.message} ${JSON.stringify(e.error.details ?? '')}`).toMatch(reason);
    }
  });
});
