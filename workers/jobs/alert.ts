/**
 * Alert delivery: one `alerts` row → one Telegram message, exactly once as far as the database can tell.
 *
 * `deliverAlert` takes a send slot from the pacer (TELEGRAM_PACER: ≤ 1 message/s per chat, ≤ 30/s per bot),
 * claims the row with a guarded transition (pending | failed → sending, attempts + 1), sends through grammY's `Api`
 * (pointed at TELEGRAM_API_ROOT), then records `sent` with `sent_at` and the Telegram message id. A redelivered job
 * for a `sent` (or `muted`, `dead`, `uncertain`) row does nothing. A `sending` row is never sent again: if the `sent`
 * write fails after Telegram accepted, or the delivery died mid-flight (lease expired), the row is `uncertain`.
 * Telegram's flood control (429) blocks the pacer for `retry_after`, gives the attempt back and re-enqueues the
 * alert for then (the rest of the batch defers too); any other failure records `failed` + last_error and is
 * rethrown for the consumer's backoff. After the retries, `onDead` records `dead`. An unknown alert id is recorded
 * in `dead_letters`.
 *
 * `enqueueSignalAlert` is what the cron calls for a new BUY/SELL signal: it inserts the row idempotently (unique
 * signal + channel) and enqueues the `alert` job only when the row is new; a muted strategy's alert is recorded as
 * `muted` and never sent.
 */
import { and, eq, gt, inArray, lt, notInArray, sql } from 'drizzle-orm';
import { GrammyError, HttpError } from 'grammy';
import { alerts, signals, strategies } from '../../shared/db/schema';
import type { Db } from '../db';
import { getConfig, type AppConfig, type Env } from '../env';
import { TransientError } from '../errors';
import { telegramApi, telegramSettings } from '../telegram/config';
import { clip, formatSignalAlert } from '../telegram/format';
import { pacerFor } from '../heartbeat/pacer';
import type { JobDeps } from './consumer';
import { recordDeadLetter } from './dead-letter';
import type { JobMessage } from './messages';
import { log as rootLog } from '../observability/logger';

export type AlertJob = Extract<JobMessage, { kind: 'alert' }>;

export const ALERT_CHANNEL = 'telegram';
/** A `sending` row older than this is assumed abandoned (the delivery died between claim and record). */
export const SENDING_LEASE_SECONDS = 120;
/** Used when Telegram answers 429 without `retry_after`. */
const DEFAULT_RETRY_AFTER = 5;

export type DeliveryOutcome = 'sent' | 'already-sent' | 'skipped' | 'not-found' | 'telegram-disabled' | 'uncertain' | 'deferred' | 'rate-limited';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  alertId: number;
  status?: string;
  messageId?: number;
  retryAfterSeconds?: number;
}

function log(event: Record<string, unknown>): void {
  rootLog.info('alert', { at: 'alert', ...event });
}

async function markFailed(db: Db, alertId: number, error: string): Promise<void> {
  await db
    .update(alerts)
    .set({ status: 'failed', lastError: error.slice(0, 1000), updatedAt: sql`now()` })
    .where(and(eq(alerts.id, alertId), eq(alerts.status, 'sending')));
}

export interface DeliveryDeps {
  db: Db;
  config: AppConfig;
  /** With it: the send is paced (TELEGRAM_PACER) and a 429 re-enqueues the alert without using up an attempt. */
  env?: Env;
  /** Test hook: runs between Telegram's acceptance and the `sent` write (the soak uses it to lose that write). */
  afterAccepted?: (alertId: number) => Promise<void>;
}

/** A pacing wait up to this long happens inline; a longer one re-enqueues the alert for later. */
export const MAX_INLINE_WAIT_MS = 3000;
/** Tries of a row write after the send (`sent`, or back to failed / pending), before giving up on it. */
const WRITE_TRIES = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A write that must not be lost after the send, tried `WRITE_TRIES` times with a short backoff (a dropped
 * connection is the usual cause). Returns the last error, or undefined once it succeeded.
 */
async function writeWithRetry(write: () => Promise<unknown>): Promise<unknown> {
  let last: unknown;
  for (let i = 0; i < WRITE_TRIES; i++) {
    try {
      await write();
      return undefined;
    } catch (err) {
      last = err;
      if (i < WRITE_TRIES - 1) await sleep(100 * 2 ** i);
    }
  }
  return last;
}

/** Re-enqueue an alert for later: a new message (the queue's attempt count starts again), the row untouched. */
async function deferAlert(env: Env, alertId: number, delayMs: number): Promise<void> {
  await env.JOBS.send(alertJob(alertId), { delaySeconds: Math.max(1, Math.ceil(delayMs / 1000)) });
}

/**
 * Deliver one alert row; safe to call any number of times for the same id.
 *
 * At most once, even under partial failure: a row moves pending | failed → sending (claimed) → sent. Once a row
 * is `sending`, Telegram may have the message, so it is never sent again automatically: if the `sent` write fails
 * after Telegram accepted the message (retried a few times), the row becomes `uncertain` with the Telegram message
 * id; and a `sending` row whose lease expired (the delivery died mid-flight) also becomes `uncertain` rather than
 * being re-sent. `uncertain` rows are counted on /api/health and the Dashboard, for a human to look at.
 */
export async function deliverAlert(deps: DeliveryDeps, alertId: number): Promise<DeliveryResult> {
  const { db, config } = deps;
  const settings = telegramSettings(config);
  if (!settings) {
    // Not configured (local dev without a bot): leave the row pending, say why, and do not retry.
    await db
      .update(alerts)
      .set({ lastError: 'telegram not configured (TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID)', updatedAt: sql`now()` })
      .where(and(eq(alerts.id, alertId), eq(alerts.status, 'pending')));
    log({ alertId, outcome: 'telegram-disabled' });
    return { outcome: 'telegram-disabled', alertId };
  }

  // Pacing (≤ 1/s per chat, ≤ 30/s per bot) and flood control, before the row is claimed.
  const pacer = deps.env ? pacerFor(deps.env, settings.botInfo.id) : null;
  if (pacer && deps.env) {
    const slot = await pacer.reserve(String(settings.alertChatId), MAX_INLINE_WAIT_MS);
    if (!slot.ok) {
      await deferAlert(deps.env, alertId, slot.retryAfterMs);
      log({ alertId, outcome: 'deferred', reason: slot.reason, retryAfterMs: slot.retryAfterMs });
      return { outcome: 'deferred', alertId };
    }
    if (slot.waitMs > 0) await sleep(slot.waitMs);
  }

  const [claimed] = await db
    .update(alerts)
    .set({ status: 'sending', attempts: sql`${alerts.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(alerts.id, alertId), inArray(alerts.status, ['pending', 'failed'])))
    .returning({ id: alerts.id, message: alerts.message, signalId: alerts.signalId, attempts: alerts.attempts });

  if (!claimed) {
    // A `sending` row past its lease: the delivery that claimed it died after the claim — maybe after Telegram
    // accepted the message. Never send it again automatically: it becomes `uncertain`.
    const [expired] = await db
      .update(alerts)
      .set({ status: 'uncertain', lastError: 'delivery interrupted after the claim: Telegram may or may not have the message', updatedAt: sql`now()` })
      .where(and(eq(alerts.id, alertId), eq(alerts.status, 'sending'), lt(alerts.updatedAt, sql`now() - make_interval(secs => ${SENDING_LEASE_SECONDS})`)))
      .returning({ id: alerts.id });
    if (expired) {
      log({ alertId, outcome: 'uncertain', reason: 'lease expired while sending' });
      return { outcome: 'uncertain', alertId, status: 'uncertain' };
    }
    const [row] = await db.select({ status: alerts.status }).from(alerts).where(eq(alerts.id, alertId)).limit(1);
    if (!row) {
      log({ alertId, outcome: 'not-found' });
      return { outcome: 'not-found', alertId };
    }
    if (row.status === 'sending') {
      // Another delivery holds the lease: look again later (it will be `sent`, or `uncertain` after the lease).
      throw new TransientError(`alert ${alertId} is being delivered by another attempt`, SENDING_LEASE_SECONDS / 2);
    }
    const outcome: DeliveryOutcome = row.status === 'sent' ? 'already-sent' : 'skipped';
    log({ alertId, outcome, status: row.status });
    return { outcome, alertId, status: row.status };
  }

  let messageId: number;
  try {
    const sent = await telegramApi(settings).sendMessage(settings.alertChatId, clip(claimed.message), {
      link_preview_options: { is_disabled: true },
    });
    messageId = sent.message_id;
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 429) {
      const retryAfter = err.parameters.retry_after ?? DEFAULT_RETRY_AFTER;
      if (pacer && deps.env) {
        // Flood control is not a failed delivery: the row goes back to pending with its attempt given back, the
        // bot is blocked for retry_after (the rest of the batch waits too), and the alert is re-enqueued then.
        await pacer.block(Date.now() + retryAfter * 1000);
        // Telegram refused it: the row must leave `sending`, or its lease would make it `uncertain`, never sent.
        const lost = await writeWithRetry(() =>
          db
            .update(alerts)
            .set({ status: 'pending', attempts: sql`greatest(${alerts.attempts} - 1, 0)`, lastError: `429 ${err.description}`.slice(0, 1000), updatedAt: sql`now()` })
            .where(and(eq(alerts.id, alertId), eq(alerts.status, 'sending'))),
        );
        if (lost !== undefined) throw lost;
        await deferAlert(deps.env, alertId, retryAfter * 1000);
        log({ alertId, outcome: 'rate-limited', retryAfter, attempts: claimed.attempts - 1 });
        return { outcome: 'rate-limited', alertId, retryAfterSeconds: retryAfter };
      }
      await writeWithRetry(() => markFailed(db, alertId, `429 ${err.description}`));
      log({ alertId, outcome: 'rate-limited', retryAfter, attempts: claimed.attempts });
      throw new TransientError(`Telegram flood control: retry after ${retryAfter}s`, retryAfter, { cause: err });
    }
    const reason =
      err instanceof GrammyError
        ? `${err.error_code} ${err.description}`
        : err instanceof HttpError
          ? `network: ${String(err.error)}`
          : String(err);
    // Telegram did not take it: back to `failed` for the retry. A write lost here (after its tries) leaves the row
    // `sending`, which its lease turns `uncertain`: visible, never sent twice.
    const lost = await writeWithRetry(() => markFailed(db, alertId, reason));
    log({ alertId, outcome: 'failed', reason, attempts: claimed.attempts, ...(lost === undefined ? {} : { failedWriteLost: String(lost) }) });
    throw err;
  }

  // Telegram has the message. From here on nothing may send it again.
  const lastWriteError = await writeWithRetry(async () => {
    await deps.afterAccepted?.(alertId);
    await db
      .update(alerts)
      .set({ status: 'sent', sentAt: sql`now()`, externalId: String(messageId), lastError: null, updatedAt: sql`now()` })
      .where(eq(alerts.id, alertId));
  });
  if (lastWriteError !== undefined) {
    const reason = `Telegram accepted message ${messageId} but recording sent failed: ${String(lastWriteError)}`.slice(0, 1000);
    try {
      await db
        .update(alerts)
        .set({ status: 'uncertain', externalId: String(messageId), lastError: reason, updatedAt: sql`now()` })
        .where(and(eq(alerts.id, alertId), eq(alerts.status, 'sending')));
    } catch {
      /* the row stays `sending`; its lease expiry turns it `uncertain` (never re-sent) */
    }
    log({ alertId, outcome: 'uncertain', messageId, reason });
    return { outcome: 'uncertain', alertId, messageId, status: 'uncertain' };
  }
  if (claimed.signalId !== null) {
    try {
      await db
        .update(signals)
        .set({ sentAt: sql`now()` })
        .where(and(eq(signals.id, claimed.signalId), sql`${signals.sentAt} IS NULL`));
    } catch (err) {
      log({ alertId, warning: 'signal sent_at not recorded', error: String(err) });
    }
  }
  log({ alertId, outcome: 'sent', messageId, attempts: claimed.attempts });
  return { outcome: 'sent', alertId, messageId };
}

/**
 * Retries exhausted: the row is `dead` — unless it is still `sending`: a delivery claimed it and never recorded the
 * outcome, so Telegram may have the message; it becomes `uncertain` (counted, for a human), never `dead`. A `sent`,
 * `muted` or `uncertain` row is left alone.
 */
export async function markAlertDead(db: Db, where: { alertId: number } | { dedupeKey: string }): Promise<void> {
  const target = 'alertId' in where ? eq(alerts.id, where.alertId) : and(eq(alerts.dedupeKey, where.dedupeKey), eq(alerts.channel, ALERT_CHANNEL));
  await db
    .update(alerts)
    .set({ status: 'uncertain', lastError: 'retries exhausted while sending: Telegram may or may not have the message', updatedAt: sql`now()` })
    .where(and(target, eq(alerts.status, 'sending')));
  await db
    .update(alerts)
    .set({ status: 'dead', updatedAt: sql`now()` })
    .where(and(target, notInArray(alerts.status, ['sent', 'muted', 'uncertain'])));
}

export async function runAlert(msg: AlertJob, deps: JobDeps): Promise<void> {
  const r = await deliverAlert(deps, msg.alertId);
  if (r.outcome === 'not-found') {
    // An id with no row: retrying cannot fix it, and acking it silently would hide it. Recorded, then acked.
    await recordDeadLetter(deps.db, { queue: 'jobs', messageId: msg.key, kind: msg.kind, body: msg, reason: `no alert row ${msg.alertId}`, attempts: 1 });
  }
}

export async function onDeadAlert(msg: AlertJob, deps: JobDeps): Promise<void> {
  await markAlertDead(deps.db, { alertId: msg.alertId });
}

export function alertJob(alertId: number): AlertJob {
  return { kind: 'alert', key: `alert:${alertId}`, alertId };
}

export interface EnqueueSignalAlertResult {
  alertId: number;
  /** The row was inserted by this call (false: it already existed, nothing was enqueued). */
  created: boolean;
  /** The strategy is muted: recorded as `muted`, never sent. */
  muted: boolean;
  enqueued: boolean;
}

/**
 * Record the Telegram alert for a signal and enqueue its delivery, once per signal whatever the cron does twice.
 * `message` defaults to the standard format (strategy, symbol, side, price, reason, Lab link).
 */
export async function enqueueSignalAlert(db: Db, env: Env, signalId: number, message?: string): Promise<EnqueueSignalAlertResult> {
  const [row] = await db
    .select({ signal: signals, muted: strategies.muted })
    .from(signals)
    .leftJoin(strategies, eq(strategies.id, signals.strategyId))
    .where(eq(signals.id, signalId))
    .limit(1);
  if (!row) throw new Error(`enqueueSignalAlert: no signal ${signalId}`);
  const muted = row.muted === true;
  const labUrl = getConfig(env).PUBLIC_LAB_URL?.replace(/\/+$/, '');
  const text = clip(message ?? formatSignalAlert(row.signal, labUrl));

  const inserted = await db
    .insert(alerts)
    .values({ signalId, dedupeKey: `signal:${signalId}`, channel: ALERT_CHANNEL, message: text, status: muted ? 'muted' : 'pending' })
    .onConflictDoNothing()
    .returning({ id: alerts.id });
  if (inserted[0]) {
    const alertId = inserted[0].id;
    if (muted) {
      log({ alertId, signalId, outcome: 'muted', strategy: row.signal.strategyId });
      return { alertId, created: true, muted, enqueued: false };
    }
    await env.JOBS.send(alertJob(alertId));
    return { alertId, created: true, muted, enqueued: true };
  }
  const [existing] = await db
    .select({ id: alerts.id, status: alerts.status })
    .from(alerts)
    .where(and(eq(alerts.signalId, signalId), eq(alerts.channel, ALERT_CHANNEL)))
    .limit(1);
  if (!existing) throw new Error(`enqueueSignalAlert: alert for signal ${signalId} neither inserted nor found`);
  return { alertId: existing.id, created: false, muted: existing.status === 'muted', enqueued: false };
}

/**
 * Safety net for the cron: re-enqueue alerts left `pending`/`failed`/`sending` for longer than `olderThanMs`
 * (an enqueue lost after the insert, a delivery that died). Delivery is idempotent, so a duplicate job is harmless.
 */
export async function requeueStuckAlerts(
  db: Db,
  env: Env,
  opts: { olderThanMs?: number; maxAgeMs?: number; limit?: number } = {},
): Promise<number> {
  if (!telegramSettings(getConfig(env))) return 0;
  const olderThanSeconds = Math.max(SENDING_LEASE_SECONDS, Math.round((opts.olderThanMs ?? 15 * 60_000) / 1000));
  // An alert older than this is news no longer: it stays as it is instead of arriving hours late.
  const maxAgeSeconds = Math.round((opts.maxAgeMs ?? 6 * 3_600_000) / 1000);
  const rows = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(
      and(
        inArray(alerts.status, ['pending', 'failed', 'sending']),
        lt(alerts.updatedAt, sql`now() - make_interval(secs => ${olderThanSeconds})`),
        gt(alerts.createdAt, sql`now() - make_interval(secs => ${maxAgeSeconds})`),
      ),
    )
    .orderBy(alerts.id)
    .limit(opts.limit ?? 50);
  if (rows.length === 0) return 0;
  await env.JOBS.sendBatch(rows.map((r) => ({ body: alertJob(r.id) })));
  return rows.length;
}
