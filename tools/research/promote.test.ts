import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrateDatabase } from '../db/migrate';
import { seedDatabase } from '../db/seed';

const ROOT = join(import.meta.dirname, '..', '..');
let url = '';
let embedded: { close(): Promise<void> } | null = null;

beforeAll(async () => {
  // A database of its own: in-memory embedded Postgres, or a fresh database on the DATABASE_URL server.
  const { openScratchDatabase } = await import('../db/local-db');
  url = await openScratchDatabase('promote').then((e) => ((embedded = e), e.url));
  await migrateDatabase(url);
  await seedDatabase(url);
}, 120_000);

afterAll(async () => {
  await embedded?.close();
});

/** One short session (the embedded database's gate admits one at a time). */
async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'tools', 'research', 'cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('research CLI: promote (manual decisions)', () => {
  it('records a manual move to watch; refuses paper without evidence that passes every gate', async () => {
    const id = 'dsta-sma-crossover';
    const refused = await cli(['promote', '--strategy', id, '--to', 'paper', '--reason', 'looks good to me']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refused: manual promotion to paper needs the latest evidence to pass every gate/);
    expect((await query<{ status: string }>('SELECT status FROM strategies WHERE id = $1', [id]))[0]!.status).toBe('research');

    const ok = await cli(['promote', '--strategy', id, '--to', 'watch', '--reason', 'edge at maker fees only']);
    expect(ok.stderr).not.toMatch(/error/);
    expect(ok.stdout).toContain(`${id}: research → watch (manual`);
    const [s] = await query<{ status: string; status_reason: string }>('SELECT status, status_reason FROM strategies WHERE id = $1', [id]);
    expect(s).toEqual({ status: 'watch', status_reason: 'manual: edge at maker fees only' });
    const changes = await query<{ from_status: string; to_status: string; evidence: { manual: boolean } }>('SELECT from_status, to_status, evidence FROM strategy_status_changes WHERE strategy_id = $1', [id]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ from_status: 'research', to_status: 'watch', evidence: { manual: true } });

    const bad = await cli(['promote', '--strategy', id, '--to', 'live', '--reason', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--to must be one of research, watch, paper, rejected/);
  }, 120_000);
});
