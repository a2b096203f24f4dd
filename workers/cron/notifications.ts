/**
 * Cron notification stage (after paper and the alert re-queue) and the cycle's metric counters.
 *
 * `runNotifications` raises the operator notifications beyond signals (REQ-CORE-003), each through the alert
 * machinery (an `alerts` row unique per dedupe key → an `alert` job → `deliverAlert`: paced, at most once,
 * `uncertain` on a lost `sent` write; the stuck-alert re-queue is the safety net for a lost enqueue):
 *  - `paper-daily`: the previous UTC day's paper PnL summary, once that day's paper_daily rows exist — one per day
 *    however often the cron or the queue repeats;
 *  - `paper-drawdown`: a paper account's equity PAPER_DRAWDOWN_ALERT_PCT or more below its peak (initial equity and
 *    daily closes) — one per account and peak;
 *  - `strategy-status`: a strategy demoted (paper → watch …) or stopped (rejected) in the last day — one per change.
 * Failing services are the heartbeat monitor's alerts (stale, and ok:false three beats in a row): they are not
 * raised again here, only muted by kind (`service`, in the system-alert job). A muted kind's alert is recorded
 * `muted` and never sent.
 *
 * `recordCycleCounters` adds the cycle's numbers to `ops_counters` (ingested and rejected rows, fetches and failed
 * fetches per venue, stage outcomes) for /api/metrics.
 */
import { alerts } from '../../shared/db/schema';
import { bumpCounters, type CounterIncrement } from '../../shared/db/queries/ops-counters';
import { isKindMuted, paperDayRows, paperEquityHistories, recentStatusChanges } from '../../shared/db/queries/notifications';
import {
  dailySummaryKey,
  dailySummaryText,
  drawdownFrom,
  drawdownKey,
  drawdownText,
  isDemotionOrStop,
  strategyStatusKey,
  strategyStatusText,
  summaryDay,
  type NotificationKind,
} from '../../shared/observability/notifications';
import type { Db } from '../db';
import type { AppConfig, Env } from '../env';
import { ALERT_CHANNEL, alertJob } from '../jobs/alert';
import { log } from '../observability/logger';
import type { IngestReport } from './ingest';
import type { StageReport } from './scheduled';

export type NotificationOutcome = 'enqueued' | 'muted' | 'exists';

/**
 * Record one notification (unique per dedupe key) and enqueue its delivery when the row is new; a muted kind's row
 * is recorded `muted` and never sent. Safe to call every cycle for the same key.
 */
export async function enqueueNotification(db: Db, env: Env, n: { kind: NotificationKind; dedupeKey: string; text: string }): Promise<NotificationOutcome> {
  const muted = await isKindMuted(db, n.kind);
  const [row] = await db
    .insert(alerts)
    .values({ dedupeKey: n.dedupeKey, channel: ALERT_CHANNEL, message: n.text.slice(0, 4000), status: muted ? 'muted' : 'pending' })
    .onConflictDoNothing()
    .returning({ id: alerts.id });
  if (!row) return 'exists';
  log.info('notification', { kind: n.kind, dedupeKey: n.dedupeKey, alertId: row.id, muted });
  if (muted) return 'muted';
  await env.JOBS.send(alertJob(row.id));
  return 'enqueued';
}

export interface NotificationsReport {
  dailySummary: NotificationOutcome | 'not-yet';
  drawdowns: number;
  statusChanges: number;
}

/** A day's worth of status changes is looked at each cycle (idempotent by change id). */
const STATUS_LOOKBACK_SECONDS = 86_400;

export async function runNotifications(deps: { env: Env; config: AppConfig; db: Db; now: number }): Promise<NotificationsReport> {
  const { env, config, db, now } = deps;
  const report: NotificationsReport = { dailySummary: 'not-yet', drawdowns: 0, statusChanges: 0 };

  const day = summaryDay(now);
  const rows = await paperDayRows(db, day);
  if (rows.length > 0) {
    const text = dailySummaryText(
      day,
      rows.map((r) => ({ label: `${r.strategyId} ${r.venue} ${r.symbol} ${r.timeframe}`, equity: r.equity, pnl: r.pnl, initialEquity: r.initialEquity, fills: r.fills, divergences: r.divergences })),
    );
    report.dailySummary = await enqueueNotification(db, env, { kind: 'paper-daily', dedupeKey: dailySummaryKey(day), text });
  }

  const threshold = config.PAPER_DRAWDOWN_ALERT_PCT;
  for (const acc of await paperEquityHistories(db)) {
    const dd = drawdownFrom([{ at: acc.since, equity: acc.initialEquity }, ...acc.days.map((d) => ({ at: d.day, equity: d.equity }))], acc.equity);
    if (!dd || dd.pct < threshold) continue;
    const out = await enqueueNotification(db, env, { kind: 'paper-drawdown', dedupeKey: drawdownKey(acc.accountId, dd.peak.at), text: drawdownText(acc.label, dd, threshold) });
    if (out !== 'exists') report.drawdowns++;
  }

  for (const c of await recentStatusChanges(db, STATUS_LOOKBACK_SECONDS)) {
    if (!isDemotionOrStop(c.fromStatus, c.toStatus)) continue;
    const out = await enqueueNotification(db, env, {
      kind: 'strategy-status',
      dedupeKey: strategyStatusKey(c.id),
      text: strategyStatusText({ ...c, at: c.createdAt.getTime() }),
    });
    if (out !== 'exists') report.statusChanges++;
  }
  return report;
}

/** The cycle's counters: per venue ingested/rejected rows, fetches and failed fetches; per stage ok/error. */
export function cycleCounterIncrements(input: { ingest: IngestReport | null; stages: StageReport[] }): CounterIncrement[] {
  const incs: CounterIncrement[] = [];
  for (const o of input.ingest?.outcomes ?? []) {
    const labels = { venue: o.venue };
    incs.push(
      { name: 'nexara_ingested_rows_total', labels, by: o.written },
      { name: 'nexara_rejected_rows_total', labels, by: o.rejected },
      { name: 'nexara_fetches_total', labels, by: 1 },
      { name: 'nexara_fetch_failures_total', labels, by: o.ok ? 0 : 1 },
    );
  }
  for (const s of input.stages) incs.push({ name: 'nexara_cron_stage_runs_total', labels: { stage: s.stage, outcome: s.ok ? 'ok' : 'error' }, by: 1 });
  return incs;
}

export async function recordCycleCounters(db: Db, input: { ingest: IngestReport | null; stages: StageReport[] }): Promise<void> {
  await bumpCounters(db, cycleCounterIncrements(input));
}
