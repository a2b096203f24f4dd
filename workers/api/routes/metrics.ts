/**
 * `GET /api/metrics`: the operator metrics in the Prometheus text exposition format (behind Access like the rest of
 * /api; a Prometheus scraping through Access uses a service token). Every number is read from the database
 * (counters the stages upsert, aggregates of signals, alerts, dead letters, run and chunk durations), so it is the
 * same whichever isolate answers and survives restarts. Families: shared/observability/operator-metrics.ts.
 */
import { Hono } from 'hono';
import { readMetricsSnapshot } from '../../../shared/db/queries/metrics';
import { operatorMetricFamilies } from '../../../shared/observability/operator-metrics';
import { PROMETHEUS_CONTENT_TYPE, renderExposition } from '../../../shared/observability/prometheus';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';

export const metricsRoutes = new Hono<AppEnv>();

metricsRoutes.get('/', async (c) => {
  const snapshot = await readMetricsSnapshot(c.get('getDb')());
  return c.body(renderExposition(operatorMetricFamilies(snapshot)), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
});

documentRoutes([
  {
    method: 'get',
    path: '/api/metrics',
    tag: 'operations',
    summary: 'Operator metrics (Prometheus text format 0.0.4): ingested rows, failed fetches per venue, signals, alerts by status, queue jobs by kind and outcome, run and chunk durations',
    contentType: PROMETHEUS_CONTENT_TYPE,
  },
]);
