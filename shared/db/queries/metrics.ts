/**
 * The database reads behind /api/metrics: counters (`ops_counters`), signals by action and mode, alerts by status
 * and kind, dead letters by queue, and run and sweep-chunk durations bucketed in SQL (one aggregate each, so the
 * scrape costs a handful of index/seq scans over small tables, never a read of the candles).
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../database';
import { readCounters, type CounterValue } from './ops-counters';

/** Histogram upper bounds, seconds (runs take from a fraction of a second to many minutes). */
export const DURATION_BUCKETS_S = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800] as const;

export interface DurationSeries {
  labels: Record<string, string>;
  /** Cumulative counts, one per DURATION_BUCKETS_S bound. */
  buckets: number[];
  count: number;
  sumSeconds: number;
}

export interface MetricsSnapshot {
  counters: CounterValue[];
  signals: { action: string; mode: string; n: number }[];
  alerts: { status: string; kind: string; n: number }[];
  deadLetters: { queue: string; n: number }[];
  runDurations: DurationSeries[];
  chunkDurations: DurationSeries[];
}

/** `count(*) FILTER (WHERE ms <= bound)` per bucket, as one select list. */
function bucketColumns(msColumn: string) {
  return sql.raw(DURATION_BUCKETS_S.map((b, i) => `count(*) FILTER (WHERE ${msColumn} <= ${b * 1000})::int AS b${i}`).join(', '));
}

function toDurations(rows: Record<string, unknown>[], labelKeys: string[]): DurationSeries[] {
  return rows.map((r) => ({
    labels: Object.fromEntries(labelKeys.map((k) => [k, String(r[k])])),
    buckets: DURATION_BUCKETS_S.map((_, i) => Number(r[`b${i}`])),
    count: Number(r.n),
    sumSeconds: Number(r.sum_ms) / 1000,
  }));
}

export async function readMetricsSnapshot(db: Database): Promise<MetricsSnapshot> {
  const counters = await readCounters(db);
  const signals = rowsOf<{ action: string; mode: string; n: number }>(
    await db.execute(sql`SELECT action, mode, count(*)::int AS n FROM signals GROUP BY action, mode ORDER BY action, mode`),
  );
  // Signal alerts have a signal; every other alert is a system/notification alert, its kind the dedupe key's prefix.
  const alerts = rowsOf<{ status: string; kind: string; n: number }>(
    await db.execute(sql`
      SELECT status, CASE WHEN signal_id IS NOT NULL THEN 'signal' ELSE split_part(dedupe_key, ':', 1) END AS kind, count(*)::int AS n
        FROM alerts GROUP BY 1, 2 ORDER BY 1, 2`),
  );
  const deadLetters = rowsOf<{ queue: string; n: number }>(await db.execute(sql`SELECT queue, count(*)::int AS n FROM dead_letters GROUP BY queue ORDER BY queue`));
  const runs = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT kind, status, count(*)::int AS n, coalesce(sum(duration_ms), 0)::float8 AS sum_ms, ${bucketColumns('duration_ms')}
        FROM backtest_runs WHERE duration_ms IS NOT NULL GROUP BY kind, status ORDER BY kind, status`),
  );
  const chunks = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT status, count(*)::int AS n, coalesce(sum(cpu_ms), 0)::float8 AS sum_ms, ${bucketColumns('cpu_ms')}
        FROM sweep_chunks WHERE cpu_ms IS NOT NULL GROUP BY status ORDER BY status`),
  );
  return {
    counters,
    signals: signals.map((r) => ({ ...r, n: Number(r.n) })),
    alerts: alerts.map((r) => ({ ...r, n: Number(r.n) })),
    deadLetters: deadLetters.map((r) => ({ ...r, n: Number(r.n) })),
    runDurations: toDurations(runs, ['kind', 'status']),
    chunkDurations: toDurations(chunks, ['status']),
  };
}
