/**
 * Data-quality reads for the Lab: gaps per stored series computed in the database (window function over the
 * series key, so no open times travel to the Worker), one series' gap list paged, quarantined rows (data_issues)
 * paged, and cheap existence probes used to pick the base timeframe for on-read aggregation.
 */
import { sql } from 'drizzle-orm';
import type { SeriesKey } from '../../candles/candle';
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../../candles/timeframe';
import { rowsOf, type Database } from '../database';

const TF_MS_SQL = sql.raw(`CASE timeframe ${TIMEFRAMES.map((t) => `WHEN '${t}' THEN ${TIMEFRAME_MS[t]}`).join(' ')} END`);

export interface GapSummary extends SeriesKey {
  gaps: number;
  missing: number;
  largestMissing: number;
}

/** Interior gaps of every stored series: how many, candles missing in total, the largest. */
export async function gapSummaries(db: Database): Promise<GapSummary[]> {
  const res = await db.execute(sql`
    SELECT venue, symbol, timeframe, count(*)::int AS gaps, coalesce(sum(missing), 0)::bigint AS missing,
           coalesce(max(missing), 0)::bigint AS largest
    FROM (
      SELECT venue, symbol, timeframe,
             (lead(open_time) OVER w - open_time) / ${TF_MS_SQL} - 1 AS missing
      FROM candles
      WINDOW w AS (PARTITION BY venue, symbol, timeframe ORDER BY open_time)
    ) t
    WHERE missing > 0
    GROUP BY venue, symbol, timeframe`);
  return rowsOf<Record<string, unknown>>(res).map((r) => ({
    venue: String(r.venue),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe) as Timeframe,
    gaps: Number(r.gaps),
    missing: Number(r.missing),
    largestMissing: Number(r.largest),
  }));
}

export interface GapRow {
  /** Open time of the first missing candle. */
  from: number;
  /** Open time of the next present candle (exclusive end). */
  to: number;
  missing: number;
}

/** Interior gaps of one series with `from` > afterFrom, oldest first. */
export async function seriesGaps(db: Database, key: SeriesKey, afterFrom: number | null, limit: number): Promise<GapRow[]> {
  const ms = TIMEFRAME_MS[key.timeframe];
  const res = await db.execute(sql`
    SELECT open_time + ${ms} AS gap_from, nxt AS gap_to FROM (
      SELECT open_time, lead(open_time) OVER (ORDER BY open_time) AS nxt
      FROM candles WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
    ) t
    WHERE nxt - open_time > ${ms} AND open_time + ${ms} > ${afterFrom ?? -1}
    ORDER BY open_time LIMIT ${limit}`);
  return rowsOf<Record<string, unknown>>(res).map((r) => {
    const from = Number(r.gap_from);
    const to = Number(r.gap_to);
    return { from, to, missing: (to - from) / ms };
  });
}

export interface DataIssueOut {
  id: number;
  openTime: number | null;
  reason: string;
  detail: string;
  raw: unknown;
  source: string;
  createdAt: string;
}

/** Quarantined/rejected rows of one series, newest id first, with id < beforeId. */
export async function listDataIssues(db: Database, key: SeriesKey, beforeId: number | null, limit: number): Promise<DataIssueOut[]> {
  const res = await db.execute(sql`
    SELECT id, open_time, reason, detail, raw, source, created_at FROM data_issues
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
      AND id < ${beforeId ?? Number.MAX_SAFE_INTEGER}
    ORDER BY id DESC LIMIT ${limit}`);
  return rowsOf<Record<string, unknown>>(res).map((r) => ({
    id: Number(r.id),
    openTime: r.open_time === null ? null : Number(r.open_time),
    reason: String(r.reason),
    detail: String(r.detail),
    raw: typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw,
    source: String(r.source),
    createdAt: new Date(r.created_at as string).toISOString(),
  }));
}

/** Does the series hold any candle in [from, to) (any at all when no window)? One index probe. */
export async function hasCandles(db: Database, key: SeriesKey, from?: number, to?: number): Promise<boolean> {
  const res = await db.execute(sql`
    SELECT 1 AS x FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
      AND open_time >= ${from ?? 0} AND open_time < ${to ?? Number.MAX_SAFE_INTEGER}
    LIMIT 1`);
  return rowsOf(res).length > 0;
}

/** Count, first and last open time of one series (null first/last when empty). */
export async function seriesStats(db: Database, key: SeriesKey): Promise<{ count: number; first: number | null; last: number | null }> {
  const res = await db.execute(sql`
    SELECT count(*)::int AS n, min(open_time) AS first, max(open_time) AS last FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}`);
  const r = rowsOf<Record<string, unknown>>(res)[0] ?? {};
  return { count: Number(r.n ?? 0), first: r.first == null ? null : Number(r.first), last: r.last == null ? null : Number(r.last) };
}
