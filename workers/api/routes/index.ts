/**
 * Every Lab API resource, mounted under `/api` after the Access guard (health is mounted before it in app.ts).
 * Research actions that belong to the research side (`POST /api/research/backtests`, `/sweeps`) are mounted
 * by their own modules.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../app';
import { candleRoutes } from './candles';
import { compareRoutes } from './compare';
import { dataRoutes } from './data';
import { bookRoutes } from './books';
import { exportRoutes } from './export';
import { importRoutes } from './imports';
import { alertRoutes, dashboardRoutes, heartbeatRoutes, signalRoutes } from './live';
import { openapiRoutes } from './openapi';
import { runRoutes } from './runs';
import { strategyRoutes } from './strategies';
import { sweepRoutes } from './sweeps';
import { researchStatsRoutes } from './research-stats';
import { researchWalkForwardRoutes } from './research-walk-forwards';

export function mountLabRoutes(app: Hono<AppEnv>): void {
  app.route('/api/dashboard', dashboardRoutes);
  app.route('/api/candles', candleRoutes);
  app.route('/api/signals', signalRoutes);
  app.route('/api/alerts', alertRoutes);
  app.route('/api/heartbeats', heartbeatRoutes);
  app.route('/api/data/books', bookRoutes);
  app.route('/api/data', dataRoutes);
  app.route('/api/strategies', strategyRoutes);
  app.route('/api/runs', runRoutes);
  app.route('/api/sweeps', sweepRoutes);
  app.route('/api/compare', compareRoutes);
  app.route('/api/export', exportRoutes);
  app.route('/api/research/imports', importRoutes);
  app.route('/api/research/stats', researchStatsRoutes);
  app.route('/api/research/walk-forwards', researchWalkForwardRoutes);
  app.route('/api/openapi.json', openapiRoutes(() => app.routes));
}
