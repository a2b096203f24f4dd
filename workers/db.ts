/**
 * Database access for the Worker: drizzle over `@neondatabase/serverless` (a Pool over WebSockets), the same code
 * path against Neon in production and a local Postgres in dev and tests (through the local wsproxy named by
 * DB_WS_PROXY, which disables TLS-over-WebSocket and the Neon-only pipelining shortcuts).
 * Workers may not share I/O objects across requests, so a pool is opened per invocation and closed after it; what
 * holds no I/O (the SQL dialect and the schema's relational config, which `drizzle()` would rebuild from every table
 * on each call: ~0.9 ms of a request's CPU) is built once per isolate and shared.
 */
import { neonConfig, Pool } from '@neondatabase/serverless';
import { createTableRelationsHelpers, extractTablesRelationalConfig, type ExtractTablesWithRelations, type RelationalSchemaConfig } from 'drizzle-orm';
import { NeonDatabase, NeonSession } from 'drizzle-orm/neon-serverless';
import { PgDialect } from 'drizzle-orm/pg-core';
import * as schema from '../shared/db/schema';
import type { AppConfig } from './env';

export type Db = NeonDatabase<typeof schema>;

type Relational = RelationalSchemaConfig<ExtractTablesWithRelations<typeof schema>>;
let shared: { dialect: PgDialect; relational: Relational } | undefined;

/** drizzle over `pool`, as `drizzle({ client: pool, schema })` builds it, from the isolate's dialect and relational config. */
function drizzleOver(pool: Pool): Db {
  if (!shared) {
    const tables = extractTablesRelationalConfig<ExtractTablesWithRelations<typeof schema>>(schema, createTableRelationsHelpers);
    shared = { dialect: new PgDialect(), relational: { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap } };
  }
  const { dialect, relational } = shared;
  return new NeonDatabase(dialect, new NeonSession(pool, dialect, relational, {}), relational);
}

let configuredProxy: string | undefined | null = null;

function configureDriver(proxy: string | undefined): void {
  if (configuredProxy === (proxy ?? undefined)) return;
  configuredProxy = proxy ?? undefined;
  if (proxy) {
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  } else {
    neonConfig.wsProxy = (host) => `${host}/v2`;
    neonConfig.useSecureWebSocket = true;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = 'password';
  }
}

export interface DbHandle {
  db: Db;
  pool: Pool;
  /** Close the pool; call in `ctx.waitUntil` or a finally. */
  close(): Promise<void>;
}

export function openDb(config: Pick<AppConfig, 'DATABASE_URL' | 'DB_WS_PROXY'>): DbHandle {
  configureDriver(config.DB_WS_PROXY);
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 4, idleTimeoutMillis: 1000 });
  pool.on('error', () => {
    /* a broken idle client is dropped by the pool; the next query reconnects */
  });
  const db = drizzleOver(pool);
  let closed = false;
  return {
    db,
    pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
    },
  };
}

/** Run `fn` with a fresh pool and always close it. */
export async function withDb<T>(config: Pick<AppConfig, 'DATABASE_URL' | 'DB_WS_PROXY'>, fn: (db: Db) => Promise<T>): Promise<T> {
  const h = openDb(config);
  try {
    return await fn(h.db);
  } finally {
    await h.close();
  }
}
