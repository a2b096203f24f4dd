/**
 * The bot's commands as small functions: query the database (drizzle) or the heartbeat Durable Objects, and
 * return the reply text. grammY parses the updates; these never see Telegram types.
 */
import { desc, eq, sql } from 'drizzle-orm';
import journal from '../../migrations/meta/_journal.json';
import { alerts, backtestRuns, strategies } from '../../shared/db/schema';
import type { Db } from '../db';
import type { AppConfig, Env } from '../env';
import { allHeartbeats, type HeartbeatStatus } from '../heartbeat/monitor';
import { listKernelEvents } from '../../shared/db/queries/kernel-events';
import {
  formatHealth,
  formatKernelEvents,
  formatRun,
  formatRuns,
  formatStatus,
  type SeriesFreshness,
} from './format';

export interface CommandDeps {
  env: Env;
  config: AppConfig;
  /** The request's database, opened on first use. */
  db: () => Db;
  now: () => number;
  labUrl: string | undefined;
}

export const DEFAULT_LIST = 5;
export const MAX_LIST = 20;

/** `/signals 7` → 7; missing or junk → the default; clamped to [1, MAX_LIST]. */
export function parseCount(arg: string | undefined, fallback = DEFAULT_LIST): number {
  const n = Number.parseInt((arg ?? '').trim().split(/\s+/)[0] ?? '', 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(MAX_LIST, Math.max(1, n));
}

/** The first word of a command's argument (`/mute  foo bar` → `foo`), or undefined. */
export function firstArg(arg: string | undefined): string | undefined {
  const w = (arg ?? '').trim().split(/\s+/)[0];
  return w ? w : undefined;
}

/** Last stored candle per configured series (one index probe each); without configured series, per stored series. */
export async function seriesFreshness(db: Db, config: AppConfig): Promise<SeriesFreshness[]> {
  const toRow = (r: Record<string, unknown>): SeriesFreshness => ({
    venue: String(r.venue),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe),
    lastOpenTime: r.last_open_time === null || r.last_open_time === undefined ? null : Number(r.last_open_time),
  });
  if (config.INGEST_SERIES.length > 0) {
    const res = await db.execute(sql`
      SELECT s.venue, s.symbol, s.timeframe,
             (SELECT max(c.open_time) FROM candles c
               WHERE c.venue = s.venue AND c.symbol = s.symbol AND c.timeframe = s.timeframe) AS last_open_time
        FROM jsonb_to_recordset(${JSON.stringify(config.INGEST_SERIES)}::jsonb) AS s(venue text, symbol text, timeframe text)`);
    return (res.rows as Record<string, unknown>[]).map(toRow);
  }
  const res = await db.execute(sql`
    SELECT venue, symbol, timeframe, max(open_time) AS last_open_time
      FROM candles GROUP BY venue, symbol, timeframe ORDER BY venue, symbol, timeframe LIMIT 20`);
  return (res.rows as Record<string, unknown>[]).map(toRow);
}

export async function statusText(deps: CommandDeps): Promise<string> {
  const now = deps.now();
  let heartbeats: HeartbeatStatus[] | { error: string };
  try {
    heartbeats = await allHeartbeats(deps.env);
  } catch (err) {
    heartbeats = { error: (err as Error).message };
  }
  const db = deps.db();
  const series = await seriesFreshness(db, deps.config);
  const recent = await listKernelEvents(db, 3);
  return formatStatus({ now, heartbeats, series, events: recent.items });
}

/** `/signals [n]`: the newest kernel events, the same entries and exits (kind, fill price) the alerts carried. */
export async function signalsText(deps: CommandDeps, n: number): Promise<string> {
  const r = await listKernelEvents(deps.db(), n);
  return formatKernelEvents(r.items, deps.labUrl, r.unreadable);
}

export async function runsText(deps: CommandDeps, n: number): Promise<string> {
  const rows = await deps.db().select().from(backtestRuns).orderBy(desc(backtestRuns.createdAt), desc(backtestRuns.id)).limit(n);
  return formatRuns(rows, deps.labUrl);
}

export async function runText(deps: CommandDeps, id: string | undefined): Promise<string> {
  if (!id) return 'Usage: /run <id> (ids are listed by /runs)';
  if (id.length > 200) return 'No such run.';
  const [row] = await deps.db().select().from(backtestRuns).where(eq(backtestRuns.id, id)).limit(1);
  if (!row) return `No run with id ${id}. Recent ids: /runs`;
  return formatRun(row, deps.labUrl);
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}
const journalEntries = (journal as { entries: JournalEntry[] }).entries;

export async function healthText(deps: CommandDeps): Promise<string> {
  const now = deps.now();
  const started = Date.now();
  const expected = journalEntries.at(-1)?.tag ?? null;
  let database: { ok: boolean; latencyMs: number; error?: string } = { ok: false, latencyMs: 0 };
  let migration = { latest: null as string | null, expected, upToDate: false };
  const alertCounts: Record<string, number> = {};
  try {
    const db = deps.db();
    const rows = await db.execute<{ created_at: string | number }>(
      sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
    );
    database = { ok: true, latencyMs: Date.now() - started };
    const when = rows.rows[0] ? Number(rows.rows[0].created_at) : null;
    const latest = journalEntries.find((e) => e.when === when)?.tag ?? null;
    migration = { latest, expected, upToDate: latest !== null && latest === expected };
    const counts = await db
      .select({ status: alerts.status, n: sql<number>`count(*)::int` })
      .from(alerts)
      .groupBy(alerts.status);
    for (const c of counts) alertCounts[c.status] = Number(c.n);
  } catch (err) {
    database = { ok: false, latencyMs: Date.now() - started, error: (err as Error).message };
  }
  let staleRoles: string[] = [];
  try {
    staleRoles = (await allHeartbeats(deps.env)).filter((h) => h.stale).map((h) => h.role ?? '?');
  } catch {
    staleRoles = ['(heartbeats unavailable)'];
  }
  return formatHealth({
    now,
    database,
    migration,
    alerts: alertCounts,
    staleRoles,
    codeVersion: deps.config.CODE_VERSION,
    env: deps.config.APP_ENV,
  });
}

/** `/mute <id>` and `/unmute <id>`: flips strategies.muted; an unknown id is said so (with a few known ids). */
export async function setMutedText(deps: CommandDeps, strategyId: string | undefined, muted: boolean): Promise<string> {
  const verb = muted ? 'mute' : 'unmute';
  if (!strategyId) return `Usage: /${verb} <strategy id>`;
  const db = deps.db();
  const updated = strategyId.length > 200
    ? []
    : await db
        .update(strategies)
        .set({ muted, updatedAt: sql`now()` })
        .where(eq(strategies.id, strategyId))
        .returning({ id: strategies.id });
  if (updated.length === 0) {
    const known = await db.select({ id: strategies.id }).from(strategies).orderBy(strategies.id).limit(10);
    const hint = known.length ? ` Known: ${known.map((k) => k.id).join(', ')}` : '';
    return `Unknown strategy: ${strategyId.slice(0, 200)}.${hint}`;
  }
  return muted
    ? `🔕 ${strategyId} muted: its signals are still recorded, no alerts are sent.`
    : `🔔 ${strategyId} unmuted: its alerts are sent again.`;
}
