/**
 * The Worker's side of the application layer's `Enqueue` port: send job messages to the JOBS queue in batches of
 * 100 (the Queues `sendBatch` limit).
 */
import type { Enqueue } from '../../shared/app/ports';
import type { JobMessage } from './messages';

export const QUEUE_BATCH_LIMIT = 100;

export function jobsEnqueue<T extends JobMessage>(queue: Queue<JobMessage>): Enqueue<T> {
  return async (messages) => {
    for (let i = 0; i < messages.length; i += QUEUE_BATCH_LIMIT) await queue.sendBatch(messages.slice(i, i + QUEUE_BATCH_LIMIT).map((body) => ({ body })));
  };
}
