/**
 * GET /api/health: database reachable (with latency), latest applied migration vs the code's newest, the last
 * heartbeat per worker role, and alerts not (yet) delivered in the last 7 days by status (failed, dead …).
 * Never echoes a secret: configuration appears only as booleans.
 */
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import journal from '../../../migrations/meta/_journal.json';
import { allHeartbeats } from '../../heartbeat/monitor';
import type { AppEnv } from '../app';

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

const entries = (journal as { entries: JournalEntry[] }).entries;
const expected = entries.at(-1);

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const config = c.get('config');
  const started = Date.now();
  let database: { ok: boolean; latencyMs: number; error?: string } = { ok: false, latencyMs: 0 };
  let migration: { latest: string | null; expected: string | null; upToDate: boolean } = {
    latest: null,
    expected: expected?.tag ?? null,
    upToDate: false,
  };
  try {
    const rows = await c.var.getDb().execute<{ created_at: string | number }>(
      sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
    );
    database = { ok: true, latencyMs: Date.now() - started };
    const when = rows.rows[0] ? Number(rows.rows[0].created_at) : null;
    const latest = entries.find((e) => e.when === when) ?? null;
    migration = { latest: latest?.tag ?? null, expected: expected?.tag ?? null, upToDate: latest?.tag === expected?.tag };
  } catch (err) {
    database = { ok: false, latencyMs: Date.now() - started, error: (err as Error).message.slice(0, 200) };
  }
  let heartbeats: Awaited<ReturnType<typeof allHeartbeats>> | { error: string };
  try {
    heartbeats = await allHeartbeats(c.env);
  } catch (err) {
    heartbeats = { error: (err as Error).message };
  }
  // Alert delivery: anything not delivered (failed and retrying, or dead after its retries) is reported here.
  let alertsOut: { undelivered: Record<string, number>; oldestUndeliveredAt: string | null } | { error: string } = {
    undelivered: {},
    oldestUndeliveredAt: null,
  };
  if (database.ok) {
    try {
      const rows = await c.var.getDb().execute<{ status: string; n: number; oldest: string | null }>(
        sql`SELECT status, count(*)::int AS n, min(created_at)::text AS oldest FROM alerts
            WHERE status IN ('failed', 'dead', 'pending', 'sending') AND created_at > now() - interval '7 days'
            GROUP BY status`,
      );
      const list = rows.rows;
      alertsOut = {
        undelivered: Object.fromEntries(list.map((r) => [r.status, Number(r.n)])),
        oldestUndeliveredAt: list.map((r) => r.oldest).filter((x): x is string => Boolean(x)).sort()[0] ?? null,
      };
    } catch (err) {
      alertsOut = { error: (err as Error).message.slice(0, 200) };
    }
  }
  const ok = database.ok && migration.upToDate;
  return c.json(
    {
      status: ok ? 'ok' : 'degraded',
      env: config.APP_ENV,
      codeVersion: config.CODE_VERSION ?? null,
      database,
      migration,
      heartbeats: Array.isArray(heartbeats)
        ? heartbeats.map((h) => ({ role: h.role, lastBeat: h.lastBeat, stale: h.stale, staleSince: h.staleSince }))
        : heartbeats,
      alerts: alertsOut,
      config: {
        telegram: config.telegramEnabled,
        access: Boolean(config.ACCESS_TEAM_DOMAIN && config.ACCESS_AUD),
        accessBypass: config.accessBypass,
        ingestSeries: config.INGEST_SERIES.length,
      },
    },
    ok ? 200 : 503,
  );
});
