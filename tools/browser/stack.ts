/**
 * The local stack for browser tests and the API benchmark, started the way `npm run dev` does it: embedded
 * Postgres (PGlite behind the session gate, in memory) or DATABASE_URL, migrations, the local Neon wsproxy, the
 * fake Binance archive (so imports work offline), the Strategy Lab built into site/dist when stale, and
 * `wrangler dev` (workerd) on a free port with APP_ENV=development + ACCESS_DEV_BYPASS=true from an env file.
 * Resolves once `/api/health` says ok; `close()` stops every child (its whole process group) and server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from '../../shared/db/schema';
import type { Database } from '../../shared/db/database';
import { openScratchDatabase, startEmbeddedDatabase } from '../db/local-db';
import { migrateDatabase, MIGRATIONS_DIR } from '../db/migrate';
import { startWsProxy } from '../db/ws-proxy';
import { startFakeArchive } from '../fake-archive/server';

export const ROOT = join(MIGRATIONS_DIR, '..');

export interface LabStack {
  /** `http://127.0.0.1:<port>` of wrangler dev. */
  url: string;
  dbUrl: string;
  dbKind: 'embedded' | 'external';
  /**
   * Run `fn` with a node-postgres drizzle database (a fresh client, ended afterwards: the embedded database admits
   * one session at a time, so a held client would block the Worker).
   */
  withDb<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  /** Startup timings, ms. */
  timings: Record<string, number>;
  /** wrangler dev's output so far (for diagnostics). */
  log(): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * site/dist is stale when any file under site/src, shared/lab (the panels the pages import) or the Astro config is
 * newer than its index.html.
 */
export function siteIsStale(): boolean {
  const index = join(ROOT, 'site', 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return newestMtime(join(ROOT, 'site', 'src')) > built || newestMtime(join(ROOT, 'shared', 'lab')) > built || statSync(join(ROOT, 'site', 'astro.config.mjs')).mtimeMs > built;
}

function runToEnd(cmd: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}\n${out.slice(-4000)}`))));
  });
}

export async function buildSiteIfStale(): Promise<boolean> {
  if (!siteIsStale()) return false;
  await runToEnd(join(ROOT, 'node_modules', '.bin', 'astro'), ['build', '--root', 'site', '--silent']);
  return true;
}

export async function startLabStack(
  opts: {
    vars?: Record<string, string>;
    healthTimeoutMs?: number;
    /** `auto` (default): DATABASE_URL when set, else embedded; `embedded` ignores DATABASE_URL. */
    database?: 'auto' | 'embedded' | 'external';
  } = {},
): Promise<LabStack> {
  const timings: Record<string, number> = {};
  let last = performance.now();
  const mark = (k: string): void => {
    const now = performance.now();
    timings[k] = Math.round(now - last);
    last = now;
  };
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const mode = opts.database ?? 'auto';
    if (mode === 'external' && !process.env.DATABASE_URL) throw new Error('startLabStack: database "external" needs DATABASE_URL');
    // With DATABASE_URL the Lab gets a fresh database on that server, so it never shares tables with the workerd tests.
    const database = mode === 'embedded' ? await startEmbeddedDatabase({ port: 0 }) : await openScratchDatabase('lab');
    closers.push(database.close);
    mark('database');
    await migrateDatabase(database.url);
    mark('migrate');
    const withDb = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return await fn(drizzle(client, { schema }) as unknown as Database);
      } finally {
        await client.end();
      }
    };
    const proxy = await startWsProxy({ port: 0 });
    closers.push(proxy.close);
    const archive = await startFakeArchive({ port: 0 });
    closers.push(archive.close);
    mark('proxy+fakes');
    await buildSiteIfStale();
    mark('site');

    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'lab-stack-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const vars: Record<string, string> = {
      APP_ENV: 'development',
      ACCESS_DEV_BYPASS: 'true',
      DATABASE_URL: database.url,
      DB_WS_PROXY: proxy.endpoint,
      INGEST_SERIES: '',
      ARCHIVE_BASE_URL: archive.baseUrl('ms'),
      PUBLIC_LAB_URL: `http://127.0.0.1:${port}`,
      CODE_VERSION: 'browser-test',
      ...opts.vars,
    };
    const envFile = join(dir, 'stack.env');
    writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');
    let output = '';
    const child: ChildProcess = spawn(
      join(ROOT, 'node_modules', '.bin', 'wrangler'),
      ['dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dir, 'wrangler'), '--show-interactive-dev-session=false', '--log-level', 'warn', '--env-file', envFile],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? '' } },
    );
    child.stdout!.on('data', (d) => (output = (output + d).slice(-20000)));
    child.stderr!.on('data', (d) => (output = (output + d).slice(-20000)));
    closers.push(async () => {
      if (child.exitCode !== null || !child.pid) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.healthTimeoutMs ?? 120_000);
    let health = '';
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output.slice(-4000)}`);
      try {
        const res = await fetch(`${url}/api/health`);
        const body = (await res.json()) as { status?: string };
        health = body.status ?? '';
        if (health === 'ok') break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`wrangler dev not healthy after ${opts.healthTimeoutMs ?? 120_000} ms (last: ${health || 'unreachable'}):\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    mark('wrangler');
    return { url, dbUrl: database.url, dbKind: database.kind, withDb, timings, log: () => output, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
