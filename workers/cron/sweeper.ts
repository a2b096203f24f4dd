/**
 * The stuck-work sweeper, run by the cron every cycle. A queue message can vanish (dropped from the dead-letter
 * queue, a consumer killed mid-job): its row then stays `running` forever and the Lab shows progress that will never
 * come. Past a timeout, the sweeper ends such rows as failed WITH THE REASON, so the state is honest:
 *
 * - import files `running` longer than `FILE_TIMEOUT_MIN` → `dead` (the job becomes `partial`, never `done`);
 * - backtest runs `running` longer than `RUN_TIMEOUT_MIN` → `failed`;
 * - sweep chunks `running` longer than `CHUNK_TIMEOUT_MIN` → `dead`, and their sweep → `failed`;
 * - claimed Telegram update ids older than `UPDATE_KEEP_DAYS` are forgotten (Telegram redelivers for 24 h only);
 * - a sweep's deferred PBO still unfinished `PBO_RESEND_MIN` after its pbo-chunk messages were sent (or, when the
 *   send failed, after the sweep finished) gets its missing ranges re-sent, same keys (when given `enqueue`).
 *
 * Times are the database's own clock (`now()`, the clock that stamped `started_at`), not the cycle's scheduled
 * time (which the dev runner sets to recorded market time).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { refreshImportJob } from '../../shared/db/queries/imports';
import { failSweepChunk } from '../../shared/db/queries/research';
import { pruneUpdates } from '../telegram/webhook';
import { resendStalePbo, type PboChunkJob } from '../../shared/app/sweep-pbo';

export const FILE_TIMEOUT_MIN = 30;
export const RUN_TIMEOUT_MIN = 60;
export const CHUNK_TIMEOUT_MIN = 30;
export const UPDATE_KEEP_DAYS = 3;
/** A pbo-chunk job takes seconds; a deferred PBO still missing ranges this long after its send lost a message. */
export const PBO_RESEND_MIN = 30;

export interface SweepOutcome {
  files: number;
  runs: number;
  chunks: number;
  updates: number;
  /** Sweeps whose deferred PBO was re-sent, and the pbo-chunk messages sent (0 when no `enqueue` was given). */
  pboSweeps: number;
  pboMessages: number;
}

const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? []) as T[];

export async function sweepStuck(
  db: Db,
  opts: { fileTimeoutMin?: number; runTimeoutMin?: number; chunkTimeoutMin?: number; pboResendMin?: number; enqueue?: (messages: PboChunkJob[]) => Promise<void> } = {},
): Promise<SweepOutcome> {
  const fileMin = opts.fileTimeoutMin ?? FILE_TIMEOUT_MIN;
  const runMin = opts.runTimeoutMin ?? RUN_TIMEOUT_MIN;
  const chunkMin = opts.chunkTimeoutMin ?? CHUNK_TIMEOUT_MIN;

  const files = rowsOf<{ job_id: string }>(
    await db.execute(sql`
      UPDATE import_files SET status = 'dead', finished_at = now(),
             error = ${`stuck in running for more than ${fileMin} min (its queue message was lost); ended by the sweeper`}
       WHERE status = 'running' AND started_at < now() - make_interval(mins => ${fileMin})
       RETURNING job_id`),
  );
  for (const jobId of new Set(files.map((f) => f.job_id))) await refreshImportJob(db, jobId);

  const runs = rowsOf<{ id: string }>(
    await db.execute(sql`
      UPDATE backtest_runs SET status = 'failed', finished_at = now(),
             error = ${`stuck in running for more than ${runMin} min (its queue message was lost); ended by the sweeper`}
       WHERE status = 'running' AND started_at < now() - make_interval(mins => ${runMin})
       RETURNING id`),
  );

  const chunks = rowsOf<{ sweep_id: string; chunk_index: number }>(
    await db.execute(sql`
      SELECT sweep_id, chunk_index FROM sweep_chunks
       WHERE status = 'running' AND updated_at < now() - make_interval(mins => ${chunkMin})`),
  );
  for (const c of chunks) {
    await failSweepChunk(db, c.sweep_id, Number(c.chunk_index), `stuck in running for more than ${chunkMin} min (its queue message was lost); ended by the sweeper`, true);
  }

  const updates = await pruneUpdates(db, UPDATE_KEEP_DAYS * 86_400_000, Date.now());
  const pbo = opts.enqueue ? await resendStalePbo(db, opts.enqueue, opts.pboResendMin ?? PBO_RESEND_MIN) : { sweeps: 0, messages: 0 };
  return { files: files.length, runs: runs.length, chunks: chunks.length, updates, pboSweeps: pbo.sweeps, pboMessages: pbo.messages };
}
