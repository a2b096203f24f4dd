/**
 * The operator metrics /api/metrics serves, as Prometheus families built from a database snapshot
 * (shared/db/queries/metrics.ts): the counters the stages upsert (`COUNTERS`: their names and help), signals,
 * alerts by status and kind (sent / failed / uncertain …), dead letters, and run and sweep-chunk duration
 * histograms. Every family is always present (possibly without samples), so a dashboard never sees one vanish.
 */
import { DURATION_BUCKETS_S, type DurationSeries, type MetricsSnapshot } from '../db/queries/metrics';
import type { MetricFamily } from './prometheus';

/** Counters written by the stages (`bumpCounters`), name → help. */
export const COUNTERS = {
  nexara_ingested_rows_total: 'Candle rows written by the cron ingestion, per venue.',
  nexara_rejected_rows_total: 'Candle rows the cron ingestion rejected (recorded in data_issues), per venue.',
  nexara_fetch_failures_total: 'Failed candle fetches (one per series and cycle), per venue.',
  nexara_fetches_total: 'Candle fetches attempted (one per series and cycle), per venue.',
  nexara_cron_stage_runs_total: 'Cron stage runs by stage and outcome (ok | error).',
  nexara_queue_jobs_total: 'Queue messages handled, by job kind and outcome (ack | retry | dead | malformed).',
} as const;

export type CounterName = keyof typeof COUNTERS;

function durationFamily(name: string, help: string, series: DurationSeries[]): MetricFamily {
  return {
    type: 'histogram',
    name,
    help,
    series: series.map((s) => ({ labels: s.labels, buckets: DURATION_BUCKETS_S.map((le, i) => ({ le, count: s.buckets[i] ?? 0 })), count: s.count, sum: s.sumSeconds })),
  };
}

export function operatorMetricFamilies(snap: MetricsSnapshot): MetricFamily[] {
  const counterFamilies: MetricFamily[] = (Object.keys(COUNTERS) as CounterName[]).map((name) => ({
    type: 'counter',
    name,
    help: COUNTERS[name],
    samples: snap.counters.filter((c) => c.name === name).map((c) => ({ labels: c.labels, value: c.value })),
  }));
  return [
    ...counterFamilies,
    {
      type: 'counter',
      name: 'nexara_signals_total',
      help: 'Signals recorded (unique per strategy, series and candle), by action and mode (live | paper).',
      samples: snap.signals.map((s) => ({ labels: { action: s.action, mode: s.mode }, value: s.n })),
    },
    {
      type: 'gauge',
      name: 'nexara_alerts',
      help: 'Alert rows by delivery status (pending | sending | sent | failed | dead | muted | uncertain) and kind (signal, or the notification kind).',
      samples: snap.alerts.map((a) => ({ labels: { status: a.status, kind: a.kind }, value: a.n })),
    },
    {
      type: 'gauge',
      name: 'nexara_dead_letters',
      help: 'Queue messages recorded in dead_letters (malformed or retries exhausted), by queue.',
      samples: snap.deadLetters.map((d) => ({ labels: { queue: d.queue }, value: d.n })),
    },
    durationFamily('nexara_run_duration_seconds', 'Backtest run durations (backtest_runs.duration_ms), by run kind and status.', snap.runDurations),
    durationFamily('nexara_sweep_chunk_duration_seconds', 'Sweep chunk compute durations (sweep_chunks.cpu_ms), by chunk status.', snap.chunkDurations),
  ];
}
