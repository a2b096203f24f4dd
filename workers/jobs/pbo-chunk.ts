/**
 * pbo-chunk job: one split range of a large sweep's PBO (see shared/app/sweep-pbo.ts). Idempotent: the
 * partial is deterministic and stored once; the last range stored merges all of them into the sweep's result.
 */
import type { PboChunkJob } from '../../shared/app/sweep-pbo';
import { pboChunkThenPromote } from '../../shared/app/promote-after';
import type { JobDeps } from './consumer';
import { log } from '../observability/logger';

// The message schema lives with the research layer (which enqueues it and must not import Worker code).
export { PboChunkMessage, type PboChunkJob } from '../../shared/app/sweep-pbo';

export async function runPboChunkJob(msg: PboChunkJob, deps: JobDeps): Promise<void> {
  const out = await pboChunkThenPromote(deps.db, msg, deps.now);
  log.info('pbo-chunk', { at: 'pbo-chunk', sweepId: msg.sweepId, range: msg.rangeIndex, ...out });
}
