/**
 * Parameter sweeps for the Lab: a keyset-paged list (no results), one sweep with its result (or without it, for
 * progress), its chunks' progress rows (no chunk results), and the done chunks' combos for building a heatmap when
 * the sweep's own result is not (yet) there.
 */
import { and, asc, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import { sweepChunks, sweeps, type SweepRow } from '../schema';
import type { Database } from '../database';

export type SweepMeta = Omit<SweepRow, 'result'> & { createdUs: number };

const CREATED_US = sql<number>`(extract(epoch from ${sweeps.createdAt}) * 1000000)::bigint`.mapWith(Number);

const { result: _result, ...SWEEP_COLUMNS } = getTableColumns(sweeps);
const META = { ...SWEEP_COLUMNS, createdUs: CREATED_US };

export interface SweepFilter {
  strategy?: string;
  status?: string;
  /** Keyset: rows after (created_at µs since the epoch, id) in newest-first order. */
  after?: { time: number; id: string } | null;
}

export async function listSweeps(db: Database, f: SweepFilter, limit: number): Promise<SweepMeta[]> {
  const where: SQL[] = [];
  if (f.strategy) where.push(eq(sweeps.strategyId, f.strategy));
  if (f.status) where.push(eq(sweeps.status, f.status));
  if (f.after) where.push(sql`(${CREATED_US}, ${sweeps.id}) < (${f.after.time}::bigint, ${f.after.id})`);
  return db
    .select(META)
    .from(sweeps)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(sweeps.createdAt), desc(sweeps.id))
    .limit(limit);
}

export async function getSweep(db: Database, id: string): Promise<SweepRow | null> {
  const [row] = await db.select().from(sweeps).where(eq(sweeps.id, id));
  return row ?? null;
}

/** One sweep's columns without its result (a merged 10,000-combo result is tens of MB): what progress needs. */
export async function getSweepMeta(db: Database, id: string): Promise<Omit<SweepRow, 'result'> | null> {
  const [row] = await db.select(SWEEP_COLUMNS).from(sweeps).where(eq(sweeps.id, id));
  return row ?? null;
}

export interface SweepChunkMeta {
  chunkIndex: number;
  status: string;
  attempts: number;
  cpuMs: number | null;
  error: string | null;
  updatedAt: Date;
}

export async function listSweepChunks(db: Database, sweepId: string): Promise<SweepChunkMeta[]> {
  return db
    .select({
      chunkIndex: sweepChunks.chunkIndex,
      status: sweepChunks.status,
      attempts: sweepChunks.attempts,
      cpuMs: sweepChunks.cpuMs,
      error: sweepChunks.error,
      updatedAt: sweepChunks.updatedAt,
    })
    .from(sweepChunks)
    .where(eq(sweepChunks.sweepId, sweepId))
    .orderBy(asc(sweepChunks.chunkIndex));
}

/**
 * Results of the sweep's done chunks, in chunk order, without the PBO block statistics and SPA daily returns
 * (optional in the chunk schema; only the merge reads them): about a quarter of each chunk's bytes.
 */
export async function sweepChunkResults(db: Database, sweepId: string): Promise<unknown[]> {
  const rows = await db
    .select({ result: sql<unknown>`${sweepChunks.result} - 'blockStats' - 'periodReturns'` })
    .from(sweepChunks)
    .where(and(eq(sweepChunks.sweepId, sweepId), eq(sweepChunks.status, 'done')))
    .orderBy(asc(sweepChunks.chunkIndex));
  return rows.map((r) => r.result);
}
