/**
 * Alert delivery: one `alerts` row → one Telegram message, exactly once as far as the database can tell.
 *
 * `deliverAlert` claims the row with a guarded transition (pending | failed → sending, attempts + 1; a `sending`
 * row is reclaimed only after a lease, in case a delivery died mid-flight), sends through grammY's `Api` (pointed at
 * TELEGRAM_API_ROOT), then records `sent` with `sent_at` and the Telegram message id. A redelivered job for a `sent`
 * (or `muted`, or `dead`) row does nothing. Telegram's flood control (429) becomes a TransientError carrying
 * `retry_after`, so the consumer retries after exactly that; any other failure records `failed` + last_error and is
 * rethrown for the consumer's backoff. After the retries, `onDead` records `dead`.
 *
 * `enqueueSignalAlert` is what the cron calls for a new BUY/SELL signal: it inserts the row idempotently (unique
 * signal + channel) and enqueues the `alert` job only when the row is new; a muted strategy's alert is recorded as
 * `muted` and never sent.
 */
import { and, eq, gt, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import { GrammyError, HttpError } from 'grammy';
import { alerts, signals, strategies } from '../../shared/db/schema';
import type { Db } from '../db';
import { getConfig, type AppConfig, type Env } from '../env';
import { TransientError } from '../errors';
import { telegramApi, telegramSettings } from '../telegram/config';
import { clip, formatSignalAlert } from '../telegram/format';
import type { JobDeps } from './consumer';
import type { JobMessage } from './messages';

export type AlertJob = Extract<JobMessage, { kind: 'alert' }>;

export const ALERT_CHANNEL = 'telegram';
/** A `sending` row older than this is assumed abandoned (the delivery died between claim and record). */
export const SENDING_LEASE_SECONDS = 120;
/** Used when Telegram answers 429 without `retry_after`. */
const DEFAULT_RETRY_AFTER = 5;

export type DeliveryOutcome = 'sent' | 'already-sent' | 'skipped' | 'not-found' | 'telegram-disabled';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  alertId: number;
  status?: string;
  messageId?: number;
}

function log(event: Record<string, unknown>): void {
  console.log(JSON.stringify({ at: 'alert', ...event }));
}

async function markFailed(db: Db, alertId: number, error: string): Promise<void> {
  await db
    .update(alerts)
    .set({ status: 'failed', lastError: error.slice(0, 1000), updatedAt: sql`now()` })
    .where(and(eq(alerts.id, alertId), eq(alerts.status, 'sending')));
}

/** Deliver one alert row; safe to call any number of times for the same id. */
export async function deliverAlert(deps: { db: Db; config: AppConfig }, alertId: number): Promise<DeliveryResult> {
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

  const [claimed] = await db
    .update(alerts)
    .set({ status: 'sending', attempts: sql`${alerts.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        eq(alerts.id, alertId),
        or(
          inArray(alerts.status, ['pending', 'failed']),
          and(eq(alerts.status, 'sending'), lt(alerts.updatedAt, sql`now() - make_interval(secs => ${SENDING_LEASE_SECONDS})`)),
        ),
      ),
    )
    .returning({ id: alerts.id, message: alerts.message, signalId: alerts.signalId, attempts: alerts.attempts });

  if (!claimed) {
    const [row] = await db.select({ status: alerts.status }).from(alerts).where(eq(alerts.id, alertId)).limit(1);
    if (!row) {
      log({ alertId, outcome: 'not-found' });
      return { outcome: 'not-found', alertId };
    }
    if (row.status === 'sending') {
      // Another delivery holds the lease: look again later (it will be `sent`, or the lease will have expired).
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
      await markFailed(db, alertId, `429 ${err.description}`);
      log({ alertId, outcome: 'rate-limited', retryAfter, attempts: claimed.attempts });
      throw new TransientError(`Telegram flood control: retry after ${retryAfter}s`, retryAfter, { cause: err });
    }
    const reason =
      err instanceof GrammyError
        ? `${err.error_code} ${err.description}`
        : err instanceof HttpError
          ? `network: ${String(err.error)}`
          : String(err);
    await markFailed(db, alertId, reason);
    log({ alertId, outcome: 'failed', reason, attempts: claimed.attempts });
    throw err;
  }

  await db
    .update(alerts)
    .set({ status: 'sent', sentAt: sql`now()`, externalId: String(messageId), lastError: null, updatedAt: sql`now()` })
    .where(eq(alerts.id, alertId));
  if (claimed.signalId !== null) {
    await db
      .update(signals)
      .set({ sentAt: sql`now()` })
      .where(and(eq(signals.id, claimed.signalId), sql`${signals.sentAt} IS NULL`));
  }
  log({ alertId, outcome: 'sent', messageId, attempts: claimed.attempts });
  return { outcome: 'sent', alertId, messageId };
}

/** Retries exhausted: the row is `dead` (a `sent` or `muted` row is left alone). */
export async function markAlertDead(db: Db, where: { alertId: number } | { dedupeKey: string }): Promise<void> {
  const target = 'alertId' in where ? eq(alerts.id, where.alertId) : and(eq(alerts.dedupeKey, where.dedupeKey), eq(alerts.channel, ALERT_CHANNEL));
  await db
    .update(alerts)
    .set({ status: 'dead', updatedAt: sql`now()` })
    .where(and(target, notInArray(alerts.status, ['sent', 'muted'])));
}

export async function runAlert(msg: AlertJob, deps: JobDeps): Promise<void> {
  await deliverAlert(deps, msg.alertId);
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
