/**
 * Candle storage queries. Bulk upserts bypass drizzle's `.values()` (≈10k rows/s, see platform facts) and send
 * one JSON parameter per batch through `json_to_recordset` with ON CONFLICT on the series key (≈38k rows/s).
 * An upsert only touches a row whose values changed, so re-importing the same data leaves the table identical
 * (ingested_at included), and the table hash proves it.
 */
import { sql } from 'drizzle-orm';
import type { Candle, SeriesKey } from '../../candles/candle';
import { rowsOf, type Database } from '../database';

export const UPSERT_BATCH = 5000;

export interface UpsertResult {
  /** Rows sent. */
  rows: number;
  /** Rows inserted or changed (unchanged duplicates are not counted). */
  written: number;
}

export async function upsertCandles(
  db: Database,
  key: SeriesKey,
  candles: readonly Candle[],
  source: string,
): Promise<UpsertResult> {
  let written = 0;
  for (let i = 0; i < candles.length; i += UPSERT_BATCH) {
    const batch = candles.slice(i, i + UPSERT_BATCH).map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]);
    const res = await db.execute(sql`
      INSERT INTO candles (venue, symbol, timeframe, open_time, open, high, low, close, volume, source)
      SELECT ${key.venue}, ${key.symbol}, ${key.timeframe}, (r->>0)::bigint, (r->>1)::float8, (r->>2)::float8,
             (r->>3)::float8, (r->>4)::float8, (r->>5)::float8, ${source}
      FROM json_array_elements(${JSON.stringify(batch)}::json) AS r
      ON CONFLICT (venue, symbol, timeframe, open_time) DO UPDATE
        SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
            volume = EXCLUDED.volume, source = EXCLUDED.source, ingested_at = now()
        WHERE (candles.open, candles.high, candles.low, candles.close, candles.volume)
              IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume)
    `);
    written += (res as { rowCount?: number | null }).rowCount ?? 0;
  }
  return { rows: candles.length, written };
}

/** A `candles` row as any driver returns it (bigint and float8 may arrive as strings). */
export type CandleDbRow = Record<'open_time' | 'open' | 'high' | 'low' | 'close' | 'volume', string | number>;

export function candleFromRow(r: CandleDbRow): Candle {
  return {
    openTime: Number(r.open_time),
    open: Number(r.open),
    high: Number(r.high),
    low: Number(r.low),
    close: Number(r.close),
    volume: Number(r.volume),
  };
}

/** Candles of a series with from <= openTime < to, oldest first. */
export async function loadCandles(db: Database, key: SeriesKey, from: number, to: number): Promise<Candle[]> {
  const res = await db.execute(sql`
    SELECT open_time, open, high, low, close, volume FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
      AND open_time >= ${from} AND open_time < ${to}
    ORDER BY open_time`);
  return rowsOf<CandleDbRow>(res).map(candleFromRow);
}

/** The newest `limit` candles with openTime < before, oldest first (for the live loop's evaluation window). */
export async function loadRecentCandles(db: Database, key: SeriesKey, before: number, limit: number): Promise<Candle[]> {
  const res = await db.execute(sql`
    SELECT * FROM (
      SELECT open_time, open, high, low, close, volume FROM candles
      WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe} AND open_time < ${before}
      ORDER BY open_time DESC LIMIT ${limit}) t
    ORDER BY open_time`);
  return rowsOf<CandleDbRow>(res).map(candleFromRow);
}

export async function lastCandleTime(db: Database, key: SeriesKey): Promise<number | null> {
  const res = await db.execute(sql`
    SELECT max(open_time) AS t FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}`);
  const t = rowsOf<{ t: string | number | null }>(res)[0]?.t;
  return t === null || t === undefined ? null : Number(t);
}

export interface SeriesSummary extends SeriesKey {
  count: number;
  first: number;
  last: number;
}

export async function listSeries(db: Database): Promise<SeriesSummary[]> {
  const res = await db.execute(sql`
    SELECT venue, symbol, timeframe, count(*)::int AS n, min(open_time) AS first, max(open_time) AS last
    FROM candles GROUP BY venue, symbol, timeframe ORDER BY venue, symbol, timeframe`);
  return rowsOf<Record<string, string | number>>(res).map((r) => ({
    venue: String(r.venue),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe) as SeriesKey['timeframe'],
    count: Number(r.n),
    first: Number(r.first),
    last: Number(r.last),
  }));
}

/**
 * A content hash of a series window computed in the database (md5 over the ordered rows: values, source and
 * ingested_at): equal hashes mean an identical table slice — not even a timestamp was rewritten.
 */
export async function tableHash(db: Database, key: SeriesKey, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<string> {
  const res = await db.execute(sql`
    SELECT md5(coalesce(string_agg(concat_ws(',', open_time, open, high, low, close, volume, source, ingested_at), ';' ORDER BY open_time), '')) AS h
    FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
      AND open_time >= ${from} AND open_time < ${to}`);
  return String(rowsOf<{ h: string }>(res)[0]?.h ?? '');
}
