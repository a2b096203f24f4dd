/**
 * Operations tables: queue messages that could not be processed (malformed, or dead-lettered after their
 * retries), kept with the reason so nothing bad disappears silently.
 */
import { bigserial, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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

export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type NewDeadLetterRow = typeof deadLetters.$inferInsert;
