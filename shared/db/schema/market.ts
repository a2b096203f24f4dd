/**
 * Market-data tables: stored base candles, rejected or quarantined rows with their reason, archive import jobs
 * and their files, derived spread windows (a refresh replaces exactly its own window), and the cron's order-book
 * snapshots (one per venue, symbol and 5-minute bucket; bad book bodies go to `data_issues` with timeframe `book`).
 */
import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const candles = pgTable(
  'candles',
  {
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').notNull(),
    /** Open time, ms since epoch UTC. */
    openTime: bigint('open_time', { mode: 'number' }).notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    volume: doublePrecision('volume').notNull(),
    /** Where the row came from, e.g. `rest:binance` or `archive:BTCUSDT-5m-2025-01.zip`. */
    source: text('source').notNull(),
    ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.venue, t.symbol, t.timeframe, t.openTime] })],
);

export const dataIssues = pgTable(
  'data_issues',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').notNull(),
    openTime: bigint('open_time', { mode: 'number' }),
    /** Machine code: off-grid, high-below-low, non-finite, duplicate-conflict, parse, future, source-conflict, venue-gap … */
    reason: text('reason').notNull(),
    detail: text('detail').notNull(),
    raw: jsonb('raw'),
    source: text('source').notNull(),
    /** sha256 of (source, venue, symbol, timeframe, reason, raw): redelivery never duplicates an issue. */
    fingerprint: text('fingerprint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('data_issues_fingerprint_uq').on(t.fingerprint),
    index('data_issues_series_idx').on(t.venue, t.symbol, t.timeframe, t.openTime),
  ],
);

export const importJobs = pgTable('import_jobs', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull().default('binance-archive'),
  venue: text('venue').notNull().default('binance'),
  symbol: text('symbol').notNull(),
  interval: text('interval').notNull(),
  fromPeriod: text('from_period').notNull(),
  toPeriod: text('to_period').notNull(),
  /** queued | running | done | partial | failed */
  status: text('status').notNull().default('queued'),
  filesTotal: integer('files_total').notNull().default(0),
  filesDone: integer('files_done').notNull().default(0),
  filesFailed: integer('files_failed').notNull().default(0),
  rowsImported: integer('rows_imported').notNull().default(0),
  request: jsonb('request').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const importFiles = pgTable(
  'import_files',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => importJobs.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    url: text('url').notNull(),
    /** pending | running | done | failed | dead */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    rows: integer('rows').notNull().default(0),
    issues: integer('issues').notNull().default(0),
    sha256: text('sha256'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('import_files_job_file_uq').on(t.jobId, t.fileName)],
);

export const spreadWindows = pgTable(
  'spread_windows',
  {
    /** `spread|binance|BTC/ETH|4h|2022-01-01T00:00:00.000Z|2023-01-01T00:00:00.000Z` (keyed by the legs' venue) — one refresh replaces exactly this window. */
    key: text('key').primaryKey(),
    pair: text('pair').notNull(),
    venue: text('venue').notNull(),
    timeframe: text('timeframe').notNull(),
    fromTime: bigint('from_time', { mode: 'number' }).notNull(),
    toTime: bigint('to_time', { mode: 'number' }).notNull(),
    candleCount: integer('candle_count').notNull(),
    dataHash: text('data_hash').notNull(),
    candles: jsonb('candles').notNull(),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('spread_windows_pair_idx').on(t.pair, t.timeframe, t.fromTime)],
);

export const bookSnapshots = pgTable(
  'book_snapshots',
  {
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    /** Start of the cron bucket the snapshot belongs to, ms UTC (the cycle's scheduled time floored to 5 min). */
    bucket: bigint('bucket', { mode: 'number' }).notNull(),
    /** The book's own time, ms UTC, and where it came from (`venue`, `newest-level` or `received`). */
    bookTime: bigint('book_time', { mode: 'number' }).notNull(),
    timeSource: text('time_source').notNull(),
    bestBid: doublePrecision('best_bid').notNull(),
    bestAsk: doublePrecision('best_ask').notNull(),
    mid: doublePrecision('mid').notNull(),
    halfSpreadBps: doublePrecision('half_spread_bps').notNull(),
    bidLevels: integer('bid_levels').notNull(),
    askLevels: integer('ask_levels').notNull(),
    reachBidBps: doublePrecision('reach_bid_bps').notNull(),
    reachAskBps: doublePrecision('reach_ask_bps').notNull(),
    /** `[{ bps, bid, ask }]`: quote notional within `bps` of mid per side (5/10/25/50 bps). */
    depth: jsonb('depth').notNull(),
    /** `[{ notional, buyBps, sellBps }]`: walk-the-book cost vs mid; null = the fetched book could not fill it. */
    fills: jsonb('fills').notNull(),
    /** e.g. `rest:binance:depth`. */
    source: text('source').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.venue, t.symbol, t.bucket] })],
);

export type CandleRow = typeof candles.$inferSelect;
export type NewCandleRow = typeof candles.$inferInsert;
export type DataIssueRow = typeof dataIssues.$inferSelect;
export type NewDataIssueRow = typeof dataIssues.$inferInsert;
export type ImportJobRow = typeof importJobs.$inferSelect;
export type NewImportJobRow = typeof importJobs.$inferInsert;
export type ImportFileRow = typeof importFiles.$inferSelect;
export type NewImportFileRow = typeof importFiles.$inferInsert;
export type SpreadWindowRow = typeof spreadWindows.$inferSelect;
export type BookSnapshotRow = typeof bookSnapshots.$inferSelect;
export type NewSpreadWindowRow = typeof spreadWindows.$inferInsert;
