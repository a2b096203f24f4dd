/**
 * The queue consumer: parse each message with zod, run its handler, `ack` on success, `retry` with exponential
 * backoff (or the handler's Retry-After) on failure — never ack a failure. Malformed messages are recorded in
 * `dead_letters` with the reason and acked (retrying cannot fix them). Messages arriving on the dead-letter queue
 * have exhausted their retries: the handler's `onDead` records the final state (file dead → job partial …).
 */
import { openDb, type Db } from '../db';
import { getConfig, type AppConfig, type Env } from '../env';
import { TransientError } from '../errors';
import { JobMessageSchema, type JobMessage } from './messages';
import { JOB_HANDLERS } from './handlers';
import { bumpCounters, type CounterIncrement } from '../../shared/db/queries/ops-counters';
import { log, withTrace } from '../observability/logger';
import { recordDeadLetter } from './dead-letter';

export interface JobDeps {
  env: Env;
  config: AppConfig;
  db: Db;
  now: () => number;
}

export function backoffSeconds(attempts: number, err: unknown): number {
  if (err instanceof TransientError && err.retryAfterSeconds !== undefined) return Math.max(1, Math.ceil(err.retryAfterSeconds));
  // attempts starts at 1: 5 s, 10 s, 20 s, 40 s … capped at 10 min, plus up to 20 % jitter.
  const base = Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + Math.random() * 0.2));
}

function kindOf(body: unknown): string | null {
  return body && typeof body === 'object' && 'kind' in body && typeof body.kind === 'string' ? body.kind : null;
}

/** `deps.openDb` lets the fault soak wrap the pool; production uses the real one. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext, opts: { openDb?: typeof openDb } = {}): Promise<void> {
  const config = getConfig(env);
  const handle = (opts.openDb ?? openDb)(config);
  const deps: JobDeps = { env, config, db: handle.db, now: () => Date.now() };
  const dead = batch.queue.endsWith('-dlq');
  // Queue jobs by kind and outcome, for /api/metrics (one upsert per batch, after the messages).
  const counted: CounterIncrement[] = [];
  const count = (kind: string | null, outcome: 'ack' | 'retry' | 'dead' | 'malformed') =>
    counted.push({ name: 'nexara_queue_jobs_total', labels: { kind: kind ?? 'unknown', outcome, queue: batch.queue }, by: 1 });
  try {
    for (const msg of batch.messages) await withTrace(msg.id, async () => {
      const parsed = JobMessageSchema.safeParse(msg.body);
      if (!parsed.success) {
        const reason = `malformed message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
        try {
          await recordDeadLetter(deps.db, {
            queue: batch.queue,
            messageId: msg.id,
            kind: kindOf(msg.body),
            body: msg.body,
            reason,
            attempts: msg.attempts,
          });
          log.warn('queue message malformed', { at: 'queue', queue: batch.queue, id: msg.id, reason });
          msg.ack();
          count(kindOf(msg.body), 'malformed');
        } catch (err) {
          msg.retry({ delaySeconds: backoffSeconds(msg.attempts, err) });
          count(kindOf(msg.body), 'retry');
        }
        return;
      }
      const job: JobMessage = parsed.data;
      const handler = JOB_HANDLERS[job.kind];
      try {
        if (dead) {
          await recordDeadLetter(deps.db, {
            queue: batch.queue,
            messageId: msg.id,
            kind: job.kind,
            body: job,
            reason: 'retries exhausted',
            attempts: msg.attempts,
          });
          await handler.onDead?.(job as never, deps);
        } else {
          await handler.run(job as never, deps);
        }
        msg.ack();
        count(job.kind, dead ? 'dead' : 'ack');
      } catch (err) {
        const delaySeconds = backoffSeconds(msg.attempts, err);
        log.error('queue job failed', { at: 'queue', queue: batch.queue, kind: job.kind, key: job.key, attempts: msg.attempts, delaySeconds, error: String(err) });
        msg.retry({ delaySeconds });
        count(job.kind, 'retry');
      }
    });
    await bumpCounters(deps.db, counted).catch((err) => log.warn('queue counters not recorded', { error: String(err) }));
  } finally {
    ctx.waitUntil(handle.close());
  }
}
