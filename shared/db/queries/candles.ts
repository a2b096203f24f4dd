/**
 * Candle storage queries. Bulk inserts bypass drizzle's `.values()` (≈10k rows/s, see platform facts) and send
 * one JSON parameter per batch through `json_array_elements` with ON CONFLICT on the series key (≈38k rows/s).
 *
 * A stored candle is never rewritten: the first source to store an open time keeps it. A later source that brings
 * the same values changes nothing (re-importing the same data leaves the table identical, ingested_at included, and
 * the table hash proves it); one that brings different values is refused and recorded as a `source-conflict` data
 * issue holding both candles and both sources, so every recorded run's data hash still reproduces.
 */
import { sql } from 'drizzle-orm';
import type { Candle, SeriesKey } from '../../candles/candle';
import type { DataIssue } from '../../candles/issue';
import type { StoredCoverage } from '../../candles/fetch-window';
import { aggregateCandles, derivationCandidates } from '../../candles/aggregate';
import { TIMEFRAME_MS, type Timeframe } from '../../candles/timeframe';
import { hasCandles } from './lab-data';
import { rowsOf, type Database } from '../database';
import { recordDataIssues } from './data-issues';

export const UPSERT_BATCH = 5000;

/** A stored candle that a later source disagreed with; the stored one was kept. */
export interface SourceConflict {
  openTime: number;
  stored: Candle & { source: string };
  incoming: Candle & { source: string };
}

export interface UpsertResult {
  /** Rows sent. */
  rows: number;
  /** Rows inserted (open times not stored before). */
  written: number;
  /** Rows refused because a different candle was already stored (each recorded as a `source-conflict` issue). */
  conflicts: SourceConflict[];
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** The `source-conflict` data issue of one refused candle: which fields differ, both values, both sources. */
export function sourceConflictIssue(c: SourceConflict): DataIssue {
  const diff = FIELDS.filter((f) => c.stored[f] !== c.incoming[f]).map((f) => `${f} ${c.stored[f]} vs ${c.incoming[f]}`);
  return {
    openTime: c.openTime,
    reason: 'source-conflict',
    detail: `kept the stored candle from ${c.stored.source}; ${c.incoming.source} disagrees: ${diff.join(', ')}`,
    raw: { stored: c.stored, incoming: c.incoming },
  };
}

/**
 * Insert candles of one series; open times already stored are kept as they are (see the module header). Conflicts
 * are recorded as data issues under the incoming source and returned.
 */
export async function upsertCandles(
  db: Database,
  key: SeriesKey,
  candles: readonly Candle[],
  source: string,
): Promise<UpsertResult> {
  let written = 0;
  const conflicts: SourceConflict[] = [];
  for (let i = 0; i < candles.length; i += UPSERT_BATCH) {
    const batch = candles.slice(i, i + UPSERT_BATCH).map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]);
    // The main SELECT's snapshot does not see the CTE's inserts: the join finds only candles stored before.
    const res = await db.execute(sql`
      WITH inc AS (
        SELECT (r->>0)::bigint AS open_time, (r->>1)::float8 AS open, (r->>2)::float8 AS high, (r->>3)::float8 AS low,
               (r->>4)::float8 AS close, (r->>5)::float8 AS volume
        FROM json_array_elements(${JSON.stringify(batch)}::json) AS r
      ), ins AS (
        INSERT INTO candles (venue, symbol, timeframe, open_time, open, high, low, close, volume, source)
        SELECT ${key.venue}, ${key.symbol}, ${key.timeframe}, open_time, open, high, low, close, volume, ${source} FROM inc
        ON CONFLICT (venue, symbol, timeframe, open_time) DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT count(*)::int FROM ins) AS written,
             (SELECT coalesce(json_agg(json_build_array(c.open_time, c.open, c.high, c.low, c.close, c.volume, c.source,
                                                        i.open, i.high, i.low, i.close, i.volume) ORDER BY c.open_time), '[]'::json)
              FROM inc i JOIN candles c
                ON c.venue = ${key.venue} AND c.symbol = ${key.symbol} AND c.timeframe = ${key.timeframe} AND c.open_time = i.open_time
              WHERE (c.open, c.high, c.low, c.close, c.volume) IS DISTINCT FROM (i.open, i.high, i.low, i.close, i.volume)) AS conflicts`);
    const row = rowsOf<{ written: number | string; conflicts: unknown }>(res)[0];
    written += Number(row?.written ?? 0);
    const raw = typeof row?.conflicts === 'string' ? (JSON.parse(row.conflicts) as unknown[][]) : ((row?.conflicts ?? []) as unknown[][]);
    for (const r of raw) {
      const n = r.map(Number);
      conflicts.push({
        openTime: n[0]!,
        stored: { openTime: n[0]!, open: n[1]!, high: n[2]!, low: n[3]!, close: n[4]!, volume: n[5]!, source: String(r[6]) },
        incoming: { openTime: n[0]!, open: n[7]!, high: n[8]!, low: n[9]!, close: n[10]!, volume: n[11]!, source },
      });
    }
  }
  if (conflicts.length) await recordDataIssues(db, key, source, conflicts.map(sourceConflictIssue));
  return { rows: candles.length, written, conflicts };
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

/**
 * What the ingestion planner needs about a series (`planFetches`): the newest stored open time, the holes inside
 * the stored range that end after `since` (a hole reaching back before `since` is reported whole), and the ranges
 * recorded as `venue-gap` (asked before, answered with nothing) that end after `since`.
 */
export async function seriesCoverage(db: Database, key: SeriesKey, tfMs: number, since: number): Promise<StoredCoverage> {
  const res = await db.execute(sql`
    WITH s AS (
      SELECT open_time, lead(open_time) OVER (ORDER BY open_time) AS next FROM candles
      WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
        AND open_time >= coalesce((SELECT max(open_time) FROM candles
                                   WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
                                     AND open_time < ${since}), ${since})
    )
    SELECT (SELECT max(open_time) FROM candles WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}) AS last,
           (SELECT coalesce(json_agg(json_build_array(open_time + ${tfMs}, next) ORDER BY open_time), '[]'::json)
              FROM s WHERE next - open_time > ${tfMs}) AS holes,
           (SELECT coalesce(json_agg(json_build_array((raw->>'from')::bigint, (raw->>'to')::bigint)), '[]'::json)
              FROM data_issues WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
                AND reason = 'venue-gap' AND (raw->>'to')::bigint > ${since}) AS gaps`);
  const row = rowsOf<{ last: string | number | null; holes: unknown; gaps: unknown }>(res)[0];
  const pairs = (v: unknown): number[][] => ((typeof v === 'string' ? JSON.parse(v) : (v ?? [])) as unknown[][]).map((p) => p.map(Number));
  return {
    last: row?.last === null || row?.last === undefined ? null : Number(row.last),
    holes: pairs(row?.holes).map(([from, to]) => ({ from: from!, to: to!, missing: (to! - from!) / tfMs })),
    venueGaps: pairs(row?.gaps).map(([from, to]) => ({ from: from!, to: to! })),
  };
}

/**
 * The stored timeframe `key` is read from over [from, to): `key.timeframe` itself when it holds a candle there,
 * else the first derivation base (`derivationCandidates`) that does — the same choice `/api/candles` makes; null
 * when none does.
 */
export async function seriesSource(db: Database, key: SeriesKey, from?: number, to?: number): Promise<Timeframe | null> {
  for (const tf of derivationCandidates(key.timeframe)) {
    if (await hasCandles(db, { ...key, timeframe: tf }, from, to)) return tf;
  }
  return null;
}

/**
 * Candles of `key` with from ≤ openTime < to, read from `source` (a stored base of `key.timeframe`, or the
 * timeframe itself): aggregated with `aggregateCandles`, complete buckets only, so a bucket with a missing base
 * candle (or the still-forming newest one) is absent rather than wrong.
 */
export async function loadDerivedCandles(db: Database, key: SeriesKey, source: Timeframe, from: number, to: number): Promise<Candle[]> {
  if (source === key.timeframe) return loadCandles(db, key, from, to);
  const T = TIMEFRAME_MS[key.timeframe];
  const base = await loadCandles(db, { ...key, timeframe: source }, Math.floor(from / T) * T, Math.ceil(to / T) * T);
  return aggregateCandles(base, { from: source, to: key.timeframe }).filter((c) => c.openTime >= from && c.openTime < to);
}

/** The newest `limit` candles of `key` with openTime < before, read from `source` like `loadDerivedCandles`. */
export async function loadRecentDerivedCandles(db: Database, key: SeriesKey, source: Timeframe, before: number, limit: number): Promise<Candle[]> {
  if (source === key.timeframe) return loadRecentCandles(db, key, before, limit);
  const T = TIMEFRAME_MS[key.timeframe];
  const end = Math.floor(before / T) * T;
  const per = T / TIMEFRAME_MS[source];
  // One bucket more than asked: the oldest loaded bucket may be cut (partial) and drop out.
  const base = await loadRecentCandles(db, { ...key, timeframe: source }, end, (limit + 1) * per);
  return aggregateCandles(base, { from: source, to: key.timeframe }).slice(-limit);
}

/**
 * The source of a live read ending at `to`: `key.timeframe` when it is stored at all before `to` (a stored series
 * is authoritative), else a base holding a candle of the last bucket [to − T, to) — a base that stopped earlier (or
 * covers another period) is not chosen over one that is current. When several bases are current and the read
 * reaches back to `from`, the one whose candles reach furthest back over [from, to) wins: a fresh day of 5m must not
 * shadow months of 1h when the strategy needs a long warm-up.
 */
async function liveSource(db: Database, key: SeriesKey, to: number, from?: number): Promise<Timeframe | null> {
  if (await hasCandles(db, key, undefined, to)) return key.timeframe;
  const T = TIMEFRAME_MS[key.timeframe];
  const current: Timeframe[] = [];
  for (const tf of derivationCandidates(key.timeframe)) if (await hasCandles(db, { ...key, timeframe: tf }, to - T, to)) current.push(tf);
  if (current.length <= 1 || from === undefined) return current[0] ?? null;
  let best = current[0]!;
  let bestFirst = Number.POSITIVE_INFINITY;
  for (const tf of current) {
    const res = await db.execute(sql`
      SELECT min(open_time) AS first FROM candles
      WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${tf} AND open_time >= ${from} AND open_time < ${to}`);
    const first = rowsOf<{ first: unknown }>(res)[0]?.first;
    if (first !== null && first !== undefined && Number(first) < bestFirst) {
      best = tf;
      bestFirst = Number(first);
    }
  }
  return best;
}

/** `loadCandles`, deriving the timeframe from a stored base when it is not stored itself (`liveSource`). */
export async function loadSeriesCandles(db: Database, key: SeriesKey, from: number, to: number): Promise<Candle[]> {
  const source = await liveSource(db, key, to, from);
  return source ? loadDerivedCandles(db, key, source, from, to) : [];
}

/** `loadRecentCandles`, deriving the timeframe from a stored base when it is not stored itself (`liveSource`). */
export async function loadRecentSeriesCandles(db: Database, key: SeriesKey, before: number, limit: number): Promise<Candle[]> {
  const T = TIMEFRAME_MS[key.timeframe];
  const source = await liveSource(db, key, Math.floor(before / T) * T, before - limit * T);
  return source ? loadRecentDerivedCandles(db, key, source, before, limit) : [];
}
