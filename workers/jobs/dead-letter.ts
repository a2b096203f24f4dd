/**
 * Recording a message that will not be retried (malformed, or naming a row that does not exist) in `dead_letters`
 * with its reason, once per (queue, message id). Its own module so job handlers and the consumer that dispatches
 * to them can both use it without importing each other.
 */
import { sql } from 'drizzle-orm';
import { deadLetters } from '../../shared/db/schema';
import type { Db } from '../db';

export async function recordDeadLetter(
  db: Db,
  row: { queue: string; messageId: string; kind: string | null; body: unknown; reason: string; attempts: number },
): Promise<void> {
  await db
    .insert(deadLetters)
    .values({ ...row, body: row.body as object })
    .onConflictDoUpdate({
      target: [deadLetters.queue, deadLetters.messageId],
      set: { reason: row.reason, attempts: row.attempts, createdAt: sql`now()` },
    });
}
