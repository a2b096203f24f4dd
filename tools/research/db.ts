/**
 * The CLI's database: DATABASE_URL when set; otherwise the running `npm run dev` database through its session gate
 * (postgres://…@127.0.0.1:54329 — only one process can hold the embedded data dir, so the CLI joins the dev
 * server's instead of opening it); otherwise the embedded PGlite in `.data/pglite`. Migrates first. One
 * node-postgres client (the gate admits one session at a time).
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from '../../shared/db/schema';
import type { Database } from '../../shared/db/database';
import { openLocalDatabase } from '../db/local-db';
import { migrateDatabase } from '../db/migrate';

export const DEV_GATE_URL = 'postgres://postgres:postgres@127.0.0.1:54329/postgres?sslmode=disable';

export interface ResearchDb {
  db: Database;
  url: string;
  kind: 'external' | 'dev-gate' | 'embedded';
  close(): Promise<void>;
}

async function reachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export async function openResearchDb(opts: { dataDir?: string; url?: string; log?: (s: string) => void } = {}): Promise<ResearchDb> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  let url: string;
  let kind: ResearchDb['kind'];
  let closeServer: () => Promise<void> = async () => {};
  if (opts.url ?? process.env.DATABASE_URL) {
    url = (opts.url ?? process.env.DATABASE_URL)!;
    kind = 'external';
  } else if (await reachable(DEV_GATE_URL)) {
    url = DEV_GATE_URL;
    kind = 'dev-gate';
  } else {
    const local = await openLocalDatabase({ dataDir: opts.dataDir ?? '.data/pglite' });
    url = local.url;
    kind = 'embedded';
    closeServer = local.close;
  }
  log(`[db] ${kind}${kind === 'embedded' ? ` (${opts.dataDir ?? '.data/pglite'})` : ''}`);
  await migrateDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    db,
    url,
    kind,
    close: async () => {
      await client.end().catch(() => {});
      await closeServer();
    },
  };
}

/**
 * CODE_VERSION, else the git commit (short) with `-dirty` when code has uncommitted changes (the generated
 * research log and local data are outputs, not code, and do not count), else `unknown`.
 */
export function codeVersion(): string {
  if (process.env.CODE_VERSION) return process.env.CODE_VERSION;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)research-log'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return `${sha}${dirty ? '-dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}
