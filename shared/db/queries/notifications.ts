/**
 * Storage of the operator notifications: the muted kinds (`notification_mutes`), and the reads the notification
 * stage needs — a day's paper_daily rows with their accounts, each paper account's equity history (initial, daily
 * closes, current), and the strategy status changes of the last day. A muted strategy (`strategies.muted`, the
 * bot's `/mute <strategy>`) is left out of all three: muting a strategy silences every alert about it.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { notificationMutes, paperAccounts, paperDaily, strategies, strategyStatusChanges } from '../schema';
import type { Database } from '../database';

export interface MuteRow {
  kind: string;
  mutedBy: string;
  createdAt: Date;
}

export async function listMutes(db: Database): Promise<MuteRow[]> {
  return db.select().from(notificationMutes).orderBy(asc(notificationMutes.kind));
}

export async function mutedKinds(db: Database): Promise<Set<string>> {
  return new Set((await db.select({ kind: notificationMutes.kind }).from(notificationMutes)).map((r) => r.kind));
}

export async function isKindMuted(db: Database, kind: string): Promise<boolean> {
  const rows = await db.select({ kind: notificationMutes.kind }).from(notificationMutes).where(eq(notificationMutes.kind, kind)).limit(1);
  return rows.length > 0;
}

/** Mute (idempotent: the first muter is kept) or unmute a kind; returns whether anything changed. */
export async function setKindMuted(db: Database, kind: string, muted: boolean, by: string): Promise<boolean> {
  if (muted) {
    const out = await db.insert(notificationMutes).values({ kind, mutedBy: by }).onConflictDoNothing().returning({ kind: notificationMutes.kind });
    return out.length > 0;
  }
  const out = await db.delete(notificationMutes).where(eq(notificationMutes.kind, kind)).returning({ kind: notificationMutes.kind });
  return out.length > 0;
}

export interface DayAccountRow {
  accountId: number;
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: string;
  initialEquity: number;
  equity: number;
  pnl: number;
  fills: number;
  divergences: number;
}

export async function paperDayRows(db: Database, day: number): Promise<DayAccountRow[]> {
  return db
    .select({
      accountId: paperDaily.accountId,
      strategyId: paperAccounts.strategyId,
      venue: paperAccounts.venue,
      symbol: paperAccounts.symbol,
      timeframe: paperAccounts.timeframe,
      initialEquity: paperAccounts.initialEquity,
      equity: paperDaily.equity,
      pnl: paperDaily.pnl,
      fills: paperDaily.fills,
      divergences: paperDaily.divergences,
    })
    .from(paperDaily)
    .innerJoin(paperAccounts, eq(paperAccounts.id, paperDaily.accountId))
    .innerJoin(strategies, eq(strategies.id, paperAccounts.strategyId))
    .where(and(eq(paperDaily.day, day), eq(strategies.muted, false)))
    .orderBy(asc(paperAccounts.strategyId), asc(paperAccounts.venue), asc(paperAccounts.symbol), asc(paperAccounts.timeframe));
}

export interface AccountEquityHistory {
  accountId: number;
  label: string;
  initialEquity: number;
  since: number;
  equity: number;
  /** Daily closes, oldest first. */
  days: { day: number; equity: number }[];
}

export async function paperEquityHistories(db: Database): Promise<AccountEquityHistory[]> {
  const accounts = (
    await db.select({ a: paperAccounts }).from(paperAccounts).innerJoin(strategies, eq(strategies.id, paperAccounts.strategyId)).where(eq(strategies.muted, false)).orderBy(asc(paperAccounts.id))
  ).map((r) => r.a);
  if (accounts.length === 0) return [];
  const days = await db.select({ accountId: paperDaily.accountId, day: paperDaily.day, equity: paperDaily.equity }).from(paperDaily).orderBy(asc(paperDaily.accountId), asc(paperDaily.day));
  return accounts.map((a) => ({
    accountId: a.id,
    label: `${a.strategyId} ${a.venue} ${a.symbol} ${a.timeframe}`,
    initialEquity: a.initialEquity,
    since: a.since,
    equity: a.equity,
    days: days.filter((d) => d.accountId === a.id).map((d) => ({ day: d.day, equity: d.equity })),
  }));
}

export interface StatusChange {
  id: number;
  strategyId: string;
  fromStatus: string;
  toStatus: string;
  reason: string;
  createdAt: Date;
}

/** Status changes recorded in the last `withinSeconds` (wall clock: they are written at decision time). */
export async function recentStatusChanges(db: Database, withinSeconds: number): Promise<StatusChange[]> {
  return db
    .select({
      id: strategyStatusChanges.id,
      strategyId: strategyStatusChanges.strategyId,
      fromStatus: strategyStatusChanges.fromStatus,
      toStatus: strategyStatusChanges.toStatus,
      reason: strategyStatusChanges.reason,
      createdAt: strategyStatusChanges.createdAt,
    })
    .from(strategyStatusChanges)
    .innerJoin(strategies, eq(strategies.id, strategyStatusChanges.strategyId))
    .where(and(gt(strategyStatusChanges.createdAt, sql`now() - make_interval(secs => ${withinSeconds})`), eq(strategies.muted, false)))
    .orderBy(asc(strategyStatusChanges.id));
}
