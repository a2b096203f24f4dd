/**
 * import-file job: download one Binance archive zip (monthly or daily) and its CHECKSUM, verify, unzip, parse
 * (header, ms/µs), validate, store the candles and record rejected rows and close-time warnings, then update the
 * file row and the job's progress. A file with no valid row, or with more than MAX_REJECTED_SHARE of its rows
 * rejected, is refused whole (nothing stored, its issues recorded): the file ends `dead` with that reason at once —
 * a retry would download the same bytes — and the job shows `partial`/`failed`.
 * Idempotent: a file already `done` is skipped (a message naming no known job/file is recorded in `dead_letters`); a stored candle is never rewritten (a disagreeing one is a `source-conflict` issue). Network and 5xx
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

/**
 * More than this share of a file's rows rejected means the file is not what it claims (wrong interval, a broken
 * export): refused whole. The real archive's worst month, BTCUSDT-1h-2018-02, rejects 43 of 640 rows (6.7 %).
 */
export const MAX_REJECTED_SHARE = 0.2;

/** Why a processed file is refused whole, or null when it is fine. */
export function refusalReason(out: { rows: number; candles: readonly unknown[]; issues: readonly { reason: string }[] }): string | null {
  const byReason = new Map<string, number>();
  for (const i of out.issues) byReason.set(i.reason, (byReason.get(i.reason) ?? 0) + 1);
  const reasons = [...byReason].map(([r, n]) => `${n} ${r}`).join(', ');
  if (out.candles.length === 0) return `0 valid rows (${out.rows} row(s) read${reasons ? `; rejected: ${reasons}` : ''})`;
  if (out.issues.length > MAX_REJECTED_SHARE * out.rows) {
    return `${out.issues.length} of ${out.rows} rows rejected (more than ${MAX_REJECTED_SHARE * 100} %: ${reasons}); nothing stored`;
  }
  return null;
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
  const key = { venue: msg.venue, symbol: msg.symbol, timeframe: msg.timeframe };
  const source = `archive:${msg.fileName}`;
  let refused: string | null = null;
  try {
    const [zipRes, sumRes] = await Promise.all([download(msg.url), download(msg.checksumUrl)]);
    const zipBytes = new Uint8Array(await zipRes.arrayBuffer());
    const checksumText = await sumRes.text();
    const out = processArchiveFile({ zipBytes, checksumText, fileName: msg.fileName, timeframe: msg.timeframe, now: deps.now() });
    refused = refusalReason(out);
    if (!refused) await upsertCandles(deps.db, key, out.candles, source);
    await recordDataIssues(deps.db, key, source, [...out.issues, ...out.warnings]);
    const job = await finishImportFile(deps.db, msg.jobId, msg.fileName, {
      status: refused ? 'dead' : 'done',
      rows: refused ? 0 : out.candles.length,
      issues: out.issues.length,
      sha256: out.sha256,
      ...(refused ? { error: refused } : {}),
    });
    const warned = out.warnings.length ? `, ${out.warnings.length} close-time warning(s)` : '';
    await beat(deps.env, {
      role: 'importer',
      ok: !refused,
      detail: refused
        ? `${msg.fileName}: refused: ${refused}`
        : `${msg.fileName}: ${out.candles.length} candles, ${out.issues.length} rejected${warned} (${out.timeUnit}); job ${job.filesDone}/${job.filesTotal}`,
      metrics: { rows: refused ? 0 : out.candles.length, issues: out.issues.length, warnings: out.warnings.length, ms: Date.now() - started },
    });
    if (refused) await alertIfIncomplete(job, deps);
  } catch (err) {
    await finishImportFile(deps.db, msg.jobId, msg.fileName, { status: 'failed', error: (err as Error).message.slice(0, 1000) });
    await beat(deps.env, { role: 'importer', ok: false, detail: `${msg.fileName}: ${(err as Error).message.slice(0, 300)}` });
    throw err;
  }
}

/** One system alert when a job ends `partial` or `failed` (deduplicated per job and status). */
async function alertIfIncomplete(job: Awaited<ReturnType<typeof finishImportFile>>, deps: JobDeps): Promise<void> {
  if (job.status !== 'partial' && job.status !== 'failed') return;
  await deps.env.JOBS.send({
    kind: 'system-alert',
    key: `import-${job.status}:${job.id}`,
    dedupeKey: `import-${job.status}:${job.id}`,
    text: `⚠️ Archive import ${job.id} (${job.symbol} ${job.interval} ${job.fromPeriod}..${job.toPeriod}) is ${job.status}: ${job.filesFailed} file(s) dead, ${job.filesDone}/${job.filesTotal} done.`,
  });
}

export async function onDeadImportFile(msg: ImportFileJob, deps: JobDeps): Promise<void> {
  const job = await finishImportFile(deps.db, msg.jobId, msg.fileName, {
    status: 'dead',
    error: 'retries exhausted (dead-lettered)',
  });
  await alertIfIncomplete(job, deps);
}
