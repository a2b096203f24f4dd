/**
 * Archive import jobs and their files: creation (idempotent per job id and file name), guarded file status
 * transitions, and the job's progress recomputed from its files — so a redelivered message or a re-run never
 * double-counts, and a job with a dead file shows as `partial`, never silently `done`.
 */
import { and, eq, sql } from 'drizzle-orm';
import { importFiles, importJobs, type ImportFileRow, type ImportJobRow } from '../schema';
import type { SeriesKey } from '../../candles/candle';
import type { Database } from '../database';

export interface NewImportJob {
  id: string;
  symbol: string;
  interval: string;
  fromPeriod: string;
  toPeriod: string;
  request: Record<string, unknown>;
  files: { fileName: string; url: string }[];
}

export async function createImportJob(db: Database, job: NewImportJob): Promise<{ job: ImportJobRow; files: ImportFileRow[] }> {
  await db
    .insert(importJobs)
    .values({
      id: job.id,
      symbol: job.symbol,
      interval: job.interval,
      fromPeriod: job.fromPeriod,
      toPeriod: job.toPeriod,
      request: job.request,
      filesTotal: job.files.length,
      status: job.files.length ? 'queued' : 'done',
    })
    .onConflictDoNothing();
  if (job.files.length) {
    await db
      .insert(importFiles)
      .values(job.files.map((f) => ({ jobId: job.id, fileName: f.fileName, url: f.url })))
      .onConflictDoNothing();
  }
  const [row] = await db.select().from(importJobs).where(eq(importJobs.id, job.id));
  const files = await db.select().from(importFiles).where(eq(importFiles.jobId, job.id)).orderBy(importFiles.fileName);
  return { job: row!, files };
}

/** Claim a file for processing: returns null when it is already done (redelivery → nothing to do). */
export async function startImportFile(db: Database, jobId: string, fileName: string): Promise<ImportFileRow | null> {
  const rows = await db
    .update(importFiles)
    .set({ status: 'running', attempts: sql`${importFiles.attempts} + 1`, startedAt: sql`now()`, error: null })
    .where(and(eq(importFiles.jobId, jobId), eq(importFiles.fileName, fileName), sql`${importFiles.status} <> 'done'`))
    .returning();
  if (rows.length) {
    await db.update(importJobs).set({ status: 'running', updatedAt: sql`now()` }).where(and(eq(importJobs.id, jobId), eq(importJobs.status, 'queued')));
  }
  return rows[0] ?? null;
}

export async function finishImportFile(
  db: Database,
  jobId: string,
  fileName: string,
  outcome: { status: 'done' | 'failed' | 'dead'; rows?: number; issues?: number; sha256?: string; error?: string },
): Promise<ImportJobRow> {
  await db
    .update(importFiles)
    .set({
      status: outcome.status,
      rows: outcome.rows ?? 0,
      issues: outcome.issues ?? 0,
      sha256: outcome.sha256 ?? null,
      error: outcome.error ?? null,
      finishedAt: sql`now()`,
    })
    .where(and(eq(importFiles.jobId, jobId), eq(importFiles.fileName, fileName), sql`${importFiles.status} <> 'done'`));
  return refreshImportJob(db, jobId);
}

/** Recompute a job's counters and status from its files (idempotent). */
export async function refreshImportJob(db: Database, jobId: string): Promise<ImportJobRow> {
  const [row] = await db
    .update(importJobs)
    .set({
      filesDone: sql`(SELECT count(*) FROM import_files f WHERE f.job_id = ${jobId} AND f.status = 'done')::int`,
      filesFailed: sql`(SELECT count(*) FROM import_files f WHERE f.job_id = ${jobId} AND f.status = 'dead')::int`,
      rowsImported: sql`(SELECT coalesce(sum(rows), 0) FROM import_files f WHERE f.job_id = ${jobId} AND f.status = 'done')::int`,
      status: sql`CASE
        WHEN (SELECT count(*) FROM import_files f WHERE f.job_id = ${jobId} AND f.status NOT IN ('done', 'dead')) > 0
          THEN CASE WHEN (SELECT count(*) FROM import_files f WHERE f.job_id = ${jobId} AND f.status <> 'pending') > 0 THEN 'running' ELSE 'queued' END
        WHEN (SELECT count(*) FROM import_files f WHERE f.job_id = ${jobId} AND f.status = 'dead') = 0 THEN 'done'
        WHEN (SELECT count(*) FROM import_files f WHERE f.job_id = ${jobId} AND f.status = 'done') = 0 THEN 'failed'
        ELSE 'partial' END`,
      updatedAt: sql`now()`,
    })
    .where(eq(importJobs.id, jobId))
    .returning();
  return row!;
}

export async function getImportJob(db: Database, jobId: string): Promise<{ job: ImportJobRow; files: ImportFileRow[] } | null> {
  const [job] = await db.select().from(importJobs).where(eq(importJobs.id, jobId));
  if (!job) return null;
  const files = await db.select().from(importFiles).where(eq(importFiles.jobId, jobId)).orderBy(importFiles.fileName);
  return { job, files };
}

/**
 * Resume: each file of `jobId` still pending whose URL an earlier job already imported (`done`), and whose window
 * [from, to) still holds at least that many stored candles of the series, becomes `done` at once with the earlier
 * row's counts (no second download). Returns the job and its files after the job's progress is recomputed.
 */
export async function resumeDoneFiles(
  db: Database,
  jobId: string,
  key: SeriesKey,
  files: readonly { fileName: string; url: string; from: number; to: number }[],
): Promise<{ job: ImportJobRow; files: ImportFileRow[] }> {
  if (files.length) {
    const spec = files.map((f) => ({ file_name: f.fileName, url: f.url, from_t: f.from, to_t: f.to }));
    await db.execute(sql`
      UPDATE import_files AS f
      SET status = 'done', rows = p.rows, issues = p.issues, sha256 = p.sha256, attempts = 0, finished_at = now(), error = NULL
      FROM json_to_recordset(${JSON.stringify(spec)}::json) AS s(file_name text, url text, from_t bigint, to_t bigint),
           LATERAL (SELECT e.rows, e.issues, e.sha256 FROM import_files e
                    WHERE e.url = s.url AND e.status = 'done' AND e.job_id <> ${jobId}
                    ORDER BY e.finished_at DESC LIMIT 1) AS p
      WHERE f.job_id = ${jobId} AND f.file_name = s.file_name AND f.status = 'pending'
        AND (SELECT count(*) FROM candles c
             WHERE c.venue = ${key.venue} AND c.symbol = ${key.symbol} AND c.timeframe = ${key.timeframe}
               AND c.open_time >= s.from_t AND c.open_time < s.to_t) >= p.rows`);
  }
  await refreshImportJob(db, jobId);
  const found = await getImportJob(db, jobId);
  return found!;
}
