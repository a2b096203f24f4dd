/**
 * The 5-minute cron cycle: ingest closed candles for each configured series, evaluate the live strategies on the
 * newest closed candle, enqueue alerts, and beat the heartbeats. Each stage is isolated: one venue failing never
 * blocks the others, and every stage reports to its heartbeat role. Beats carry the wall-clock time of the beat
 * (the Durable Object's own clock), not the cycle's scheduled time: a heartbeat says the Worker is alive now, even
 * when a cycle is replaying recorded market time.
 */
import { getConfig, type Env } from '../env';
import { openDb } from '../db';
import { beat } from '../heartbeat/monitor';
import { CRON_INTERVAL_MS, runIngestion } from './ingest';
import { runSignals } from './signals';
import { requeueStuckAlerts } from '../jobs/alert';

export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = getConfig(env);
  const now = controller.scheduledTime;
  const handle = openDb(config);
  try {
    const ingest = await runIngestion({ env, config, db: handle.db, now });
    await beat(env, {
      role: 'ingest',
      ok: ingest.failed === 0,
      detail: ingest.summary,
      intervalMs: CRON_INTERVAL_MS,
      metrics: { series: ingest.series, rows: ingest.rows, failed: ingest.failed },
    });
    const outcomes = await runSignals({ env, config, db: handle.db, now });
    const errors = outcomes.filter((o) => o.status === 'error' || o.status === 'stale');
    await beat(env, {
      role: 'signals',
      ok: errors.length === 0,
      intervalMs: CRON_INTERVAL_MS,
      detail: outcomes.length
        ? outcomes.map((o) => `${o.strategyId} ${o.venue} ${o.symbol}: ${o.action ?? o.status}${o.status === 'signal' || o.status === 'hold' ? '' : ` (${o.detail})`}`).join('; ')
        : 'no live strategies configured',
      metrics: { evaluated: outcomes.length, signals: outcomes.filter((o) => o.status === 'signal').length, errors: errors.length },
    });
    // Safety net for alert delivery: re-enqueue alerts stuck in pending/failed/sending (delivery is idempotent).
    const requeued = await requeueStuckAlerts(handle.db, env);
    await beat(env, {
      role: 'alerts',
      ok: true,
      intervalMs: CRON_INTERVAL_MS,
      detail: requeued ? `re-enqueued ${requeued} stuck alert(s)` : 'no stuck alerts',
      metrics: { requeued },
    });
  } finally {
    ctx.waitUntil(handle.close());
  }
}
