/**
 * Book snapshots for the Lab's Data page: per venue and symbol, the distribution of the measured half-spread
 * (median, p90, max), the median depth within 10 and 50 bps of mid per side and the median cost to fill 10k quote by
 * walking the book; and one series over time, downsampled in the database to at most `points` buckets that keep the
 * WIDEST half-spread and the THINNEST depth of each bucket (so downsampling never hides a bad moment).
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Database } from '../database';

const depthAt = (bps: number, side: 'bid' | 'ask'): SQL =>
  sql`(SELECT (d->>${side})::float8 FROM jsonb_array_elements(depth) d WHERE (d->>'bps')::float8 = ${bps} LIMIT 1)`;
const fillAt = (notional: number, side: 'buyBps' | 'sellBps'): SQL =>
  sql`(SELECT (f->>${side})::float8 FROM jsonb_array_elements(fills) f WHERE (f->>'notional')::float8 = ${notional} LIMIT 1)`;

/** The notional (quote) whose walk-the-book cost the summaries report. */
export const SUMMARY_NOTIONAL = 10_000;

export interface BookSummary {
  venue: string;
  symbol: string;
  count: number;
  first: number;
  last: number;
  halfSpreadBps: { median: number; p90: number; max: number };
  depth10: { bid: number | null; ask: number | null };
  depth50: { bid: number | null; ask: number | null };
  fill10k: { buyBps: number | null; sellBps: number | null };
}

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function bookSummaries(db: Database, f: { venue?: string; symbol?: string } = {}): Promise<BookSummary[]> {
  const res = await db.execute(sql`
    WITH s AS (
      SELECT venue, symbol, bucket, half_spread_bps,
        ${depthAt(10, 'bid')} AS d10b, ${depthAt(10, 'ask')} AS d10a, ${depthAt(50, 'bid')} AS d50b, ${depthAt(50, 'ask')} AS d50a,
        ${fillAt(SUMMARY_NOTIONAL, 'buyBps')} AS fb, ${fillAt(SUMMARY_NOTIONAL, 'sellBps')} AS fs
      FROM book_snapshots
      WHERE (${f.venue ?? null}::text IS NULL OR venue = ${f.venue ?? null}) AND (${f.symbol ?? null}::text IS NULL OR symbol = ${f.symbol ?? null})
    )
    SELECT venue, symbol, count(*)::int AS n, min(bucket) AS first, max(bucket) AS last,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY half_spread_bps) AS hs_med,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY half_spread_bps) AS hs_p90,
      max(half_spread_bps) AS hs_max,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY d10b) AS d10b, percentile_cont(0.5) WITHIN GROUP (ORDER BY d10a) AS d10a,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY d50b) AS d50b, percentile_cont(0.5) WITHIN GROUP (ORDER BY d50a) AS d50a,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY fb) AS fb, percentile_cont(0.5) WITHIN GROUP (ORDER BY fs) AS fs
    FROM s GROUP BY venue, symbol ORDER BY venue, symbol`);
  return rowsOf<Record<string, unknown>>(res).map((r) => ({
    venue: String(r.venue),
    symbol: String(r.symbol),
    count: Number(r.n),
    first: Number(r.first),
    last: Number(r.last),
    halfSpreadBps: { median: Number(r.hs_med), p90: Number(r.hs_p90), max: Number(r.hs_max) },
    depth10: { bid: n(r.d10b), ask: n(r.d10a) },
    depth50: { bid: n(r.d50b), ask: n(r.d50a) },
    fill10k: { buyBps: n(r.fb), sellBps: n(r.fs) },
  }));
}

/** Columnar, oldest first; each array has one value per bucket (null where a snapshot lacks that depth level). */
export interface BookSeries {
  total: number;
  time: number[];
  halfSpreadBpsMax: number[];
  halfSpreadBpsMean: number[];
  depth10Bid: (number | null)[];
  depth10Ask: (number | null)[];
  depth50Bid: (number | null)[];
  depth50Ask: (number | null)[];
}

export async function bookSeries(db: Database, q: { venue: string; symbol: string; from?: number; to?: number; points: number }): Promise<BookSeries> {
  const res = await db.execute(sql`
    WITH s AS (
      SELECT bucket, half_spread_bps, ${depthAt(10, 'bid')} AS d10b, ${depthAt(10, 'ask')} AS d10a, ${depthAt(50, 'bid')} AS d50b, ${depthAt(50, 'ask')} AS d50a,
        row_number() OVER (ORDER BY bucket) - 1 AS i, count(*) OVER () AS total
      FROM book_snapshots
      WHERE venue = ${q.venue} AND symbol = ${q.symbol} AND bucket >= ${q.from ?? 0} AND bucket < ${q.to ?? Number.MAX_SAFE_INTEGER}
    ), k AS (SELECT greatest(1, ceil(max(total)::float8 / ${q.points})::int) AS step FROM s)
    SELECT min(bucket) AS time, max(half_spread_bps) AS hs_max, avg(half_spread_bps) AS hs_mean,
      min(d10b) AS d10b, min(d10a) AS d10a, min(d50b) AS d50b, min(d50a) AS d50a, max(total) AS total
    FROM s, k GROUP BY s.i / k.step ORDER BY 1`);
  const rows = rowsOf<Record<string, unknown>>(res);
  return {
    total: rows.length ? Number(rows[0]!.total) : 0,
    time: rows.map((r) => Number(r.time)),
    halfSpreadBpsMax: rows.map((r) => Number(r.hs_max)),
    halfSpreadBpsMean: rows.map((r) => Number(r.hs_mean)),
    depth10Bid: rows.map((r) => n(r.d10b)),
    depth10Ask: rows.map((r) => n(r.d10a)),
    depth50Bid: rows.map((r) => n(r.d50b)),
    depth50Ask: rows.map((r) => n(r.d50a)),
  };
}
