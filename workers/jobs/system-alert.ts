/**
 * system-alert job: records an operational alert (stale heartbeat, recovery, import partial …) exactly once per
 * dedupe key, then delivers it through the same path as signal alerts (`deliverAlert`: guarded status transition,
 * so a redelivered job never sends twice; a 429 retries after Telegram's retry_after).
 */
import { and, eq } from 'drizzle-orm';
import { alerts } from '../../shared/db/schema';
import { isKindMuted } from '../../shared/db/queries/notifications';
import { notificationKindOf } from '../../shared/observability/notifications';
import { ALERT_CHANNEL, deliverAlert, markAlertDead } from './alert';
import type { JobDeps } from './consumer';
import type { JobMessage } from './messages';

type SystemAlertJob = Extract<JobMessage, { kind: 'system-alert' }>;

export async function runSystemAlert(msg: SystemAlertJob, deps: JobDeps): Promise<void> {
  // A muted notification kind (`service` for heartbeat alerts …) is recorded `muted`: deliverAlert then skips it.
  const kind = notificationKindOf(msg.dedupeKey);
  const muted = kind !== null && (await isKindMuted(deps.db, kind));
  const inserted = await deps.db
    .insert(alerts)
    .values({ dedupeKey: msg.dedupeKey, channel: ALERT_CHANNEL, message: msg.text, status: muted ? 'muted' : 'pending' })
    .onConflictDoNothing()
    .returning({ id: alerts.id });
  let alertId = inserted[0]?.id;
  if (alertId === undefined) {
    const [existing] = await deps.db
      .select({ id: alerts.id })
      .from(alerts)
      .where(and(eq(alerts.dedupeKey, msg.dedupeKey), eq(alerts.channel, ALERT_CHANNEL)))
      .limit(1);
    if (!existing) throw new Error(`system-alert ${msg.dedupeKey}: neither inserted nor found`);
    alertId = existing.id;
    // A row written before the job (the paper divergence alert): muted now, so it is never sent.
    if (muted) await deps.db.update(alerts).set({ status: 'muted' }).where(and(eq(alerts.id, alertId), eq(alerts.status, 'pending')));
  }
  await deliverAlert(deps, alertId);
}

export async function onDeadSystemAlert(msg: SystemAlertJob, deps: JobDeps): Promise<void> {
  await markAlertDead(deps.db, { dedupeKey: msg.dedupeKey });
}
