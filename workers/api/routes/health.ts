/**
 * Health, in two tiers.
 *
 * `GET /api/health` (open, no Access): liveness only — database up, migration current, per role `{ role, ok,
 * stale, lastBeatAt }`, and counts of alerts not delivered in the last 7 days by status (including `uncertain`:
 * Telegram accepted the message but the `sent` write failed; never resent automatically). Nothing that describes
 * the strategies, signals, paper accounts, code version or configuration: an unauthenticated caller learns only
 * whether the platform is alive.
 *
 * `GET /api/status` (behind Access): the same plus the details — each role's last beat (detail text, metrics),
 * the code version, the environment, the database latency and error text, and the configuration as booleans.
 * Never echoes a secret.
 */
import { Hono, type Context } from 'hono';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import journal from '../../../migrations/meta/_journal.json';
import { allHeartbeats, type HeartbeatStatus } from '../../heartbeat/monitor';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

const entries = (journal as { entries: JournalEntry[] }).entries;
const expected = entries.at(-1);

/** Alert statuses that count as "not delivered" (health shows each count). */
export const UNDELIVERED_STATUSES = ['failed', 'dead', 'pending', 'sending', 'uncertain'] as const;

interface Probe {
  database: { ok: boolean; latencyMs: number; error?: string };
  migration: { latest: string | null; expected: string | null; upToDate: boolean };
  heartbeats: HeartbeatStatus[] | { error: string };
  alerts: { undelivered: Record<string, number>; oldestUndeliveredAt: string | null } | { error: string };
}

async function probe(c: Context<AppEnv>): Promise<Probe> {
  const started = Date.now();
  let database: Probe['database'] = { ok: false, latencyMs: 0 };
  let migration: Probe['migration'] = { latest: null, expected: expected?.tag ?? null, upToDate: false };
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
  let heartbeats: Probe['heartbeats'];
  try {
    heartbeats = await allHeartbeats(c.env);
  } catch (err) {
    heartbeats = { error: (err as Error).message };
  }
  let alerts: Probe['alerts'] = { undelivered: {}, oldestUndeliveredAt: null };
  if (database.ok) {
    try {
      const rows = await c.var.getDb().execute<{ status: string; n: number; oldest: string | null }>(
        sql`SELECT status, count(*)::int AS n, min(created_at)::text AS oldest FROM alerts
            WHERE status IN (${sql.join(UNDELIVERED_STATUSES.map((s) => sql`${s}`), sql`, `)}) AND created_at > now() - interval '7 days'
            GROUP BY status`,
      );
      const list = rows.rows;
      alerts = {
        undelivered: Object.fromEntries(list.map((r) => [r.status, Number(r.n)])),
        oldestUndeliveredAt: list.map((r) => r.oldest).filter((x): x is string => Boolean(x)).sort()[0] ?? null,
      };
    } catch (err) {
      alerts = { error: (err as Error).message.slice(0, 200) };
    }
  }
  return { database, migration, heartbeats, alerts };
}

const liveness = (h: HeartbeatStatus) => ({
  role: h.role,
  ok: h.lastBeat ? h.lastBeat.ok && !h.stale && !h.failing : false,
  stale: h.stale,
  lastBeatAt: h.lastBeat?.at ?? null,
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean() }),
  migration: z.object({ upToDate: z.boolean() }),
  heartbeats: z.array(z.object({ role: z.string().nullable(), ok: z.boolean(), stale: z.boolean(), lastBeatAt: z.number().nullable() })),
  alerts: z.object({ undelivered: z.record(z.string(), z.number()) }),
});

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const p = await probe(c);
  const ok = p.database.ok && p.migration.upToDate;
  return c.json(
    {
      status: ok ? 'ok' : 'degraded',
      database: { ok: p.database.ok },
      migration: { upToDate: p.migration.upToDate },
      heartbeats: Array.isArray(p.heartbeats) ? p.heartbeats.map(liveness) : [],
      alerts: { undelivered: 'undelivered' in p.alerts ? p.alerts.undelivered : {} },
    },
    ok ? 200 : 503,
  );
});

export const statusRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const config = c.get('config');
  const p = await probe(c);
  const ok = p.database.ok && p.migration.upToDate;
  return c.json({
    status: ok ? 'ok' : 'degraded',
    env: config.APP_ENV,
    codeVersion: config.CODE_VERSION ?? null,
    database: p.database,
    migration: p.migration,
    heartbeats: Array.isArray(p.heartbeats)
      ? p.heartbeats.map((h) => ({ ...liveness(h), lastBeat: h.lastBeat, lastOkAt: h.lastOkAt, staleSince: h.staleSince, failing: h.failing, failingSince: h.failingSince }))
      : p.heartbeats,
    alerts: p.alerts,
    config: {
      telegram: config.telegramEnabled,
      access: Boolean(config.ACCESS_TEAM_DOMAIN && config.ACCESS_AUD),
      accessBypass: config.accessBypass,
      accessBypassRefused: config.accessBypassRefused,
      ingestSeries: config.INGEST_SERIES.length,
    },
  });
});

documentRoutes([
  { method: 'get', path: '/api/health', tag: 'system', summary: 'Liveness only (open): database, migration, per-role ok/stale, undelivered alert counts', response: healthSchema },
  { method: 'get', path: '/api/status', tag: 'system', summary: 'Health with details (Access): last beats, code version, database latency, configuration flags' },
]);
