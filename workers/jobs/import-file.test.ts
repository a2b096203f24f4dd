import { beforeAll, describe, expect, inject, it } from 'vitest';
import { describeWithData } from '../real-data.test-util';
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { loadCandles, tableHash } from '../../shared/db/queries/candles';
import { getImportJob } from '../../shared/db/queries/imports';
import { withDb } from '../db';
import { getConfig, type Env } from '../env';
import { startArchiveImport } from '../../shared/app/archive-import';
import { backoffSeconds, handleQueue } from './consumer';
import { jobsEnqueue } from './enqueue';
import { TransientError } from '../errors';
import type { JobMessage } from './messages';

const archive = inject('fakeArchiveUrl');
const config = getConfig(env as Env);
const KEY = { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h' as const };
const FEB = { from: Date.UTC(2018, 1, 1), to: Date.UTC(2018, 2, 1) };

async function waitForJob(jobId: string, done: (s: string) => boolean) {
  for (let i = 0; i < 150; i++) {
    const j = await withDb(config, (db) => getImportJob(db, jobId));
    if (j && done(j.job.status)) return j;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`import job ${jobId} did not finish`);
}

async function runBatch(queue: string, messages: JobMessage[]) {
  const batch = createMessageBatch(
    queue,
    messages.map((body, k) => ({ id: `m-${queue}-${k}-${Math.random()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleQueue(batch as MessageBatch<unknown>, env as Env, ctx);
  return getQueueResult(batch, ctx);
}

describeWithData('Binance archive import over Queues (workerd + Postgres)', () => {
  beforeAll(async () => {
    await withDb(config, (db) => db.execute(sql`DELETE FROM candles WHERE venue = 'binance' AND timeframe = '1h'`));
  });

  it('imports months through the queue, quarantines the 43 off-grid rows, and a re-run leaves the table identical', async () => {
    const created = await withDb(config, (db) =>
      startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/ms`, { symbol: 'BTCUSDT', interval: '1h', from: '2018-01', to: '2018-03' }, { now: Date.now() }),
    );
    expect(created.files).toHaveLength(3);
    const job = await waitForJob(created.job.id, (s) => s === 'done' || s === 'partial' || s === 'failed');
    expect(job.job.status).toBe('done');
    expect(job.job.filesDone).toBe(3);
    const feb = job.files.find((f) => f.fileName === 'BTCUSDT-1h-2018-02.zip')!;
    expect(feb.issues).toBe(43);
    const offGrid = await withDb(config, (db) =>
      db.execute(sql`SELECT count(*)::int AS n FROM data_issues WHERE source = 'archive:BTCUSDT-1h-2018-02.zip' AND reason = 'off-grid'`),
    );
    expect((offGrid.rows[0] as { n: number }).n).toBe(43);
    // The month's two close_time oddities are kept rows, recorded as `close-time` warnings.
    const closeTime = await withDb(config, (db) =>
      db.execute(sql`SELECT count(*)::int AS n FROM data_issues WHERE source = 'archive:BTCUSDT-1h-2018-02.zip' AND reason = 'close-time'`),
    );
    expect((closeTime.rows[0] as { n: number }).n).toBe(2);
    const hash1 = await withDb(config, (db) => tableHash(db, KEY));

    // Re-run the same request, and redeliver one file's message: nothing changes, not even ingested_at.
    const again = await withDb(config, (db) =>
      startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/ms`, { symbol: 'BTCUSDT', interval: '1h', from: '2018-01', to: '2018-03' }, { now: Date.now() }),
    );
    await waitForJob(again.job.id, (s) => s === 'done');
    await runBatch('jobs', [
      {
        kind: 'import-file',
        key: `import:${created.job.id}:BTCUSDT-1h-2018-02.zip`,
        jobId: created.job.id,
        fileName: 'BTCUSDT-1h-2018-02.zip',
        url: `${archive}/ms/data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2018-02.zip`,
        checksumUrl: `${archive}/ms/data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2018-02.zip.CHECKSUM`,
        venue: 'binance',
        symbol: 'BTC/USDT',
        timeframe: '1h',
      },
    ]);
    expect(await withDb(config, (db) => tableHash(db, KEY))).toBe(hash1);
    const issues = await withDb(config, (db) => db.execute(sql`SELECT count(*)::int AS n FROM data_issues WHERE source = 'archive:BTCUSDT-1h-2018-02.zip'`));
    expect((issues.rows[0] as { n: number }).n).toBe(45);
  });

  it('a microsecond archive imports to exactly the rows of its millisecond twin; a header row changes nothing', async () => {
    const ms = await withDb(config, (db) => loadCandles(db, KEY, FEB.from, FEB.to));
    expect(ms.length).toBe(597); // 672 hours less the outage gap; the 43 off-grid rows are quarantined
    await withDb(config, (db) => db.execute(sql`DELETE FROM candles WHERE venue = 'binance' AND timeframe = '1h'`));
    for (const mode of ['us', 'header']) {
      const job = await withDb(config, (db) =>
        startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/${mode}`, { symbol: 'BTCUSDT', interval: '1h', from: '2018-02', to: '2018-02' }, { now: Date.now() }),
      );
      const done = await waitForJob(job.job.id, (s) => s !== 'queued' && s !== 'running');
      expect(done.job.status).toBe('done');
      expect(await withDb(config, (db) => loadCandles(db, KEY, FEB.from, FEB.to))).toEqual(ms);
    }
  });

  it('refuses an archive whose CHECKSUM does not match, retries it, then dead-letters it: the job shows partial', async () => {
    const created = await withDb(config, (db) =>
      startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/badsum`, { symbol: 'BTCUSDT', interval: '1h', from: '2019-01', to: '2019-01' }, { now: Date.now() }),
    );
    const msg: JobMessage = {
      kind: 'import-file',
      key: `import:${created.job.id}:BTCUSDT-1h-2019-01.zip`,
      jobId: created.job.id,
      fileName: 'BTCUSDT-1h-2019-01.zip',
      url: `${archive}/badsum/data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2019-01.zip`,
      checksumUrl: `${archive}/badsum/data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2019-01.zip.CHECKSUM`,
      venue: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1h',
    };
    const res = await runBatch('jobs', [msg]);
    expect(res.explicitAcks).toHaveLength(0);
    expect(res.retryMessages).toHaveLength(1);
    // (the runtime does not report the delay back in the test result; backoffSeconds is tested on its own)
    const file = (await withDb(config, (db) => getImportJob(db, created.job.id)))!.files[0]!;
    expect(file.error).toMatch(/checksum|sha256/i);
    expect(await withDb(config, (db) => loadCandles(db, KEY, Date.UTC(2019, 0, 1), Date.UTC(2019, 1, 1)))).toHaveLength(0);

    // Retries exhausted: the dead-letter consumer marks the file dead and the job partial — never silently done.
    const dead = await runBatch('jobs-dlq', [msg]);
    expect(dead.explicitAcks).toHaveLength(1);
    const after = (await withDb(config, (db) => getImportJob(db, created.job.id)))!;
    expect(after.files[0]!.status).toBe('dead');
    expect(after.job.status).toBe('failed');
    const letters = await withDb(config, (db) => db.execute(sql`SELECT reason FROM dead_letters WHERE kind = 'import-file'`));
    expect(letters.rows.length).toBeGreaterThanOrEqual(1);
  });

  it('a re-POSTed import resumes: a file done before, whose candles are still stored, is not downloaded again', async () => {
    // Test 2 left February stored and removed January and March: only February can be skipped.
    const before = await (await fetch(`${archive}/__requests`)).json() as string[];
    const job = await withDb(config, (db) =>
      startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/ms`, { symbol: 'BTCUSDT', interval: '1h', from: '2018-01', to: '2018-03' }, { now: Date.now() }),
    );
    const feb0 = job.files.find((f) => f.fileName === 'BTCUSDT-1h-2018-02.zip')!;
    expect(feb0).toMatchObject({ status: 'done', attempts: 0, rows: 597 });
    const done = await waitForJob(job.job.id, (s) => s !== 'queued' && s !== 'running');
    expect(done.job).toMatchObject({ status: 'done', filesDone: 3 });
    const fetched = ((await (await fetch(`${archive}/__requests`)).json()) as string[]).slice(before.length).filter((p) => p.startsWith('/ms/') && p.endsWith('.zip'));
    expect(fetched.sort()).toEqual(['/ms/data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2018-01.zip', '/ms/data/spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2018-03.zip']);
  });

  it('imports the running month from its daily files (real layout), to exactly the candles of the monthly file', async () => {
    const days = { from: Date.UTC(2018, 2, 1), to: Date.UTC(2018, 2, 4) };
    const monthly = await withDb(config, (db) => loadCandles(db, KEY, days.from, days.to));
    expect(monthly).toHaveLength(72);
    await withDb(config, (db) => db.execute(sql`DELETE FROM candles WHERE venue = 'binance' AND timeframe = '1h' AND open_time >= ${Date.UTC(2018, 2, 1)}`));
    // At 2018-03-04T10:00Z March is running: its monthly file does not exist yet, its first three days' files do.
    const job = await withDb(config, (db) =>
      startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/ms`, { symbol: 'BTCUSDT', interval: '1h', from: '2018-03', to: '2018-04' }, { now: Date.UTC(2018, 2, 4, 10) }),
    );
    expect(job.files.map((f) => [f.fileName, f.url.replace(archive, '')])).toEqual(
      [1, 2, 3].map((d) => [`BTCUSDT-1h-2018-03-0${d}.zip`, `/ms/data/spot/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2018-03-0${d}.zip`]),
    );
    const done = await waitForJob(job.job.id, (s) => s !== 'queued' && s !== 'running');
    expect(done.job).toMatchObject({ status: 'done', filesDone: 3, rowsImported: 72 });
    expect(await withDb(config, (db) => loadCandles(db, KEY, days.from, Date.UTC(2018, 3, 1)))).toEqual(monthly);
  });

  it('refuses a file with 0 valid rows, or with more than the set share rejected, with its reason; nothing stored', async () => {
    for (const [mode, month, reason] of [
      ['blank', '2019-02', /^0 valid rows \(0 row\(s\) read\)$/],
      ['corrupt', '2019-03', /^369 of 738 rows rejected \(more than 20 %: 369 non-numeric\); nothing stored$/],
    ] as const) {
      const job = await withDb(config, (db) =>
        startArchiveImport(db, jobsEnqueue((env as Env).JOBS), `${archive}/${mode}`, { symbol: 'BTCUSDT', interval: '1h', from: month, to: month }, { now: Date.now() }),
      );
      const done = await waitForJob(job.job.id, (s) => s !== 'queued' && s !== 'running');
      expect(done.job.status).toBe('failed');
      expect(done.files[0]!.status).toBe('dead');
      expect(done.files[0]!.error).toMatch(reason);
      const [y, m] = month.split('-').map(Number) as [number, number];
      expect(await withDb(config, (db) => loadCandles(db, KEY, Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)))).toHaveLength(0);
    }
    const recorded = await withDb(config, (db) => db.execute(sql`SELECT count(*)::int AS n FROM data_issues WHERE source = 'archive:BTCUSDT-1h-2019-03.zip' AND reason = 'non-numeric'`));
    expect((recorded.rows[0] as { n: number }).n).toBe(369);
  });

  it('rejects a malformed queue message with a recorded reason instead of retrying it forever', async () => {
    const res = await runBatch('jobs', [{ kind: 'import-file', key: 'x', jobId: 'nope' } as unknown as JobMessage]);
    expect(res.explicitAcks).toHaveLength(1);
    const letters = await withDb(config, (db) => db.execute(sql`SELECT reason FROM dead_letters WHERE reason LIKE 'malformed%'`));
    expect(letters.rows.length).toBeGreaterThanOrEqual(1);
  });
});

describe('backoffSeconds', () => {
  it('doubles from 5 s with jitter, caps at 10 min, and honours Retry-After', () => {
    for (const [attempts, base] of [[1, 5], [2, 10], [3, 20], [10, 600]] as const) {
      const d = backoffSeconds(attempts, new Error('x'));
      expect(d).toBeGreaterThanOrEqual(base);
      expect(d).toBeLessThanOrEqual(Math.round(base * 1.2));
    }
    expect(backoffSeconds(3, new TransientError('429', 42))).toBe(42);
  });
});
