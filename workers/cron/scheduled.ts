/**
 * The 5-minute cron cycle: ingest closed candles for each configured series, evaluate the live strategies on the
 * newest closed candle, settle the paper accounts (workers/cron/paper.ts), re-enqueue stuck alerts, sweep work
 * stuck in `running` (workers/cron/sweeper.ts), and beat the heartbeats (the paper stage beats the `research`
 * role). Every stage is guarded on its own: a stage that throws — or a heartbeat that cannot be written — is
 * logged and reported on its role's heartbeat (ok:false with the reason), and the next stage still runs; one
 * failing stage never skips the others. Beats carry the wall-clock time of the beat (the Durable Object's own
 * clock), not the cycle's scheduled time: a heartbeat says the Worker is alive now, even when a cycle is replaying
 * recorded market time.
 */
import { getConfig, type Env } from '../env';
import { openDb } from '../db';
import { beat, type BeatInput } from '../heartbeat/monitor';
import { CRON_INTERVAL_MS, runIngestion } from './ingest';
import { runSignals } from './signals';
import { runPaper } from './paper';
import { runBookSnapshots } from './book-snapshots';
import { requeueStuckAlerts } from '../jobs/alert';
import { sweepStuck } from './sweeper';
import { cronTraceId, log, withTrace } from '../observability/logger';
import { recordCycleCounters, runNotifications } from './notifications';

export interface StageReport {
  stage: string;
  ok: boolean;
  error?: string;
  /** Wall time of the stage, ms. */
  ms?: number;
}

const cronLog = log.child({ at: 'cron' });

/** A heartbeat that can fail without taking the cycle with it. */
async function safeBeat(env: Env, input: BeatInput, reports: StageReport[]): Promise<void> {
  try {
    await beat(env, input);
  } catch (err) {
    cronLog.error('heartbeat failed', { stage: `beat:${input.role}`, error: String(err) });
    reports.push({ stage: `beat:${input.role}`, ok: false, error: String(err).slice(0, 300) });
  }
}

/** Run one stage; its failure is reported, never thrown. */
async function stage<T>(name: string, reports: StageReport[], fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const started = Date.now();
  try {
    const value = await fn();
    reports.push({ stage: name, ok: true, ms: Date.now() - started });
    return { ok: true, value };
  } catch (err) {
    const error = ((err as Error).message ?? String(err)).slice(0, 300);
    cronLog.error('stage failed', { stage: name, error, stack: (err as Error).stack });
    reports.push({ stage: name, ok: false, error, ms: Date.now() - started });
    return { ok: false, error };
  }
}

export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  await withTrace(cronTraceId(controller.scheduledTime), () => runCycle(controller, env, ctx));
}

/** One cycle; returns what each stage did (tests and the soak read it). `deps.openDb` lets the fault soak wrap the pool. */
export async function runCycle(
  controller: Pick<ScheduledController, 'scheduledTime'>,
  env: Env,
  ctx: ExecutionContext,
  deps: { openDb?: typeof openDb } = {},
): Promise<StageReport[]> {
  const config = getConfig(env);
  const now = controller.scheduledTime;
  const handle = (deps.openDb ?? openDb)(config);
  const reports: StageReport[] = [];
  try {
    const ingest = await stage('ingest', reports, () => runIngestion({ env, config, db: handle.db, now }));
    await safeBeat(
      env,
      ingest.ok
        ? {
            role: 'ingest',
            ok: ingest.value.failed === 0,
            detail: ingest.value.summary,
            intervalMs: CRON_INTERVAL_MS,
            metrics: { series: ingest.value.series, rows: ingest.value.rows, failed: ingest.value.failed },
          }
        : { role: 'ingest', ok: false, detail: `ingest stage failed: ${ingest.error}`, intervalMs: CRON_INTERVAL_MS },
      reports,
    );

    // Order-book snapshots (workers/cron/book-snapshots.ts): guarded like every stage, logged with its timing.
    const books = await stage('book-snapshots', reports, () => runBookSnapshots({ config, db: handle.db, now }));
    if (books.ok) cronLog.info('book snapshots', { stage: 'book-snapshots', summary: books.value.summary, wallMs: books.value.wallMs, ...books.value.timing });

    const sig = await stage('signals', reports, () => runSignals({ env, config, db: handle.db, now }));
    if (sig.ok) {
      const outcomes = sig.value;
      const errors = outcomes.filter((o) => o.status === 'error' || o.status === 'stale');
      await safeBeat(
        env,
        {
          role: 'signals',
          ok: errors.length === 0,
          intervalMs: CRON_INTERVAL_MS,
          detail: outcomes.length
            ? outcomes.map((o) => `${o.strategyId} ${o.venue} ${o.symbol}: ${o.action ?? o.status}${o.status === 'signal' || o.status === 'hold' ? '' : ` (${o.detail})`}`).join('; ')
            : 'no live strategies configured',
          metrics: { evaluated: outcomes.length, signals: outcomes.filter((o) => o.status === 'signal').length, errors: errors.length },
        },
        reports,
      );
    } else {
      await safeBeat(env, { role: 'signals', ok: false, intervalMs: CRON_INTERVAL_MS, detail: `signals stage failed: ${sig.error}` }, reports);
    }

    // Paper trading: fill the paper strategies' recorded signals at the next candle's open, mark, daily comparison.
    const paper = await stage('paper', reports, () => runPaper({ config, db: handle.db, now, jobs: env.JOBS }));
    const paperRows = paper.ok ? paper.value : [];
    const paperErrors = paperRows.filter((p) => p.status === 'error');
    await safeBeat(
      env,
      {
        role: 'research',
        ok: paper.ok && paperErrors.length === 0,
        intervalMs: CRON_INTERVAL_MS,
        detail: !paper.ok
          ? `paper stage failed: ${paper.error}`
          : paperRows.length
            ? `paper: ${paperRows.map((p) => `${p.strategyId} ${p.venue} ${p.symbol}: ${p.detail}`).join('; ')}`
            : 'paper: no strategy in paper',
        metrics: { accounts: paperRows.length, fills: paperRows.reduce((a, p) => a + p.fills, 0), errors: paperErrors.length + (paper.ok ? 0 : 1) },
      },
      reports,
    );

    // Safety net for alert delivery: re-enqueue alerts stuck in pending/failed/sending (delivery is idempotent;
    // a `sending` row past its lease becomes `uncertain`, never a second message).
    const requeue = await stage('alerts', reports, () => requeueStuckAlerts(handle.db, env));
    // Work stuck in `running` past its timeout ends failed with the reason.
    const swept = await stage('sweeper', reports, () =>
      sweepStuck(handle.db, {
        // Deferred PBO ranges whose send failed are re-sent (same keys) after the sweeper's timeout.
        enqueue: async (m) => {
          for (let i = 0; i < m.length; i += 100) await env.JOBS.sendBatch(m.slice(i, i + 100).map((body) => ({ body })));
        },
      }),
    );
    const requeued = requeue.ok ? requeue.value : 0;
    const sweptText = swept.ok
      ? [swept.value.files && `${swept.value.files} stuck file(s)`, swept.value.runs && `${swept.value.runs} stuck run(s)`, swept.value.chunks && `${swept.value.chunks} stuck chunk(s)`].filter(Boolean).join(', ')
      : `sweeper failed: ${swept.error}`;
    await safeBeat(
      env,
      {
        role: 'alerts',
        ok: requeue.ok && swept.ok,
        intervalMs: CRON_INTERVAL_MS,
        detail: [requeue.ok ? (requeued ? `re-enqueued ${requeued} stuck alert(s)` : 'no stuck alerts') : `alert re-queue failed: ${requeue.error}`, sweptText && `swept: ${sweptText}`]
          .filter(Boolean)
          .join('; '),
        metrics: { requeued, ...(swept.ok ? { sweptFiles: swept.value.files, sweptRuns: swept.value.runs, sweptChunks: swept.value.chunks } : {}) },
      },
      reports,
    );

    // Operator notifications (daily paper PnL, paper drawdown, strategy demoted/stopped; workers/cron/notifications.ts),
    // then this cycle's counters for /api/metrics (ingested rows and failed fetches per venue, stage outcomes).
    await stage('notifications', reports, () => runNotifications({ env, config, db: handle.db, now }));
    await stage('counters', reports, () => recordCycleCounters(handle.db, { ingest: ingest.ok ? ingest.value : null, stages: reports }));
  } finally {
    ctx.waitUntil(handle.close());
  }
  return reports;
}
