/**
 * The live loop, read-only: `GET /api/signals`, `GET /api/alerts` (with delivery state), `GET /api/heartbeats`
 * and `GET /api/dashboard` (latest kernel events — the entries and exits the alerts carry —, latest signals and
 * alerts, heartbeats, data freshness per stored series).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { listSeries } from '../../../shared/db/queries/candles';
import { alertStatusCounts, listAlerts, listSignals } from '../../../shared/db/queries/lab-live';
import { kernelEventSchema, listKernelEvents } from '../../../shared/db/queries/kernel-events';
import { TIMEFRAME_MS, type Timeframe } from '../../../shared/candles/timeframe';
import { allHeartbeats, type HeartbeatStatus } from '../../heartbeat/monitor';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { cursorParam, intCursor, limitParam, listOf, pageOf, parseQuery, symbolParam, timeframeParam, venueParam } from './common';

const strategyIdParam = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'strategy id (kebab-case)');

export const signalsQuery = z.object({
  limit: limitParam(),
  cursor: cursorParam,
  strategy: strategyIdParam.optional(),
  venue: venueParam.optional(),
  symbol: symbolParam.optional(),
  timeframe: timeframeParam.optional(),
  action: z.enum(['BUY', 'SELL', 'EXIT']).optional(),
  mode: z.enum(['live', 'paper']).optional(),
});

export const signalSchema = z.object({
  id: z.number().int(),
  strategyId: z.string(),
  strategyVersion: z.string(),
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  candleOpenTime: z.number().int(),
  candleCloseTime: z.number().int(),
  action: z.string(),
  price: z.number(),
  reason: z.string(),
  mode: z.string(),
  computedAt: z.string(),
  sentAt: z.string().nullable(),
});

export const alertsQuery = z.object({
  limit: limitParam(),
  cursor: cursorParam,
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'dead', 'uncertain', 'muted']).optional(),
  channel: z.string().regex(/^[a-z]{1,20}$/).optional(),
  signal: z.coerce.number().int().positive().optional().describe('Only alerts of this signal id'),
});

export const alertSchema = z.object({
  id: z.number().int(),
  signalId: z.number().int().nullable(),
  dedupeKey: z.string(),
  channel: z.string(),
  status: z.string().describe('Delivery state: pending | sending | sent | failed | dead | uncertain (Telegram may have it; never resent) | muted'),
  attempts: z.number().int(),
  message: z.string(),
  lastError: z.string().nullable(),
  externalId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().nullable(),
  event: kernelEventSchema.nullable().describe('The kernel event (entry / exit with kind and fill price) a position alert carries; null for other alerts'),
  signal: z
    .object({
      strategyId: z.string(),
      venue: z.string(),
      symbol: z.string(),
      timeframe: z.string(),
      action: z.string(),
      price: z.number(),
      candleOpenTime: z.number().int(),
    })
    .nullable(),
});

const beatSchema = z.object({ at: z.number(), ok: z.boolean(), detail: z.string(), metrics: z.record(z.string(), z.number()) });
export const heartbeatSchema = z.object({
  role: z.string().nullable(),
  lastBeat: beatSchema.nullable(),
  lastOkAt: z.number().nullable(),
  stale: z.boolean(),
  staleSince: z.number().nullable(),
  staleAfterMs: z.number().nullable(),
  alertsRaised: z.number(),
  recoveriesRaised: z.number(),
  beats: z.array(beatSchema),
});

export const heartbeatsQuery = z.object({
  beats: z.coerce.number().int().min(0).max(50).default(10).describe('Recent beats per role (0..50)'),
});

export const freshnessSchema = z.object({
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  count: z.number().int(),
  first: z.number().int(),
  last: z.number().int(),
  /** ms since the newest stored candle closed. */
  lagMs: z.number(),
  fresh: z.boolean(),
});

export const dashboardQuery = z.object({
  signals: z.coerce.number().int().min(0).max(100).default(20).describe('Latest signals to include'),
  alerts: z.coerce.number().int().min(0).max(100).default(20).describe('Latest alerts to include'),
  events: z.coerce.number().int().min(0).max(100).default(20).describe('Latest kernel events (entries and exits alerted) to include'),
});

const kernelEventOutSchema = z.object({ alertId: z.number().int(), status: z.string(), createdAt: z.string(), event: kernelEventSchema });

export const dashboardSchema = z.object({
  now: z.number(),
  events: z.array(kernelEventOutSchema).describe('The execution kernel events the alerts carry, newest fill first'),
  signals: z.array(signalSchema),
  alerts: z.array(alertSchema),
  alertCounts: z.record(z.string(), z.number()),
  heartbeats: z.union([z.array(heartbeatSchema), z.object({ error: z.string() })]),
  freshness: z.array(freshnessSchema),
});

const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

function signalOut<T extends { computedAt: Date; sentAt: Date | null }>(s: T) {
  return { ...s, computedAt: s.computedAt.toISOString(), sentAt: isoOrNull(s.sentAt) };
}

function alertOut<T extends { createdAt: Date; updatedAt: Date; sentAt: Date | null }>(a: T) {
  return { ...a, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(), sentAt: isoOrNull(a.sentAt) };
}

function trimBeats(h: HeartbeatStatus, n: number): HeartbeatStatus {
  return { ...h, beats: n === 0 ? [] : h.beats.slice(-n) };
}

export const signalRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, signalsQuery);
  const rows = await listSignals(c.var.getDb(), { ...q, beforeId: intCursor(q.cursor) }, q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => String(r.id));
  return c.json({ items: page.items.map(signalOut), page: page.page });
});

export const alertRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, alertsQuery);
  const rows = await listAlerts(c.var.getDb(), { status: q.status, channel: q.channel, signalId: q.signal, beforeId: intCursor(q.cursor) }, q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => String(r.id));
  return c.json({ items: page.items.map(alertOut), page: page.page });
});

export const heartbeatRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, heartbeatsQuery);
  const all = await allHeartbeats(c.env);
  return c.json({ items: all.map((h) => trimBeats(h, q.beats)) });
});

export const dashboardRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, dashboardQuery);
  const db = c.var.getDb();
  const now = Date.now();
  // Sequential on purpose: one pooled connection per request (the embedded database admits one session at a time).
  const events = q.events ? (await listKernelEvents(db, q.events)).items : [];
  const signals = q.signals ? await listSignals(db, {}, q.signals) : [];
  const alerts = q.alerts ? await listAlerts(db, {}, q.alerts) : [];
  const alertCounts = await alertStatusCounts(db);
  const series = await listSeries(db);
  let heartbeats: HeartbeatStatus[] | { error: string };
  try {
    heartbeats = (await allHeartbeats(c.env)).map((h) => trimBeats(h, 5));
  } catch (err) {
    heartbeats = { error: (err as Error).message };
  }
  const freshness = series.map((s) => {
    const tf = TIMEFRAME_MS[s.timeframe as Timeframe] ?? 0;
    const lagMs = now - (s.last + tf);
    return { ...s, lagMs, fresh: lagMs <= 2 * tf };
  });
  return c.json({ now, events: events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), signals: signals.map(signalOut), alerts: alerts.map(alertOut), alertCounts, heartbeats, freshness });
});

documentRoutes([
  { method: 'get', path: '/api/signals', tag: 'live', summary: 'Signals, newest first (keyset-paged)', query: signalsQuery, response: listOf(signalSchema) },
  { method: 'get', path: '/api/alerts', tag: 'live', summary: 'Alerts with their delivery state, newest first', query: alertsQuery, response: listOf(alertSchema) },
  {
    method: 'get',
    path: '/api/heartbeats',
    tag: 'live',
    summary: 'Heartbeat status of every worker role',
    query: heartbeatsQuery,
    response: z.object({ items: z.array(heartbeatSchema) }),
  },
  {
    method: 'get',
    path: '/api/dashboard',
    tag: 'live',
    summary: 'Latest kernel events (entries / exits alerted), signals and alerts, alert counts by state, heartbeats, data freshness per series',
    query: dashboardQuery,
    response: dashboardSchema,
  },
]);
