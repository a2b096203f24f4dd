/**
 * pbo-chunk job: one split range of a large sweep's PBO (see workers/research/sweep-pbo.ts). Idempotent: the
 * partial is deterministic and stored once; the last range stored merges all of them into the sweep's result.
 */
import { z } from 'zod';
import { executePboChunk } from '../research/sweep-pbo';
import type { JobDeps } from './consumer';

export const PboChunkMessage = z.object({
  kind: z.literal('pbo-chunk'),
  key: z.string().min(1),
  sweepId: z.string().min(1).max(100),
  rangeIndex: z.number().int().min(0),
  from: z.number().int().min(0),
  to: z.number().int().min(1),
});
export type PboChunkJob = z.infer<typeof PboChunkMessage>;

export async function runPboChunkJob(msg: PboChunkJob, deps: JobDeps): Promise<void> {
  const out = await executePboChunk(deps.db, msg);
  console.log(JSON.stringify({ at: 'pbo-chunk', sweepId: msg.sweepId, range: msg.rangeIndex, ...out }));
}
