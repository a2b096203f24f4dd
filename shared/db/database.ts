/**
 * The database type the typed queries accept: any drizzle Postgres database over this schema — the Worker's
 * Neon (WebSocket) driver and the Node tools' node-postgres driver alike.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Rows of a raw `db.execute(sql…)` across drivers (node-postgres and Neon both return `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
