/** Test helper: run one SQL query against the test database of an `Env` and return its rows. */
import type { sql } from 'drizzle-orm';
import { withDb } from './db';
import { getConfig, type Env } from './env';

export async function sqlRows<T>(e: Env, query: ReturnType<typeof sql>): Promise<T[]> {
  return withDb(getConfig(e), async (db) => (await db.execute(query)).rows as T[]);
}
