/**
 * import-file job: download one Binance archive zip and its CHECKSUM, verify, unzip, parse (header, ms/µs),
 * validate, bulk-upsert the candles and record rejected rows, then update the file row and the job's progress.
 * Idempotent: a file already `done` is skipped (a message naming no known job/file is recorded in `dead_letters`); upserts only change rows whose values changed. Network and 5xx
 * failures retry with backoff; after the last retry the dead-letter consumer marks the file dead → job partial.
 */
import { z } from 'zod';
import { processArchiveFile } from '../../shared/archive/process';
import { upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';
import { finishImportFile, startImportFile } from '../../shared/db/queries/imports';
import { TIMEFRAMES } from '../../shared/candles/timeframe';
import { TransientError } from '../errors';
import { beat } from '../heartbeat/monitor';
import { and, eq } from 'drizzle-orm';
import { importFiles } from '../../shared/db/schema';
import type { JobDeps } from './consumer';
import { recordDeadLetter } from './dead-letter';

export const ImportFileMessage = z.object({
  kind: z.literal('import-file'),
  key: z.string().min(1),
  jobId: z.string().min(1),
  fileName: z.string().regex(/^[A-Z0-9]+-[0-9a-z]+-\d{4}-\d{2}(-\d{2})?\.zip$/),
  url: z.string().url(),
  checksumUrl: z.string().url(),
  venue: z.string().min(1),
  /** Canonical symbol, e.g. BTC/USDT. */
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/),
  timeframe: z.enum(TIMEFRAMES),
});
export type ImportFileJob = z.infer<typeof ImportFileMessage>;

async function download(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new TransientError(`download failed for ${url}: ${(err as Error).message}`, undefined, { cause: err });
  }
  if (res.status === 429 || res.status >= 500) {
    const ra = Number(res.headers.get('Retry-After'));
    throw new TransientError(`HTTP ${res.status} for ${url}`, Number.isFinite(ra) && ra > 0 ? ra : undefined);
  }
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return res;
}

export async function runImportFile(msg: ImportFileJob, deps: JobDeps): Promise<void> {
  const claimed = await startImportFile(deps.db, msg.jobId, msg.fileName);
  if (!claimed) {
    const [row] = await deps.db
      .select({ status: importFiles.status })
      .from(importFiles)
      .where(and(eq(importFiles.jobId, msg.jobId), eq(importFiles.fileName, msg.fileName)))
      .limit(1);
    if (row) return; // already done: a redelivery
    // No such job/file: retrying cannot fix it, and acking it silently would hide it. Recorded, then acked.
    await recordDeadLetter(deps.db, { queue: 'jobs', messageId: msg.key, kind: msg.kind, body: msg, reason: `no import file ${msg.jobId}/${msg.fileName}`, attempts: 1 });
    return;
  }
  const started = Date.now();
  try {
    const [zipRes, sumRes] = await Promise.all([download(msg.url), download(msg.checksumUrl)]);
    const zipBytes = new Uint8Array(await zipRes.arrayBuffer());
    const checksumText = await sumRes.text();
    const out = processArchiveFile({ zipBytes, checksumText, fileName: msg.fileName, timeframe: msg.timeframe, now: deps.now() });
    const key = { venue: msg.venue, symbol: msg.symbol, timeframe: msg.timeframe };
    const source = `archive:${msg.fileName}`;
    await upsertCandles(deps.db, key, out.candles, source);
    await recordDataIssues(deps.db, key, source, out.issues);
    const job = await finishImportFile(deps.db, msg.jobId, msg.fileName, {
      status: 'done',
      rows: out.candles.length,
      issues: out.issues.length,
      sha256: out.sha256,
    });
    await beat(deps.env, {
      role: 'importer',
      ok: true,
      detail: `${msg.fileName}: ${out.candles.length} candles, ${out.issues.length} rejected (${out.timeUnit}); job ${job.filesDone}/${job.filesTotal}`,
      metrics: { rows: out.candles.length, issues: out.issues.length, ms: Date.now() - started },
    });
  } catch (err) {
    await finishImportFile(deps.db, msg.jobId, msg.fileName, { status: 'failed', error: (err as Error).message.slice(0, 1000) });
    await beat(deps.env, { role: 'importer', ok: false, detail: `${msg.fileName}: ${(err as Error).message.slice(0, 300)}` });
    throw err;
  }
}

export async function onDeadImportFile(msg: ImportFileJob, deps: JobDeps): Promise<void> {
  const job = await finishImportFile(deps.db, msg.jobId, msg.fileName, {
    status: 'dead',
    error: 'retries exhausted (dead-lettered)',
  });
  if (job.status === 'partial' || job.status === 'failed') {
    await deps.env.JOBS.send({
      kind: 'system-alert',
      key: `import-${job.status}:${job.id}`,
      dedupeKey: `import-${job.status}:${job.id}`,
      text: `⚠️ Archive import ${job.id} (${job.symbol} ${job.interval} ${job.fromPeriod}..${job.toPeriod}) is ${job.status}: ${job.filesFailed} file(s) dead, ${job.filesDone}/${job.filesTotal} done.`,
    });
  }
}
