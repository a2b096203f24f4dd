/**
 * Live-loop tables: signals (one per strategy, venue, symbol, timeframe and candle, whatever the cron does twice),
 * alerts (one per signal and channel, with delivery status transitions) and live_kernels (the execution kernel's
 * state per live series, so alerts follow the position: entry and exit events, each once).
 */
import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const signals = pgTable(
  'signals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    strategyId: text('strategy_id').notNull(),
    strategyVersion: text('strategy_version').notNull(),
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').notNull(),
    candleOpenTime: bigint('candle_open_time', { mode: 'number' }).notNull(),
    candleCloseTime: bigint('candle_close_time', { mode: 'number' }).notNull(),
    /** BUY | SELL | EXIT */
    action: text('action').notNull(),
    price: doublePrecision('price').notNull(),
    reason: text('reason').notNull(),
    /** live | paper */
    mode: text('mode').notNull().default('live'),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('signals_strategy_candle_uq').on(t.strategyId, t.venue, t.symbol, t.timeframe, t.candleOpenTime),
    index('signals_recent_idx').on(t.candleOpenTime),
  ],
);

export const alerts = pgTable(
  'alerts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    signalId: bigint('signal_id', { mode: 'number' }).references(() => signals.id, { onDelete: 'cascade' }),
    /** For non-signal alerts (stale heartbeat, recovery): a stable idempotency key. */
    dedupeKey: text('dedupe_key').notNull(),
    channel: text('channel').notNull().default('telegram'),
    /** pending | sending | sent | failed | dead | muted | uncertain (Telegram accepted, the sent write failed: never resent) */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    message: text('message').notNull(),
    lastError: text('last_error'),
    externalId: text('external_id'),
    /**
     * The execution-kernel event a position alert carries (entry or exit with its kind, the kernel's fill price,
     * fill and signal candles; `kernelEventSchema`, shared/db/queries/kernel-events.ts); null for other alerts.
     * The bot's `/signals` and the Dashboard list these, so they show what the alerts said.
     */
    event: jsonb('event'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('alerts_signal_channel_uq').on(t.signalId, t.channel),
    uniqueIndex('alerts_dedupe_channel_uq').on(t.dedupeKey, t.channel),
  ],
);

export const liveKernels = pgTable(
  'live_kernels',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    strategyId: text('strategy_id').notNull(),
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').notNull(),
    /** The execution kernel's state (`kernelStateSchema`, shared/execution/state.ts) after the last stepped candle. */
    state: jsonb('state').notNull(),
    /** Open time of the last candle stepped (= state.lastTime). */
    lastCandleTime: bigint('last_candle_time', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('live_kernels_series_uq').on(t.strategyId, t.venue, t.symbol, t.timeframe)],
);

export type SignalRow = typeof signals.$inferSelect;
export type LiveKernelRow = typeof liveKernels.$inferSelect;
export type NewSignalRow = typeof signals.$inferInsert;
export type AlertRow = typeof alerts.$inferSelect;
export type NewAlertRow = typeof alerts.$inferInsert;
