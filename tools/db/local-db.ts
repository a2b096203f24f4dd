/**
 * Local Postgres for dev, tests and the CLI. By default an embedded PGlite engine (real Postgres compiled to
 * WASM, persisted in a git-ignored folder) served over the wire protocol by `pglite-socket` behind the
 * one-session gate; with DATABASE_URL set, that server instead and nothing is started.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startSessionGate } from './session-gate';

export interface LocalDatabase {
  kind: 'embedded' | 'external';
  /** postgres:// URL reachable over TCP from this machine. */
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedDatabase(opts: { dataDir?: string; port?: number } = {}): Promise<LocalDatabase> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
  // maxConnections > 1 only as slack while a finished session detaches; the gate admits one session at a time.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  const upstreamPort = Number(server.getServerConn().split(':').pop());
  const gate = await startSessionGate({ upstreamPort, port: opts.port ?? 0 });
  return {
    kind: 'embedded',
    url: `postgres://postgres:postgres@127.0.0.1:${gate.port}/postgres?sslmode=disable`,
    close: async () => {
      await gate.close();
      await server.stop();
      await db.close();
    },
  };
}

/** DATABASE_URL when set, else an embedded database. */
export async function openLocalDatabase(opts: { dataDir?: string; port?: number } = {}): Promise<LocalDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return { kind: 'external', url: external, close: async () => {} };
  return startEmbeddedDatabase(opts);
}

/**
 * A database of its own for one test file or tool run: with DATABASE_URL set, a fresh database created on that
 * server (dropped again on close), so tests running in parallel never share tables; otherwise an in-memory
 * embedded one. The same code then runs against real Postgres in both modes.
 */
export async function openScratchDatabase(label = 'scratch'): Promise<LocalDatabase> {
  const external = process.env.DATABASE_URL;
  if (!external) return startEmbeddedDatabase();
  const { default: pg } = await import('pg');
  const base = new URL(external);
  const name = `${base.pathname.slice(1) || 'postgres'}_${label}_${process.pid}_${Math.floor(Math.random() * 1e9)}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  const admin = new pg.Client({ connectionString: external });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(external);
  url.pathname = `/${name}`;
  return {
    kind: 'external',
    url: url.toString(),
    close: async () => {
      const c = new pg.Client({ connectionString: external });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
