import { describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';

describe('GET /api/health (in workerd, against real Postgres)', () => {
  it('reports the database, the migration and heartbeats without secrets', async () => {
    const res = await exports.default.fetch('http://lab.local/api/health');
    const body = (await res.json()) as {
      database: { ok: boolean };
      migration: { upToDate: boolean };
      heartbeats: unknown[];
      alerts: { undelivered: Record<string, number> };
    };
    expect(body.database.ok, JSON.stringify(body)).toBe(true);
    expect(body.migration.upToDate).toBe(true);
    expect(res.status).toBe(200);
    expect(body.heartbeats.length).toBeGreaterThanOrEqual(5);
    expect(typeof body.alerts.undelivered).toBe('object');
    expect(JSON.stringify(body)).not.toContain(env.DATABASE_URL);
  });
});

describe('GET /api/health shows alerts that failed delivery', () => {
  it('counts a dead alert until it is gone', async () => {
    const { withDb } = await import('../db');
    const { getConfig } = await import('../env');
    const { alerts } = await import('../../shared/db/schema');
    const { eq } = await import('drizzle-orm');
    const config = getConfig(env);
    await withDb(config, (db) =>
      db.insert(alerts).values({ dedupeKey: 'health-test:dead', message: 'x', status: 'dead', attempts: 6, lastError: 'HTTP 500' }),
    );
    try {
      const body = (await (await exports.default.fetch('http://lab.local/api/health')).json()) as { alerts: { undelivered: Record<string, number> } };
      expect(body.alerts.undelivered.dead).toBeGreaterThanOrEqual(1);
    } finally {
      await withDb(config, (db) => db.delete(alerts).where(eq(alerts.dedupeKey, 'health-test:dead')));
    }
  });
});
