/**
 * Global setup for the workerd tests: start the database (embedded PGlite behind the session gate, or use
 * DATABASE_URL), apply the migrations, and start the local Neon wsproxy the Worker connects through.
 */
import { openLocalDatabase } from '../tools/db/local-db';
import { migrateDatabase } from '../tools/db/migrate';
import { startWsProxy } from '../tools/db/ws-proxy';

export default async function setup(): Promise<() => Promise<void>> {
  const db = await openLocalDatabase({ port: Number(process.env.NX_TEST_DB_PORT) });
  await migrateDatabase(db.url);
  const proxy = await startWsProxy({ port: Number(process.env.NX_TEST_PROXY_PORT) });
  console.log(`[workers tests] ${db.kind} Postgres migrated; wsproxy at ${proxy.endpoint}`);
  return async () => {
    await proxy.close();
    await db.close();
  };
}
