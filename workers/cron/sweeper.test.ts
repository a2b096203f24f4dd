/**
 * Liveness of the cron and the queues (workerd + Postgres): the sweeper ends work stuck in `running` past its
 * timeout as failed with the reason; a queue message naming an unknown import file is recorded in dead_letters;
 * and one failing cron stage (here: every heartbeat write failing) never skips the stages after it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { env, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { and, eq, inArray } from 'drizzle-orm';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { backtestRuns, deadLetters, importFiles, importJobs, telegramUpdates } from '../../shared/db/schema';
import { createImportJob, getImportJob } from '../../shared/db/queries/imports';
import { sweepStuck, FILE_TIMEOUT_MIN, RUN_TIMEOUT_MIN } from './sweeper';
import { runCycle } from './scheduled';
import { runImportFile } from '../jobs/import-file';

const e = env as unknown as Env;
const config = getConfig(e);
const tag = `sweep-${Date.now()}`;
const JOB = `${tag}-job`;
const RUN_OLD = `${tag}-run-old`;
const RUN_NEW = `${tag}-run-new`;

afterAll(async () => {
  await withDb(config, async (db) => {
    await db.delete(importJobs).where(eq(importJobs.id, JOB));
    await db.delete(backtestRuns).where(inArray(backtestRuns.id, [RUN_OLD, RUN_NEW]));
  });
});

const run = (id: string, startedMinAgo: number) => ({
  id,
  strategyId: 'sweep-test',
  strategyVersion: '1',
  params: {},
  venue: 'binance',
  symbol: 'BTC/USDT',
  timeframe: '1h',
  windowFrom: 0,
  windowTo: 3_600_000,
  dataSource: 'test',
  costModels: [],
  codeVersion: 'test',
  status: 'running',
  startedAt: new Date(Date.now() - startedMinAgo * 60_000),
});

describe('the stuck-work sweeper', () => {
  it('ends files and runs stuck in running past the timeout with the reason; fresh ones are left alone; the job shows partial', async () => {
    await withDb(config, async (db) => {
      await createImportJob(db, {
        id: JOB,
        symbol: 'BTCUSDT',
        interval: '1h',
        fromPeriod: '2022-01',
        toPeriod: '2022-02',
        request: {},
        files: [
          { fileName: 'BTCUSDT-1h-2022-01.zip', url: 'http://x/1' },
          { fileName: 'BTCUSDT-1h-2022-02.zip', url: 'http://x/2' },
        ],
      });
      await db.update(importFiles).set({ status: 'done', rows: 744 }).where(and(eq(importFiles.jobId, JOB), eq(importFiles.fileName, 'BTCUSDT-1h-2022-01.zip')));
      await db
        .update(importFiles)
        .set({ status: 'running', startedAt: new Date(Date.now() - (FILE_TIMEOUT_MIN + 5) * 60_000) })
        .where(and(eq(importFiles.jobId, JOB), eq(importFiles.fileName, 'BTCUSDT-1h-2022-02.zip')));
      await db.update(importJobs).set({ status: 'running' }).where(eq(importJobs.id, JOB));
      await db.insert(backtestRuns).values([run(RUN_OLD, RUN_TIMEOUT_MIN + 5), run(RUN_NEW, 1)]);
      await db.insert(telegramUpdates).values({ updateId: 1_000 + (Date.now() % 1_000_000), receivedAt: new Date(Date.now() - 5 * 86_400_000) });
    });
    const out = await withDb(config, (db) => sweepStuck(db));
    expect(out.files).toBeGreaterThanOrEqual(1);
    expect(out.runs).toBeGreaterThanOrEqual(1);
    expect(out.updates).toBeGreaterThanOrEqual(1);
    const job = (await withDb(config, (db) => getImportJob(db, JOB)))!;
    expect(job.job.status).toBe('partial');
    const feb = job.files.find((f) => f.fileName === 'BTCUSDT-1h-2022-02.zip')!;
    expect(feb.status).toBe('dead');
    expect(feb.error).toMatch(/stuck in running for more than 30 min/);
    const runs = await withDb(config, (db) => db.select().from(backtestRuns).where(inArray(backtestRuns.id, [RUN_OLD, RUN_NEW])));
    expect(runs.find((r) => r.id === RUN_OLD)).toMatchObject({ status: 'failed', error: expect.stringMatching(/stuck in running for more than 60 min/) });
    expect(runs.find((r) => r.id === RUN_NEW)).toMatchObject({ status: 'running', error: null });
    // Idempotent: nothing more to sweep.
    const again = await withDb(config, (db) => sweepStuck(db));
    expect([again.files, again.runs]).toEqual([0, 0]);
  });

  it('an import-file message for an unknown job is recorded in dead_letters, not acked silently', async () => {
    const msg = {
      kind: 'import-file' as const,
      key: `import:${tag}-nojob:BTCUSDT-1h-2022-03.zip`,
      jobId: `${tag}-nojob`,
      fileName: 'BTCUSDT-1h-2022-03.zip',
      url: 'http://x/3',
      checksumUrl: 'http://x/3.CHECKSUM',
      venue: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1h' as const,
    };
    await withDb(config, (db) => runImportFile(msg, { env: e, config, db, now: () => Date.now() }));
    const [dl] = await withDb(config, (db) => db.select().from(deadLetters).where(and(eq(deadLetters.queue, 'jobs'), eq(deadLetters.messageId, msg.key))));
    expect(dl).toMatchObject({ kind: 'import-file', reason: `no import file ${tag}-nojob/BTCUSDT-1h-2022-03.zip` });
  });
});

describe('the cron cycle', () => {
  it('one failing stage never skips the others: with every heartbeat write failing, all stages still run', async () => {
    const broken = {
      get: () => ({
        beat: async () => {
          throw new Error('Durable Object unavailable');
        },
      }),
      idFromName: (n: string) => n,
    };
    const bad = { ...e, HEARTBEATS: broken as unknown as Env['HEARTBEATS'] } as Env;
    const ctx = createExecutionContext();
    const reports = await runCycle({ scheduledTime: Date.UTC(2022, 3, 16, 13, 47, 30) }, bad, ctx);
    await waitOnExecutionContext(ctx);
    const stages = reports.filter((r) => !r.stage.startsWith('beat:'));
    expect(stages.map((r) => r.stage)).toEqual(['ingest', 'book-snapshots', 'signals', 'paper', 'alerts', 'sweeper', 'notifications', 'counters']);
    expect(stages.every((r) => r.ok), JSON.stringify(stages)).toBe(true);
    const beats = reports.filter((r) => r.stage.startsWith('beat:'));
    expect(beats.map((r) => r.stage)).toEqual(['beat:ingest', 'beat:signals', 'beat:research', 'beat:alerts']);
    expect(beats.every((r) => !r.ok && /Durable Object unavailable/.test(r.error ?? ''))).toBe(true);
  });

  it('a stage that throws is reported on its heartbeat and the next stages run', async () => {
    // A database that is not there: every stage fails on its own, none is skipped, and every role still beats.
    const noDb = { ...e, DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none?sslmode=disable' } as Env;
    const ctx = createExecutionContext();
    const reports = await runCycle({ scheduledTime: Date.UTC(2022, 3, 16, 13, 47, 30) }, noDb, ctx);
    await waitOnExecutionContext(ctx);
    const stages = reports.filter((r) => !r.stage.startsWith('beat:')).map((r) => r.stage);
    expect(stages).toEqual(['ingest', 'book-snapshots', 'signals', 'paper', 'alerts', 'sweeper', 'notifications', 'counters']);
    expect(reports.find((r) => r.stage === 'sweeper')).toMatchObject({ ok: false });
    expect(reports.filter((r) => r.stage.startsWith('beat:') && !r.ok)).toEqual([]);
  });
});
