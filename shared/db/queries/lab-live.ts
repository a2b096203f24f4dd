/**
 * Read queries of the live loop for the Lab API: signals and alerts (with their delivery state), newest first,
 * keyset-paged by id.
 */
import { and, count, desc, eq, lt, type SQL } from 'drizzle-orm';
import { alerts, signals, type AlertRow, type SignalRow } from '../schema';
import type { Database } from '../database';

export interface SignalFilter {
  strategy?: string;
  venue?: string;
  symbol?: string;
  timeframe?: string;
  action?: string;
  mode?: string;
  /** Rows with id < beforeId (keyset cursor). */
  beforeId?: number | null;
}

/** Up to `limit` signals, newest id first. */
export async function listSignals(db: Database, f: SignalFilter, limit: number): Promise<SignalRow[]> {
  const where: SQL[] = [];
  if (f.strategy) where.push(eq(signals.strategyId, f.strategy));
  if (f.venue) where.push(eq(signals.venue, f.venue));
  if (f.symbol) where.push(eq(signals.symbol, f.symbol));
  if (f.timeframe) where.push(eq(signals.timeframe, f.timeframe));
  if (f.action) where.push(eq(signals.action, f.action));
  if (f.mode) where.push(eq(signals.mode, f.mode));
  if (f.beforeId != null) where.push(lt(signals.id, f.beforeId));
  return db
    .select()
    .from(signals)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(signals.id))
    .limit(limit);
}

export interface AlertWithSignal extends AlertRow {
  signal: Pick<SignalRow, 'strategyId' | 'venue' | 'symbol' | 'timeframe' | 'action' | 'price' | 'candleOpenTime'> | null;
}

export interface AlertFilter {
  status?: string;
  channel?: string;
  signalId?: number;
  beforeId?: number | null;
}

/** Up to `limit` alerts, newest id first, each with the few signal fields a list shows. */
export async function listAlerts(db: Database, f: AlertFilter, limit: number): Promise<AlertWithSignal[]> {
  const where: SQL[] = [];
  if (f.status) where.push(eq(alerts.status, f.status));
  if (f.channel) where.push(eq(alerts.channel, f.channel));
  if (f.signalId != null) where.push(eq(alerts.signalId, f.signalId));
  if (f.beforeId != null) where.push(lt(alerts.id, f.beforeId));
  const rows = await db
    .select({
      alert: alerts,
      strategyId: signals.strategyId,
      venue: signals.venue,
      symbol: signals.symbol,
      timeframe: signals.timeframe,
      action: signals.action,
      price: signals.price,
      candleOpenTime: signals.candleOpenTime,
    })
    .from(alerts)
    .leftJoin(signals, eq(signals.id, alerts.signalId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(alerts.id))
    .limit(limit);
  return rows.map((r) => ({
    ...r.alert,
    signal:
      r.strategyId === null
        ? null
        : {
            strategyId: r.strategyId,
            venue: r.venue!,
            symbol: r.symbol!,
            timeframe: r.timeframe!,
            action: r.action!,
            price: r.price!,
            candleOpenTime: r.candleOpenTime!,
          },
  }));
}

/** Alerts per delivery status (pending, sending, sent, failed, dead). */
export async function alertStatusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db.select({ status: alerts.status, n: count() }).from(alerts).groupBy(alerts.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
