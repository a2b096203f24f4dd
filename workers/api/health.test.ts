import { describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';

describe('GET /api/health (in workerd, against real Postgres)', () => {
  it('reports the database, the migration and heartbeats without secrets', async () => {
    const res = await exports.default.fetch('http://lab.local/api/health');
    const body = (await res.json()) as {
      database: { ok: boolean };
      migration: { upToDate: boolean };
      heartbeats: unknown[];
    };
    expect(body.database.ok, JSON.stringify(body)).toBe(true);
    expect(body.migration.upToDate).toBe(true);
    expect(res.status).toBe(200);
    expect(body.heartbeats.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(body)).not.toContain(env.DATABASE_URL);
  });
});
