/**
 * /api/metrics in workerd against real Postgres: behind Access, Prometheus text format, and its numbers move after
 * a cron tick (ingested rows and failed fetches per venue, stage outcomes) and after queue jobs — read from the
 * database, so they are what any isolate would answer.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import worker from '../../index';
import { withDb } from '../../db';
import { getConfig, type Env } from '../../env';
import { accessHeaders } from '../test-access';
import { describeWithData } from '../../real-data.test-util';
import { PROMETHEUS_CONTENT_TYPE } from '../../../shared/observability/prometheus';

const FAKE_NOW = Date.UTC(2022, 3, 16, 13, 47, 30);
const fx = inject('fakeExchangeUrl');
const e = { ...env, INGEST_SERIES: 'binance:BTC/USDT:5m,kraken:ETH/USDT:5m', INGEST_BACKFILL_LIMIT: '60' } as Env;

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(getConfig(e), async (db) => (await db.execute(query)).rows as T[]);
}

async function scrape(): Promise<string> {
  const res = await exports.default.fetch(new Request('http://lab.local/api/metrics', { headers: await accessHeaders() }));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
  return res.text();
}

/** The value of one sample (`name{labels}`), 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(m[3]);
  }
  return 0;
}

async function faults(list: unknown[]): Promise<void> {
  await fetch(`${fx}/__faults`, { method: 'DELETE' });
  if (list.length) await fetch(`${fx}/__faults`, { method: 'POST', body: JSON.stringify(list), headers: { 'content-type': 'application/json' } });
}

it('is behind Access: 401 without a token', async () => {
  const res = await exports.default.fetch('http://lab.local/api/metrics');
  expect(res.status).toBe(401);
});

it('serves every family with HELP and TYPE even before anything happened', async () => {
  const text = await scrape();
  for (const [name, type] of [
    ['nexara_ingested_rows_total', 'counter'],
    ['nexara_fetch_failures_total', 'counter'],
    ['nexara_queue_jobs_total', 'counter'],
    ['nexara_signals_total', 'counter'],
    ['nexara_alerts', 'gauge'],
    ['nexara_run_duration_seconds', 'histogram'],
    ['nexara_sweep_chunk_duration_seconds', 'histogram'],
  ]) {
    expect(text).toContain(`# TYPE ${name} ${type}\n`);
    expect(text).toMatch(new RegExp(`# HELP ${name} \\S`));
  }
});

describeWithData('/api/metrics moves after a cron tick (fake exchange, real 2022 candles)', () => {
  beforeAll(async () => {
    await q(sql`DELETE FROM candles WHERE source LIKE 'rest:%' AND venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m'`);
    // Kraken answers 5xx to every try this cycle: one failed fetch.
    await faults([{ venue: 'kraken', kind: 'server-error', count: 50 }]);
  });
  afterAll(() => faults([]));

  it('ingested rows and failed fetches per venue, stage outcomes and alerts by status come from the database', async () => {
    const before = await scrape();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: FAKE_NOW, cron: '*/5 * * * *' }), e, ctx);
    await waitOnExecutionContext(ctx);
    const after = await scrape();

    const [stored] = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM candles WHERE source LIKE 'rest:%' AND venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '5m'`);
    expect(stored!.n).toBe(60);
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('nexara_ingested_rows_total', { venue: 'binance' })).toBe(60);
    expect(delta('nexara_fetches_total', { venue: 'binance' })).toBe(1);
    expect(delta('nexara_fetch_failures_total', { venue: 'binance' })).toBe(0);
    expect(delta('nexara_fetches_total', { venue: 'kraken' })).toBe(1);
    expect(delta('nexara_fetch_failures_total', { venue: 'kraken' })).toBe(1);
    expect(delta('nexara_ingested_rows_total', { venue: 'kraken' })).toBe(0);
    for (const stage of ['ingest', 'signals', 'paper', 'alerts', 'sweeper', 'notifications']) {
      expect(delta('nexara_cron_stage_runs_total', { stage, outcome: 'ok' }), stage).toBe(1);
    }

    // Gauges read the tables as they are: the alert count matches a direct count.
    const rows = await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM alerts WHERE status = 'sent' AND signal_id IS NOT NULL`);
    expect(sample(after, 'nexara_alerts', { kind: 'signal', status: 'sent' })).toBe(rows[0]!.n);

    // A second tick over the same closed candles writes nothing new: the counter stays.
    const ctx2 = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: FAKE_NOW, cron: '*/5 * * * *' }), e, ctx2);
    await waitOnExecutionContext(ctx2);
    const again = await scrape();
    expect(sample(again, 'nexara_ingested_rows_total', { venue: 'binance' })).toBe(sample(after, 'nexara_ingested_rows_total', { venue: 'binance' }));
    expect(sample(again, 'nexara_fetches_total', { venue: 'binance' })).toBe(sample(after, 'nexara_fetches_total', { venue: 'binance' }) + 1);
  });
});

it('queue jobs are counted by kind and outcome (a malformed message, then a handled one)', async () => {
  const before = await scrape();
  const { createMessageBatch, getQueueResult } = await import('cloudflare:test');
  const batch = createMessageBatch<unknown>('jobs', [
    { id: 'metrics-bad-1', timestamp: new Date(), attempts: 1, body: { kind: 'alert', key: 'x' } },
    { id: 'metrics-ok-1', timestamp: new Date(), attempts: 1, body: { kind: 'alert', key: 'alert:999999999', alertId: 999_999_999 } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<never>, env as Env, ctx);
  await getQueueResult(batch, ctx);
  const after = await scrape();
  const delta = (labels: Record<string, string>) => sample(after, 'nexara_queue_jobs_total', labels) - sample(before, 'nexara_queue_jobs_total', labels);
  expect(delta({ kind: 'alert', outcome: 'malformed', queue: 'jobs' })).toBe(1);
  // Acks: at least this batch's one — alert jobs an earlier test's cron tick queued may be consumed meanwhile by
  // the local queue (a malformed message, in contrast, can only be this batch's).
  expect(delta({ kind: 'alert', outcome: 'ack', queue: 'jobs' })).toBeGreaterThanOrEqual(1);
  await q(sql`DELETE FROM dead_letters WHERE message_id IN ('metrics-bad-1', 'alert:999999999')`);
});
