/** Archive import jobs for the Lab's list (newest first, keyset-paged by created_at µs + id); no file rows. */
import { and, desc, sql, type SQL } from 'drizzle-orm';
import { importJobs, type ImportJobRow } from '../schema';
import type { Database } from '../database';

const CREATED_US = sql<number>`(extract(epoch from ${importJobs.createdAt}) * 1000000)::bigint`.mapWith(Number);

export async function listImportJobs(
  db: Database,
  f: { status?: string; after?: { time: number; id: string } | null },
  limit: number,
): Promise<(ImportJobRow & { createdUs: number })[]> {
  const where: SQL[] = [];
  if (f.status) where.push(sql`${importJobs.status} = ${f.status}`);
  if (f.after) where.push(sql`(${CREATED_US}, ${importJobs.id}) < (${f.after.time}::bigint, ${f.after.id})`);
  const rows = await db
    .select({ job: importJobs, createdUs: CREATED_US })
    .from(importJobs)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(importJobs.createdAt), desc(importJobs.id))
    .limit(limit);
  return rows.map((r) => ({ ...r.job, createdUs: r.createdUs }));
}
