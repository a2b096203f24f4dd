/**
 * The Hono app: `/api/*` (JSON, Cloudflare Access protected except `/api/health`) and `/telegram/*`.
 * One `onError` turns every thrown error into the stable JSON error shape; handlers stay thin
 * (parse with zod → call the core → persist).
 */
import { Hono } from 'hono';
import { getConfig, type AppConfig, type Env } from '../env';
import { AppError, errorBody } from '../errors';
import { openDb, type Db } from '../db';
import { accessGuard } from './access';
import { healthRoutes } from './routes/health';
import { mountLabRoutes } from './routes';
import { telegramRoutes } from '../telegram/webhook';
import { researchBacktestRoutes } from './routes/research-backtests';
import { researchSweepRoutes } from './routes/research-sweeps';
import { paperRoutes } from './routes/paper';

export interface AppVariables {
  config: AppConfig;
  /** The request's database (a pool opened on first use, closed after the response). */
  getDb: () => Db;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    const { status, body } = errorBody(err);
    if (status >= 500) console.error(JSON.stringify({ at: 'api', path: c.req.path, error: String(err), stack: (err as Error).stack }));
    return c.json(body, status as 500);
  });
  app.notFound((c) => c.json(errorBody(new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`)).body, 404));

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
  mountLabRoutes(app);
  app.route('/api/research/backtests', researchBacktestRoutes);
  app.route('/api/research/sweeps', researchSweepRoutes);
  app.route('/api/paper', paperRoutes);

  return app;
}
