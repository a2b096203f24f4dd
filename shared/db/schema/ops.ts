/**
 * Operations tables: queue messages that could not be processed (malformed, or dead-lettered after their
 * retries), kept with the reason so nothing bad disappears silently; and the Telegram updates the webhook has
 * already taken (a replayed `update_id` gets no second reply).
 */
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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

export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type NewDeadLetterRow = typeof deadLetters.$inferInsert;
