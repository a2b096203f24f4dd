/**
 * The 5-minute cron cycle: ingest closed candles for each configured series, evaluate the live strategies on the
 * newest closed candle, settle the paper accounts (workers/cron/paper.ts), enqueue alerts, and beat the heartbeats
 * (the paper stage beats the `research` role). Each stage is isolated: one venue failing never
 * blocks the others, and every stage reports to its heartbeat role. Beats carry the wall-clock time of the beat
 * (the Durable Object's own clock), not the cycle's scheduled time: a heartbeat says the Worker is alive now, even
 * when a cycle is replaying recorded market time.
 */
import { getConfig, type Env } from '../env';
import { openDb } from '../db';
import { beat } from '../heartbeat/monitor';
import { CRON_INTERVAL_MS, runIngestion } from './ingest';
import { runSignals } from './signals';
import { runPaper } from './paper';
import { runBookSnapshots } from './book-snapshots';
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
    // Order-book snapshots (workers/cron/book-snapshots.ts): logged; a failure never blocks the stages after it.
    await runBookSnapshots({ config, db: handle.db, now }).then(
      (r) => console.log(JSON.stringify({ at: 'book-snapshots', summary: r.summary, wallMs: r.wallMs, ...r.timing })),
      (err: unknown) => console.error(JSON.stringify({ at: 'book-snapshots', error: String(err).slice(0, 300) })),
    );
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
    // Paper trading: fill the paper strategies' recorded signals at the next candle's open, mark, daily comparison.
    // A failure here never blocks the alert safety net below: it is reported on the heartbeat.
    let paper: Awaited<ReturnType<typeof runPaper>> = [];
    let paperFailure: string | null = null;
    try {
      paper = await runPaper({ config, db: handle.db, now });
    } catch (err) {
      paperFailure = (err as Error).message.slice(0, 300);
    }
    const paperErrors = paper.filter((p) => p.status === 'error');
    await beat(env, {
      role: 'research',
      ok: paperErrors.length === 0 && paperFailure === null,
      intervalMs: CRON_INTERVAL_MS,
      detail: paperFailure
        ? `paper stage failed: ${paperFailure}`
        : paper.length
          ? `paper: ${paper.map((p) => `${p.strategyId} ${p.venue} ${p.symbol}: ${p.detail}`).join('; ')}`
          : 'paper: no strategy in paper',
      metrics: { accounts: paper.length, fills: paper.reduce((a, p) => a + p.fills, 0), errors: paperErrors.length + (paperFailure ? 1 : 0) },
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
