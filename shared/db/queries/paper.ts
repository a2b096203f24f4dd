/**
 * Paper trading storage: accounts (one per strategy and series, created idempotently, locked per update so a cron
 * double-fire serialises), fills (unique per signal), daily rows (unique per account and UTC day), and the reads
 * the API and the daily comparison need.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { paperAccounts, paperDaily, paperFills, signals, strategies, type NewPaperFillRow, type PaperAccountRow, type PaperDailyRow, type PaperFillRow, type SignalRow } from '../schema';
import type { Database } from '../database';

export interface PaperKey {
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: string;
}

const keyWhere = (k: PaperKey) =>
  and(eq(paperAccounts.strategyId, k.strategyId), eq(paperAccounts.venue, k.venue), eq(paperAccounts.symbol, k.symbol), eq(paperAccounts.timeframe, k.timeframe));

/** Ids of strategies in `paper` status. */
export async function paperStrategyIds(db: Database): Promise<string[]> {
  const rows = await db.select({ id: strategies.id }).from(strategies).where(eq(strategies.status, 'paper'));
  return rows.map((r) => r.id);
}

/** Create the account if missing (flat, equity = initial), then return it. */
export async function ensurePaperAccount(db: Database, k: PaperKey, init: { costPreset: string; initialEquity: number; since: number }): Promise<PaperAccountRow> {
  await db
    .insert(paperAccounts)
    .values({ ...k, costPreset: init.costPreset, initialEquity: init.initialEquity, equity: init.initialEquity, cash: init.initialEquity, since: init.since })
    .onConflictDoNothing();
  const [row] = await db.select().from(paperAccounts).where(keyWhere(k));
  return row!;
}

/** The account row locked for update (call inside a transaction). */
export async function lockPaperAccount(db: Database, id: number): Promise<PaperAccountRow | null> {
  const [row] = await db.select().from(paperAccounts).where(eq(paperAccounts.id, id)).for('update');
  return row ?? null;
}

/** The paper-mode signals of one account's series. */
function paperSignalsOf(k: PaperKey) {
  return and(
    eq(signals.strategyId, k.strategyId),
    eq(signals.venue, k.venue),
    eq(signals.symbol, k.symbol),
    eq(signals.timeframe, k.timeframe),
    eq(signals.mode, 'paper'),
  );
}

/** Paper-mode signals of the series with candle open time in (after, upTo], oldest first. */
export async function paperSignalsAfter(db: Database, k: PaperKey, after: number | null, upTo: number): Promise<SignalRow[]> {
  return db
    .select()
    .from(signals)
    .where(
      and(
        paperSignalsOf(k),
        after === null ? undefined : gt(signals.candleOpenTime, after),
        lte(signals.candleOpenTime, upTo),
      ),
    )
    .orderBy(asc(signals.candleOpenTime));
}

/** Paper-mode signals of the series with candle open time in [from, to). */
export async function paperSignalsBetween(db: Database, k: PaperKey, from: number, to: number): Promise<SignalRow[]> {
  return db
    .select()
    .from(signals)
    .where(
      and(
        paperSignalsOf(k),
        gte(signals.candleOpenTime, from),
        lt(signals.candleOpenTime, to),
      ),
    )
    .orderBy(asc(signals.candleOpenTime));
}

/** Insert fills; returns how many were new (a conflict means another cycle filled that signal). */
export async function insertPaperFills(db: Database, rows: readonly NewPaperFillRow[]): Promise<number> {
  if (!rows.length) return 0;
  const out = await db.insert(paperFills).values([...rows]).onConflictDoNothing().returning({ id: paperFills.id });
  return out.length;
}

export type PaperAccountUpdate = Partial<Omit<PaperAccountRow, 'id' | 'strategyId' | 'venue' | 'symbol' | 'timeframe' | 'createdAt' | 'updatedAt'>>;

export async function updatePaperAccount(db: Database, id: number, set: PaperAccountUpdate): Promise<void> {
  await db
    .update(paperAccounts)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(paperAccounts.id, id));
}

export async function hasPaperDay(db: Database, accountId: number, day: number): Promise<boolean> {
  const [row] = await db
    .select({ id: paperDaily.id })
    .from(paperDaily)
    .where(and(eq(paperDaily.accountId, accountId), eq(paperDaily.day, day)));
  return row !== undefined;
}

/** The newest daily row before `day` (for the day's PnL), or null. */
export async function previousPaperDay(db: Database, accountId: number, day: number): Promise<PaperDailyRow | null> {
  const [row] = await db
    .select()
    .from(paperDaily)
    .where(and(eq(paperDaily.accountId, accountId), lt(paperDaily.day, day)))
    .orderBy(desc(paperDaily.day))
    .limit(1);
  return row ?? null;
}

export async function countPaperFills(db: Database, accountId: number, from: number, to: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(paperFills)
    .where(and(eq(paperFills.accountId, accountId), gte(paperFills.time, from), lt(paperFills.time, to)));
  return Number(row?.n ?? 0);
}

/** Insert the day's row once; false when it was already there. */
export async function insertPaperDay(db: Database, row: typeof paperDaily.$inferInsert): Promise<boolean> {
  const out = await db.insert(paperDaily).values(row).onConflictDoNothing().returning({ id: paperDaily.id });
  return out.length > 0;
}

export async function listPaperAccounts(db: Database): Promise<PaperAccountRow[]> {
  return db.select().from(paperAccounts).orderBy(asc(paperAccounts.strategyId), asc(paperAccounts.venue), asc(paperAccounts.symbol), asc(paperAccounts.timeframe));
}

export async function getPaperAccount(db: Database, id: number): Promise<PaperAccountRow | null> {
  const [row] = await db.select().from(paperAccounts).where(eq(paperAccounts.id, id));
  return row ?? null;
}

export async function getPaperAccountByKey(db: Database, k: PaperKey): Promise<PaperAccountRow | null> {
  const [row] = await db.select().from(paperAccounts).where(keyWhere(k));
  return row ?? null;
}

/** The newest fills of each account (at most `perAccount` each), newest first. */
export async function recentPaperFills(db: Database, accountIds: readonly number[], perAccount: number): Promise<PaperFillRow[]> {
  if (!accountIds.length) return [];
  const res = await db
    .select()
    .from(paperFills)
    .where(
      and(
        inArray(paperFills.accountId, [...accountIds]),
        sql`${paperFills.id} IN (SELECT f.id FROM paper_fills f WHERE f.account_id = ${paperFills.accountId} ORDER BY f.time DESC, f.id DESC LIMIT ${perAccount})`,
      ),
    )
    .orderBy(asc(paperFills.accountId), desc(paperFills.time), desc(paperFills.id));
  return res;
}

/** The newest daily rows of each account (at most `perAccount` each), newest first. */
export async function recentPaperDays(db: Database, accountIds: readonly number[], perAccount: number): Promise<PaperDailyRow[]> {
  if (!accountIds.length) return [];
  return db
    .select()
    .from(paperDaily)
    .where(
      and(
        inArray(paperDaily.accountId, [...accountIds]),
        sql`${paperDaily.id} IN (SELECT d.id FROM paper_daily d WHERE d.account_id = ${paperDaily.accountId} ORDER BY d.day DESC LIMIT ${perAccount})`,
      ),
    )
    .orderBy(asc(paperDaily.accountId), desc(paperDaily.day));
}
