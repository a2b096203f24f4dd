/**
 * Order-book snapshot storage: one row per (venue, symbol, 5-minute bucket), inserted once — a second snapshot for
 * a bucket already stored (a cron double-fire, a retried cycle) changes nothing — and refused book bodies recorded
 * in `data_issues` with timeframe `book`, the rejection code as the reason and the body excerpt as raw, one row
 * per fingerprint so a retried cycle never duplicates an issue. Snapshots are checked with `BookSnapshotSchema`
 * before they are written.
 */
import { sql } from 'drizzle-orm';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { BookSnapshotSchema, type BookSnapshot } from '../../market/book-metrics';
import { rowsOf, type Database } from '../database';

/** The `data_issues.timeframe` of a book issue. */
export const BOOK_ISSUE_TIMEFRAME = 'book';

export interface StoredBookSnapshot extends BookSnapshot {
  bucket: number;
  source: string;
}

/** Inserts a snapshot for its bucket unless one is stored; returns 1 when written, 0 when the bucket had one. */
export async function insertBookSnapshot(db: Database, snapshot: BookSnapshot, bucket: number, source: string): Promise<number> {
  const s = BookSnapshotSchema.parse(snapshot);
  if (!Number.isSafeInteger(bucket)) throw new RangeError(`bucket must be an integer ms time, got ${bucket}`);
  const res = await db.execute(sql`
    INSERT INTO book_snapshots (venue, symbol, bucket, book_time, time_source, best_bid, best_ask, mid, half_spread_bps,
      bid_levels, ask_levels, reach_bid_bps, reach_ask_bps, depth, fills, source)
    VALUES (${s.venue}, ${s.symbol}, ${bucket}, ${s.time}, ${s.timeSource}, ${s.bestBid}, ${s.bestAsk}, ${s.mid}, ${s.halfSpreadBps},
      ${s.bidLevels}, ${s.askLevels}, ${s.reachBidBps}, ${s.reachAskBps}, ${JSON.stringify(s.depth)}::jsonb, ${JSON.stringify(s.fills)}::jsonb, ${source})
    ON CONFLICT (venue, symbol, bucket) DO NOTHING`);
  return (res as { rowCount?: number | null }).rowCount ?? 0;
}

export interface BookIssue {
  venue: string;
  symbol: string;
  bucket: number;
  /** The rejection code: malformed, partial, crossed, stale, future, bad-level. */
  reason: string;
  detail: string;
  raw: unknown;
  source: string;
}

export function bookIssueFingerprint(i: BookIssue): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify([i.source, i.venue, i.symbol, BOOK_ISSUE_TIMEFRAME, i.reason, i.bucket, i.raw ?? null]))));
}

/** Records a refused book body; returns 1 when recorded, 0 when the same issue was already there. */
export async function recordBookIssue(db: Database, i: BookIssue): Promise<number> {
  const res = await db.execute(sql`
    INSERT INTO data_issues (venue, symbol, timeframe, open_time, reason, detail, raw, source, fingerprint)
    VALUES (${i.venue}, ${i.symbol}, ${BOOK_ISSUE_TIMEFRAME}, ${i.bucket}, ${i.reason}, ${i.detail}, ${JSON.stringify(i.raw ?? null)}::jsonb, ${i.source}, ${bookIssueFingerprint(i)})
    ON CONFLICT (fingerprint) DO NOTHING`);
  return (res as { rowCount?: number | null }).rowCount ?? 0;
}

type Row = Record<string, string | number | null | unknown>;

function fromRow(r: Row): StoredBookSnapshot {
  const parse = <T>(x: unknown): T => (typeof x === 'string' ? (JSON.parse(x) as T) : (x as T));
  return {
    venue: String(r.venue),
    symbol: String(r.symbol),
    bucket: Number(r.bucket),
    time: Number(r.book_time),
    timeSource: String(r.time_source) as BookSnapshot['timeSource'],
    bestBid: Number(r.best_bid),
    bestAsk: Number(r.best_ask),
    mid: Number(r.mid),
    halfSpreadBps: Number(r.half_spread_bps),
    bidLevels: Number(r.bid_levels),
    askLevels: Number(r.ask_levels),
    reachBidBps: Number(r.reach_bid_bps),
    reachAskBps: Number(r.reach_ask_bps),
    depth: parse<BookSnapshot['depth']>(r.depth),
    fills: parse<BookSnapshot['fills']>(r.fills),
    source: String(r.source),
  };
}

/** Snapshots of one venue (and symbol, when given) with from ≤ bucket < to, oldest first. */
export async function loadBookSnapshots(db: Database, q: { venue: string; symbol?: string; from?: number; to?: number }): Promise<StoredBookSnapshot[]> {
  const res = await db.execute(sql`
    SELECT venue, symbol, bucket, book_time, time_source, best_bid, best_ask, mid, half_spread_bps, bid_levels, ask_levels,
      reach_bid_bps, reach_ask_bps, depth, fills, source
    FROM book_snapshots
    WHERE venue = ${q.venue} AND (${q.symbol ?? null}::text IS NULL OR symbol = ${q.symbol ?? null})
      AND bucket >= ${q.from ?? 0} AND bucket < ${q.to ?? Number.MAX_SAFE_INTEGER}
    ORDER BY symbol, bucket`);
  return rowsOf<Row>(res).map(fromRow);
}
