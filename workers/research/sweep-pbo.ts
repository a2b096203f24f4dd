/**
 * A large sweep's PBO in queue chunks: the merge stored `result.pbo = { status: 'deferred', ranges }` and sent one
 * `pbo-chunk` message per split range. Each job rebuilds the CSCV matrix from the done chunks' block statistics
 * (deterministic, so every job sees the same matrix and digest), computes its range (`pboSplits`), stores the
 * partial (a duplicate delivery inserts nothing) and, when every range is stored, merges them
 * (`mergePboPartials`, validated) into `result.pbo` — guarded, so concurrent last jobs write it once.
 */
import { z } from 'zod';
import type { Database } from '../../shared/db/database';
import { getSweepRow, pboPartials, pingDb, setSweepPbo, storePboPartial, sweepChunkBlockStats } from '../../shared/db/queries/research';
import { mergeSweepPbo, sweepCscvMatrix, sweepPboPartial, type ChunkBlockStats } from '../../shared/research/sweep-pbo';

/** The `pbo-chunk` queue message: one split range of a sweep's deferred PBO. */
export const PboChunkMessage = z.object({
  kind: z.literal('pbo-chunk'),
  key: z.string().min(1),
  sweepId: z.string().min(1).max(100),
  rangeIndex: z.number().int().min(0),
  from: z.number().int().min(0),
  to: z.number().int().min(1),
});
export type PboChunkJob = z.infer<typeof PboChunkMessage>;

export type PboChunkOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'done'; wallMs: number; stored: number; ranges: number; merged: boolean };

interface DeferredPbo {
  status: 'deferred';
  ranges: { from: number; to: number }[];
}

export async function executePboChunk(db: Database, msg: { sweepId: string; rangeIndex: number; from: number; to: number }): Promise<PboChunkOutcome> {
  const sweep = await getSweepRow(db, msg.sweepId);
  if (!sweep) return { status: 'skipped', reason: 'no such sweep' };
  const pbo = (sweep.result as { pbo?: DeferredPbo | { status: string } } | null)?.pbo;
  if (sweep.status !== 'done' || !pbo || pbo.status !== 'deferred') return { status: 'skipped', reason: `sweep is ${sweep.status}, its PBO ${pbo?.status ?? 'absent'}` };
  const range = (pbo as DeferredPbo).ranges[msg.rangeIndex];
  if (!range || range.from !== msg.from || range.to !== msg.to) return { status: 'skipped', reason: `range ${msg.rangeIndex} [${msg.from}, ${msg.to}) is not in the sweep's plan` };
  const stats = (await sweepChunkBlockStats(db, msg.sweepId)).map((r) => r.blockStats as ChunkBlockStats);
  const m = sweepCscvMatrix(stats);
  const t0 = Date.now();
  const partial = sweepPboPartial(m.matrix, range);
  // Workers' clocks advance only across I/O: bracket the compute with one round trip (an upper bound on its CPU).
  await pingDb(db);
  const wallMs = Date.now() - t0;
  const ranges = (pbo as DeferredPbo).ranges.length;
  const stored = await storePboPartial(db, { sweepId: msg.sweepId, rangeIndex: msg.rangeIndex, splitFrom: range.from, splitTo: range.to, partial, cpuMs: wallMs });
  let merged = false;
  if (stored >= ranges) {
    const parts = await pboPartials(db, msg.sweepId);
    const result = mergeSweepPbo(
      parts.map((p) => p.partial),
      m.matrix,
      m.keys,
      m.view,
      m.edges,
    );
    const cpu = parts.map((p) => p.cpuMs ?? 0);
    merged = await setSweepPbo(db, msg.sweepId, { ...result, chunkWallMs: cpu, maxChunkWallMs: Math.max(0, ...cpu) });
  }
  return { status: 'done', wallMs, stored, ranges, merged };
}
