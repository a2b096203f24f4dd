/**
 * `/api/health` (open) answers liveness only; the details (beat texts, code version, configuration) are behind
 * Access on `/api/status`. In workerd against real Postgres.
 */
import { describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { withDb } from '../db';
import { getConfig } from '../env';
import { alerts } from '../../shared/db/schema';
import { beat } from '../heartbeat/monitor';
import { accessHeaders } from './test-access';

const SECRET_DETAIL = 'nexara-baseline-5m binance BTC/USDT: BUY';

describe('GET /api/health (in workerd, against real Postgres)', () => {
  it('answers liveness only: database up, migration current, per role {role, ok, stale, lastBeatAt}', async () => {
    await beat(env, { role: 'signals', ok: true, detail: SECRET_DETAIL, intervalMs: 300_000, metrics: { signals: 1 } });
    const res = await exports.default.fetch('http://lab.local/api/health');
    const text = await res.text();
    const body = JSON.parse(text) as {
      status: string;
      database: Record<string, unknown>;
      migration: Record<string, unknown>;
      heartbeats: Record<string, unknown>[];
      alerts: { undelivered: Record<string, number> };
    };
    expect(res.status, text).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['alerts', 'database', 'heartbeats', 'migration', 'status']);
    expect(body.database).toEqual({ ok: true });
    expect(body.migration).toEqual({ upToDate: true });
    expect(body.heartbeats.length).toBeGreaterThanOrEqual(5);
    for (const h of body.heartbeats) expect(Object.keys(h).sort()).toEqual(['lastBeatAt', 'ok', 'role', 'stale']);
    const signals = body.heartbeats.find((h) => h.role === 'signals')!;
    expect(signals.ok).toBe(true);
    expect(typeof signals.lastBeatAt).toBe('number');
    // Nothing about strategies, signals, code version or configuration leaks to an unauthenticated caller.
    expect(text).not.toContain('BUY');
    expect(text).not.toContain('nexara-baseline');
    expect(text).not.toMatch(/codeVersion|accessBypass|telegram|"env"/);
    expect(text).not.toContain(env.DATABASE_URL);
  });

  it('the details move behind Access: /api/status is 401 without a token and carries them with one', async () => {
    const anon = await exports.default.fetch('http://lab.local/api/status');
    expect(anon.status).toBe(401);
    await anon.arrayBuffer();
    const res = await exports.default.fetch(new Request('http://lab.local/api/status', { headers: await accessHeaders() }));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const body = JSON.parse(text) as { codeVersion: string; config: { access: boolean }; heartbeats: { role: string; lastBeat: { detail: string } | null }[] };
    expect(body.codeVersion).toBe('test');
    expect(body.config.access).toBe(true);
    expect(body.heartbeats.find((h) => h.role === 'signals')?.lastBeat?.detail).toBe(SECRET_DETAIL);
    expect(text).not.toContain(env.DATABASE_URL);
  });
});

describe('GET /api/health shows alerts that failed delivery', () => {
  it('counts a dead and an uncertain alert until they are gone', async () => {
    const config = getConfig(env);
    await withDb(config, (db) =>
      db.insert(alerts).values([
        { dedupeKey: 'health-test:dead', message: 'x', status: 'dead', attempts: 6, lastError: 'HTTP 500' },
        { dedupeKey: 'health-test:uncertain', message: 'x', status: 'uncertain', attempts: 1, lastError: 'sent write failed' },
      ]),
    );
    try {
      const body = (await (await exports.default.fetch('http://lab.local/api/health')).json()) as { alerts: { undelivered: Record<string, number> } };
      expect(body.alerts.undelivered.dead).toBeGreaterThanOrEqual(1);
      expect(body.alerts.undelivered.uncertain).toBeGreaterThanOrEqual(1);
    } finally {
      await withDb(config, async (db) => {
        await db.delete(alerts).where(eq(alerts.dedupeKey, 'health-test:dead'));
        await db.delete(alerts).where(eq(alerts.dedupeKey, 'health-test:uncertain'));
      });
    }
  });
});
