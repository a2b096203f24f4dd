/**
 * Operations tables: queue messages that could not be processed (malformed, or dead-lettered after their
 * retries), kept with the reason so nothing bad disappears silently; the Telegram updates the webhook has
 * already taken (a replayed `update_id` gets no second reply); the operator counters behind /api/metrics; and the
 * muted notification kinds.
 */
import { bigint, bigserial, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    queue: text('queue').notNull(),
    messageId: text('message_id').notNull(),
    kind: text('kind'),
    body: jsonb('body'),
    reason: text('reason').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('dead_letters_queue_message_uq').on(t.queue, t.messageId)],
);

/**
 * Telegram `update_id`s the webhook has claimed (insert-or-nothing before the bot runs). Telegram redelivers an
 * update it thinks was not answered; this makes the second delivery a no-op. Rows older than a few days are
 * pruned by the cron sweeper (Telegram keeps undelivered updates for 24 hours).
 */
export const telegramUpdates = pgTable(
  'telegram_updates',
  {
    updateId: bigint('update_id', { mode: 'number' }).primaryKey(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('telegram_updates_received_idx').on(t.receivedAt)],
);

/**
 * Monotonic counters for /api/metrics (Prometheus counters), upserted (`value + n`) by the stage that counts:
 * the cron (ingested rows and failed fetches per venue, stage outcomes), the queue consumer (jobs by kind and
 * outcome). In the database, not isolate memory, so every isolate adds to the same number and a restart loses
 * nothing. `labels` is a flat JSON object of label → value (one row per label set).
 */
export const opsCounters = pgTable(
  'ops_counters',
  {
    name: text('name').notNull(),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    value: doublePrecision('value').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.name, t.labels] })],
);

/** Operator notification kinds muted (via the bot's `/mute <kind>` or the API): their alerts are recorded `muted`, never sent. */
export const notificationMutes = pgTable('notification_mutes', {
  kind: text('kind').primaryKey(),
  /** Who muted it: `telegram:<user id>` or `api:<Access email>`. */
  mutedBy: text('muted_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type NewDeadLetterRow = typeof deadLetters.$inferInsert;
