/**
 * The Hono app: `/api/*` (JSON, Cloudflare Access protected except `/api/health`, which answers liveness only) and
 * `/telegram/*`.
 * One `onError` turns every thrown error into the stable JSON error shape; handlers stay thin
 * (parse with zod → call the core → persist).
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { getConfig, type AppConfig, type Env } from '../env';
import { AppError, errorBody, type ErrorBody } from '../errors';
import { openDb, type Db } from '../db';
import { accessGuard } from './access';
import { healthRoutes, statusRoutes } from './routes/health';
import { mountLabRoutes } from './routes';
import { telegramRoutes } from '../telegram/webhook';
import { researchBacktestRoutes } from './routes/research-backtests';
import { researchSweepRoutes } from './routes/research-sweeps';
import { paperRoutes } from './routes/paper';
import { log, withTrace } from '../observability/logger';
import { metricsRoutes } from './routes/metrics';
import { notificationRoutes } from './routes/notifications';

export interface AppVariables {
  config: AppConfig;
  /** The request's database (a pool opened on first use, closed after the response). */
  getDb: () => Db;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

/** Environments whose error responses may carry a configuration problem's text. */
const LOCAL_ENVS = new Set(['development', 'test']);

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    const { status, body } = errorBody(err);
    if (status >= 500) {
      log.error('api error', { path: c.req.path, error: String(err), details: body.error.details, stack: (err as Error).stack });
    }
    // A configuration error is logged in full (above) but only a local environment sees its text: a deploy answers
    // the generic 500 (it would name the secrets that are missing or malformed).
    if (body.error.code === 'config' && !LOCAL_ENVS.has(String(c.env?.APP_ENV ?? ''))) {
      return c.json<ErrorBody>({ error: { code: 'internal', message: 'Internal error' } }, 500);
    }
    return c.json(body, status as 500);
  });
  app.notFound((c) => c.json(errorBody(new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`)).body, 404));

  // A request id (the client's X-Request-Id if sane, else a fresh UUID), echoed back and the trace id of every log line.
  app.use('*', requestId());
  app.use('*', (c, next) => withTrace(c.get('requestId'), next));

  // Parse the config once and open a per-request pool lazily; close it after the response.
  app.use('*', async (c, next) => {
    c.set('config', getConfig(c.env));
    let handle: ReturnType<typeof openDb> | undefined;
    c.set('getDb', () => (handle ??= openDb(c.get('config'))).db);
    try {
      await next();
    } finally {
      if (handle) {
        const h = handle;
        try {
          c.executionCtx.waitUntil(h.close());
        } catch {
          await h.close();
        }
      }
    }
  });

  app.route('/api/health', healthRoutes);
  app.route('/telegram', telegramRoutes);
  app.use('/api/*', accessGuard);
  app.route('/api/status', statusRoutes);
  mountLabRoutes(app);
  app.route('/api/research/backtests', researchBacktestRoutes);
  app.route('/api/research/sweeps', researchSweepRoutes);
  app.route('/api/paper', paperRoutes);
  app.route('/api/metrics', metricsRoutes);
  app.route('/api/notifications', notificationRoutes);

  return app;
}
