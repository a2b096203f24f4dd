/**
 * system-alert job: records an operational alert (stale heartbeat, recovery, import partial …) exactly once per
 * dedupe key; delivery goes through the same alert pipeline as signal alerts.
 */
import { alerts } from '../../shared/db/schema';
import type { JobDeps } from './consumer';
import type { JobMessage } from './messages';

export async function runSystemAlert(msg: Extract<JobMessage, { kind: 'system-alert' }>, deps: JobDeps): Promise<void> {
  await deps.db
    .insert(alerts)
    .values({ dedupeKey: msg.dedupeKey, channel: 'telegram', message: msg.text, status: 'pending' })
    .onConflictDoNothing();
}
