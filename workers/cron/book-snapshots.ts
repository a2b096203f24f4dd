/**
 * Cron stage: one order-book snapshot per cycle for each (venue, symbol) the cron ingests (`INGEST_SERIES`, several
 * timeframes of a symbol share one book). The venue's book (up to `BOOK_SNAPSHOT_DEPTH` levels a side, the venue's
 * own cap applies) goes through the adapter's checks, `bookSnapshot()` computes best bid/ask, mid, half-spread,
 * depth within 5/10/25/50 bps and the walk-the-book cost of `BOOK_SNAPSHOT_NOTIONALS`, and one row is inserted for
 * the cycle's 5-minute bucket — a second snapshot for a stored bucket changes nothing. A refused body (malformed,
 * truncated, partial, crossed, stale, future, a bad level) is quarantined in `data_issues` (timeframe `book`) with
 * its reason and excerpt, and nothing stored changes. Transport failures (timeouts, 5xx after retries, an open
 * breaker) are reported, not quarantined: there was no body. Venues run concurrently; one failing never blocks
 * the others, and the stage never throws (the orchestrator still guards it).
 */
import { bookSnapshot, type BookSnapshot } from '../../shared/market/book-metrics';
import { insertBookSnapshot, recordBookIssue } from '../../shared/db/queries/book-snapshots';
import { CircuitBreaker, createVenue, isMarketDataRejected, isVenueError, isVenueId, type FetchLike, type VenueId } from '../../shared/venues';
import type { Db } from '../db';
import type { AppConfig } from '../env';
import { baseUrlFor, CRON_INTERVAL_MS } from './ingest';
import { log } from '../observability/logger';

/** Levels per side asked for (each venue clamps to its own maximum: Binance 5000, Kraken 500, OKX 400, Bybit 200). */
export const BOOK_SNAPSHOT_DEPTH = 1000;
/** Snapshot buckets: one per cron cycle. */
export const BOOK_BUCKET_MS = CRON_INTERVAL_MS;

export type BookSnapshotStatus = 'stored' | 'unchanged' | 'quarantined' | 'error';

export interface BookSnapshotOutcome {
  venue: string;
  symbol: string;
  status: BookSnapshotStatus;
  /** Rejection code (quarantined) or error kind. */
  reason?: string;
  detail?: string;
  halfSpreadBps?: number;
  requests: number;
  /** Fetch + parse + metrics of this book, ms. */
  wallMs: number;
}

export interface BookSnapshotReport {
  bucket: number;
  outcomes: BookSnapshotOutcome[];
  stored: number;
  quarantined: number;
  failed: number;
  wallMs: number;
  /**
   * Where the wall time went: the concurrent fetch + parse phase, the `bookSnapshot()` metrics summed over books,
   * and the sequential writes.
   */
  timing: { fetchWallMs: number; computeMs: number; writeMs: number };
  summary: string;
}

// One breaker per venue per isolate for the book endpoints (separate from the candle breakers).
const breakers = new Map<VenueId, CircuitBreaker>();

/** The distinct (venue, symbols) pairs of the ingested series, in first-seen order. */
export function snapshotTargets(series: readonly { venue: string; symbol: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of series) {
    const list = out.get(s.venue) ?? [];
    if (!list.includes(s.symbol)) list.push(s.symbol);
    out.set(s.venue, list);
  }
  return out;
}

export interface BookSnapshotDeps {
  config: AppConfig;
  db: Db;
  /** The cycle's scheduled time: the bucket, and what venue-stamped book times are judged stale against. */
  now: number;
  fetch?: FetchLike;
}

type Fetched =
  | { venue: string; symbol: string; ok: true; snapshot: BookSnapshot; requests: number; fetchMs: number }
  | { venue: string; symbol: string; ok: false; rejection: { code: string; reason: string } | null; error: Error & { kind?: string; url?: string; status?: number }; requests: number; fetchMs: number };

/**
 * Fetch and compute concurrently per venue (symbols of a venue in turn), then write sequentially over one
 * connection: the network waits overlap, the database sees one short session.
 */
export async function runBookSnapshots(deps: BookSnapshotDeps): Promise<BookSnapshotReport> {
  const { config, db, now } = deps;
  const started = performance.now();
  const bucket = Math.floor(now / BOOK_BUCKET_MS) * BOOK_BUCKET_MS;
  const notionals = config.BOOK_SNAPSHOT_NOTIONALS;
  const targets = snapshotTargets(config.INGEST_SERIES);
  let computeMs = 0;
  const perVenue = await Promise.all(
    [...targets.entries()].map(async ([venueName, symbols]): Promise<Fetched[]> => {
      if (!isVenueId(venueName)) {
        return symbols.map((symbol) => ({ venue: venueName, symbol, ok: false, rejection: null, error: Object.assign(new Error('unknown venue'), { kind: 'unknown-venue' }), requests: 0, fetchMs: 0 }));
      }
      let breaker = breakers.get(venueName);
      if (!breaker) breakers.set(venueName, (breaker = new CircuitBreaker({ now: () => Date.now(), failureThreshold: 5, cooldownMs: 10 * 60_000 })));
      const venue = createVenue(venueName, {
        baseUrl: baseUrlFor(config, venueName),
        fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
        clock: () => Date.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        random: Math.random,
        timeoutMs: 5_000,
        maxAttempts: 2,
        breaker,
      });
      const out: Fetched[] = [];
      for (const symbol of symbols) {
        const t0 = performance.now();
        try {
          const r = await venue.fetchOrderBook({ symbol, now, depth: BOOK_SNAPSHOT_DEPTH });
          const c0 = performance.now();
          const snapshot = bookSnapshot(r.data, { notionals });
          computeMs += performance.now() - c0;
          out.push({ venue: venueName, symbol, ok: true, snapshot, requests: r.requests, fetchMs: performance.now() - t0 });
        } catch (err) {
          // A body we received and refused is quarantined; anything else (no body) is an error of the cycle.
          const rejection = isMarketDataRejected(err) ? err.rejection : isVenueError(err, 'malformed') ? { code: 'malformed', reason: err.message } : null;
          const requests = isVenueError(err) ? (err.attempts ?? 1) : 0;
          out.push({ venue: venueName, symbol, ok: false, rejection, error: err as Error, requests, fetchMs: performance.now() - t0 });
        }
      }
      return out;
    }),
  );
  const fetchedAt = performance.now();
  const outcomes: BookSnapshotOutcome[] = [];
  for (const f of perVenue.flat()) {
    const base = { venue: f.venue, symbol: f.symbol, requests: f.requests, wallMs: Math.round(f.fetchMs) };
    const source = `rest:${f.venue}:book`;
    try {
      if (f.ok) {
        const written = await insertBookSnapshot(db, f.snapshot, bucket, source);
        outcomes.push({ ...base, status: written ? 'stored' : 'unchanged', halfSpreadBps: f.snapshot.halfSpreadBps });
      } else if (f.rejection) {
        const e = f.error;
        await recordBookIssue(db, {
          venue: f.venue,
          symbol: f.symbol,
          bucket,
          reason: f.rejection.code,
          detail: f.rejection.reason.slice(0, 1000),
          raw: { url: e.url ?? null, status: e.status ?? null, body: isMarketDataRejected(e) ? (e.bodyExcerpt ?? null) : null },
          source,
        });
        outcomes.push({ ...base, status: 'quarantined', reason: f.rejection.code, detail: f.rejection.reason.slice(0, 200) });
      } else {
        log.error('book snapshot failed', { at: 'book-snapshots', venue: f.venue, symbol: f.symbol, error: f.error.message, kind: f.error.kind });
        outcomes.push({ ...base, status: 'error', reason: f.error.kind ?? 'error', detail: f.error.message.slice(0, 200) });
      }
    } catch (dbErr) {
      outcomes.push({ ...base, status: 'error', reason: 'db', detail: String(dbErr).slice(0, 200) });
    }
  }
  const done = performance.now();
  const count = (s: BookSnapshotStatus) => outcomes.filter((o) => o.status === s).length;
  const stored = count('stored');
  const quarantined = count('quarantined');
  const failed = count('error');
  return {
    bucket,
    outcomes,
    stored,
    quarantined,
    failed,
    wallMs: Math.round(done - started),
    timing: { fetchWallMs: Math.round(fetchedAt - started), computeMs: Math.round(computeMs * 100) / 100, writeMs: Math.round(done - fetchedAt) },
    summary: `${outcomes.length} books: ${stored} stored, ${count('unchanged')} already stored, ${quarantined} quarantined, ${failed} failed`,
  };
}
