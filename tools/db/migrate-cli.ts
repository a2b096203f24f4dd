/**
 * `npm run db:migrate`: apply migrations to DATABASE_URL (Neon in production, CI's Postgres in CI).
 * Without DATABASE_URL it migrates the embedded dev database in `.data/pglite` (stop `npm run dev` first).
 */
import { join } from 'node:path';
import { openLocalDatabase } from './local-db';
import { migrateDatabase, MIGRATIONS_DIR } from './migrate';

const started = performance.now();
const db = await openLocalDatabase({ dataDir: join(MIGRATIONS_DIR, '..', '.data', 'pglite') });
try {
  await migrateDatabase(db.url);
  console.log(`migrated ${db.kind} database in ${Math.round(performance.now() - started)} ms`);
} finally {
  await db.close();
}
