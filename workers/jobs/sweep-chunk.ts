/**
 * sweep-chunk job: compute one chunk of a sweep (its slice of the deterministic combo list), store its output and
 * wall time, count it on the sweep, and — for the one delivery whose update completes the last chunk — merge all
 * chunk outputs in chunk order into the sweep's result. A done chunk is skipped; a chunk running under a live
 * lease is retried after the lease (never acked: its owner may have died). After the last retry `onDead` marks the chunk dead and the sweep failed.
 * The window comes from the isolate's cache while its stored data is unchanged (shared/app/window-cache.ts).
 */
import { z } from 'zod';
import { CHUNK_LEASE_MS, failSweepChunk } from '../../shared/db/queries/research';
import { TransientError } from '../errors';
import { sweepChunkThenPromote } from '../../shared/app/promote-after';
import type { JobDeps } from './consumer';
import { log } from '../observability/logger';
import { jobsEnqueue } from './enqueue';
import { isolateWindowCache } from '../../shared/app/window-cache';

export const SweepChunkMessage = z.object({
  kind: z.literal('sweep-chunk'),
  key: z.string().min(1),
  sweepId: z.string().min(1).max(100),
  chunkIndex: z.number().int().min(0),
});
export type SweepChunkJob = z.infer<typeof SweepChunkMessage>;

export async function runSweepChunkJob(msg: SweepChunkJob, deps: JobDeps): Promise<void> {
  const out = await sweepChunkThenPromote(deps.db, msg.sweepId, msg.chunkIndex, {
    // A large PBO goes to pbo-chunk jobs (100 messages per batch, the Queues limit).
    now: deps.now,
    enqueue: jobsEnqueue(deps.env.JOBS),
  });
  // The isolate's window cache so far (a chunk after the first in an isolate should be a hit: ../../shared/app/window-cache.ts).
  const windowCache = { hits: isolateWindowCache.hits, misses: isolateWindowCache.misses };
  log.info('sweep-chunk', { at: 'sweep-chunk', sweepId: msg.sweepId, chunk: msg.chunkIndex, ...out, windowCache });
  // Another delivery holds the chunk. If its consumer died (e.g. hit the CPU limit) this message is the only one
  // left: never ack it, come back after the lease (the claim is then re-taken, or the chunk is done → ack).
  if (out.status === 'skipped' && out.running) throw new TransientError(out.reason, CHUNK_LEASE_MS / 1000 + 5);
}

export async function onDeadSweepChunk(msg: SweepChunkJob, deps: JobDeps): Promise<void> {
  await failSweepChunk(deps.db, msg.sweepId, msg.chunkIndex, 'retries exhausted (dead-lettered)', true);
}
