/**
 * Paper trading storage: accounts (one per strategy and series, created idempotently, locked per update so a cron
 * double-fire serialises), fills (unique per signal), daily rows (unique per account and UTC day), the candles each
 * account stepped (unique per account and candle), the classified paper-vs-replay divergences (unique per account,
 * day, candle and class), the divergence alert row (unique per dedupe key), and the reads the API and the daily
 * comparison need.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import {
  alerts,
  paperAccounts,
  paperCandles,
  paperDaily,
  paperDivergences,
  paperFills,
  signals,
  strategies,
  type NewPaperDivergenceRow,
  type NewPaperFillRow,
  type PaperAccountRow,
  type PaperCandleRow,
  type PaperDailyRow,
  type PaperDivergenceRow,
  type PaperFillRow,
  type SignalRow,
} from '../schema';
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

/** Record the candles an account stepped (as it saw them) and when; a candle already recorded keeps its first record. */
export async function insertPaperCandles(db: Database, rows: readonly PaperCandleRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db.insert(paperCandles).values(rows.slice(i, i + 1000)).onConflictDoNothing();
  }
}

/** The candles an account stepped with open time in [from, to), oldest first. */
export async function paperCandlesBetween(db: Database, accountId: number, from: number, to: number): Promise<PaperCandleRow[]> {
  return db
    .select()
    .from(paperCandles)
    .where(and(eq(paperCandles.accountId, accountId), gte(paperCandles.openTime, from), lt(paperCandles.openTime, to)))
    .orderBy(asc(paperCandles.openTime));
}

/** Open time of the first candle the account stepped, or null (an account stepped before candles were recorded). */
export async function firstPaperCandleTime(db: Database, accountId: number): Promise<number | null> {
  const [row] = await db
    .select({ t: sql<string | null>`min(${paperCandles.openTime})` })
    .from(paperCandles)
    .where(eq(paperCandles.accountId, accountId));
  return row?.t === null || row?.t === undefined ? null : Number(row.t);
}

/** The account's fills with fill time in [from, to), oldest first. */
export async function paperFillsBetween(db: Database, accountId: number, from: number, to: number): Promise<PaperFillRow[]> {
  return db
    .select()
    .from(paperFills)
    .where(and(eq(paperFills.accountId, accountId), gte(paperFills.time, from), lt(paperFills.time, to)))
    .orderBy(asc(paperFills.time), asc(paperFills.id));
}

/** Insert classified divergences; a row already there for (account, day, candle, class) is kept. Returns how many were new. */
export async function insertPaperDivergences(db: Database, rows: readonly NewPaperDivergenceRow[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const out = await db.insert(paperDivergences).values(rows.slice(i, i + 500)).onConflictDoNothing().returning({ id: paperDivergences.id });
    n += out.length;
  }
  return n;
}

/** The newest divergences (newest day, then candle time), optionally of some accounts only. */
export async function recentPaperDivergences(db: Database, limit: number, accountIds?: readonly number[]): Promise<PaperDivergenceRow[]> {
  if (accountIds && !accountIds.length) return [];
  return db
    .select()
    .from(paperDivergences)
    .where(accountIds ? inArray(paperDivergences.accountId, [...accountIds]) : undefined)
    .orderBy(desc(paperDivergences.day), desc(paperDivergences.candleTime), asc(paperDivergences.kind))
    .limit(limit);
}

/** Divergence counts per class (all accounts, or some). */
export async function paperDivergenceCounts(db: Database, accountIds?: readonly number[]): Promise<Record<string, number>> {
  if (accountIds && !accountIds.length) return {};
  const rows = await db
    .select({ kind: paperDivergences.kind, n: sql<number>`count(*)::int` })
    .from(paperDivergences)
    .where(accountIds ? inArray(paperDivergences.accountId, [...accountIds]) : undefined)
    .groupBy(paperDivergences.kind);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

/**
 * Record a system alert row (the `system-alert` job's row: pending, unique per dedupe key and channel) so it is
 * sent once: by the system-alert job when one is enqueued, else by the cron's stuck-alert safety net.
 * Returns true when the row is new.
 */
export async function insertSystemAlertRow(db: Database, row: { dedupeKey: string; channel: string; message: string }): Promise<boolean> {
  const out = await db.insert(alerts).values({ ...row, status: 'pending' }).onConflictDoNothing().returning({ id: alerts.id });
  return out.length > 0;
}
