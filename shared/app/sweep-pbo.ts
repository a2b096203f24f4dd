/**
 * A large sweep's PBO in queue chunks: the merge stored `result.pbo = { status: 'deferred', ranges }` and sent one
 * `pbo-chunk` message per split range. Each job rebuilds the CSCV matrix from the done chunks' block statistics
 * (deterministic, so every job sees the same matrix and digest), computes its range (`pboSplits`), stores the
 * partial (a duplicate delivery inserts nothing) and, when every range is stored, merges them
 * (`mergePboPartials`, validated) into `result.pbo` — guarded, so concurrent last jobs write it once. The job that
 * wrote it then judges the best combo with the PBO gate and applies promotion (the merge left that to it; the
 * decision is recorded once per source, so a repeat changes nothing).
 *
 * A send that failed leaves the PBO deferred with ranges no job will compute: the merge marks a successful send
 * (`result.pbo.enqueuedAt`); a redelivered last sweep chunk re-sends when that mark is absent, and the cron
 * sweeper (`resendStalePbo`) re-sends the ranges not yet stored once the mark (or the sweep's finish) is older
 * than a timeout. Messages keep their key `pbo:<sweep>:<range>` and a stored range is never recomputed twice.
 */
import { z } from 'zod';
import type { Database } from '../db/database';
import { claimStalePboResends, markPboEnqueued, pboPartials, pingDb, setSweepPbo, storePboPartial, sweepChunkBlockStats, sweepPboState } from '../db/queries/research';
import type { Clock } from './ports';
import { mergeSweepPbo, sweepCscvMatrix, sweepPboPartial, type ChunkBlockStats } from '../research/sweep-pbo';

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


/** One `pbo-chunk` message per range of `ranges` not in `stored` (same key for a re-send: idempotent by key). */
export function pboChunkMessages(sweepId: string, ranges: readonly { from: number; to: number }[], stored: Iterable<number> = []): PboChunkJob[] {
  const done = new Set(stored);
  return ranges.flatMap((r, rangeIndex) => (done.has(rangeIndex) ? [] : [{ kind: 'pbo-chunk' as const, key: `pbo:${sweepId}:${rangeIndex}`, sweepId, rangeIndex, from: r.from, to: r.to }]));
}

/** Send a sweep's (missing) pbo-chunk messages and mark the send; nothing when none is missing. */
export async function sendPboChunks(db: Database, sweepId: string, ranges: readonly { from: number; to: number }[], enqueue: (m: PboChunkJob[]) => Promise<void>): Promise<number> {
  const stored = (await pboPartials(db, sweepId)).map((p) => p.rangeIndex);
  const messages = pboChunkMessages(sweepId, ranges, stored);
  if (messages.length) await enqueue(messages);
  await markPboEnqueued(db, sweepId);
  return messages.length;
}

/** A redelivered merge: re-send the deferred PBO's messages when their send never succeeded (no mark). */
export async function resendUnsentPbo(db: Database, sweepId: string, enqueue: (m: PboChunkJob[]) => Promise<void>): Promise<number> {
  const sweep = await sweepPboState(db, sweepId);
  if (sweep?.status !== 'done') return 0;
  const pbo = sweep.pbo;
  if (pbo?.status !== 'deferred' || pbo.enqueuedAt !== undefined) return 0;
  return sendPboChunks(db, sweepId, pbo.ranges, enqueue);
}

/**
 * The cron sweeper's part: every deferred PBO whose send is older than `timeoutMin` (or never happened and its
 * sweep finished that long ago) is claimed (re-stamped in the same statement) and its missing ranges re-sent.
 */
export async function resendStalePbo(db: Database, enqueue: (m: PboChunkJob[]) => Promise<void>, timeoutMin: number): Promise<{ sweeps: number; messages: number }> {
  const claimed = await claimStalePboResends(db, timeoutMin);
  let messages = 0;
  for (const c of claimed) {
    const m = pboChunkMessages(c.sweepId, c.ranges, c.stored);
    if (m.length) await enqueue(m);
    messages += m.length;
  }
  return { sweeps: claimed.length, messages };
}

export async function executePboChunk(db: Database, msg: { sweepId: string; rangeIndex: number; from: number; to: number }, now: Clock): Promise<PboChunkOutcome> {
  // Only the sweep's status and result.pbo (a jsonb path select), never the whole merged result.
  const sweep = await sweepPboState(db, msg.sweepId);
  if (!sweep) return { status: 'skipped', reason: 'no such sweep' };
  const pbo = sweep.status === 'done' ? sweep.pbo : undefined;
  if (sweep.status !== 'done' || !pbo || pbo.status !== 'deferred') return { status: 'skipped', reason: `sweep is ${sweep.status}, its PBO ${pbo?.status ?? 'absent'}` };
  const range = pbo.ranges[msg.rangeIndex];
  if (!range || range.from !== msg.from || range.to !== msg.to) return { status: 'skipped', reason: `range ${msg.rangeIndex} [${msg.from}, ${msg.to}) is not in the sweep's plan` };
  const stats = (await sweepChunkBlockStats(db, msg.sweepId)).map((r) => r.blockStats as ChunkBlockStats);
  const m = sweepCscvMatrix(stats);
  const t0 = now();
  const partial = sweepPboPartial(m.matrix, range);
  // Workers' clocks advance only across I/O: bracket the compute with one round trip (an upper bound on its CPU).
  await pingDb(db);
  const wallMs = now() - t0;
  const ranges = pbo.ranges.length;
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
    // The merge that wrote the PBO returns merged: its caller judges the sweep then (shared/app/promote-after.ts).
    merged = await setSweepPbo(db, msg.sweepId, { ...result, chunkWallMs: cpu, maxChunkWallMs: Math.max(0, ...cpu) });
  }
  return { status: 'done', wallMs, stored, ranges, merged };
}
