/**
 * `POST /api/research/backtests` — a backtest as a persisted job: validate (zod; dates ISO or epoch ms), create
 * the run row `queued` (within the bounds of `./bounds.ts`: a 422 names the limit), send `{ kind: 'backtest', key: 'backtest:<runId>', runId }`, answer 202 `{ run: { id,
 * status } }`. The queue consumer computes it (workers/jobs/backtest.ts); `GET /api/runs/:id` shows progress.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../errors';
import { backtestJob } from '../../jobs/backtest';
import { BacktestRequest, createBacktestRun, RunInputError } from '../../../shared/app/run-backtest';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { parseJsonBody } from './common';
import { checkResearchWindow } from './bounds';

const createdSchema = z.object({ run: z.object({ id: z.string(), status: z.string() }) });

export const researchBacktestRoutes = new Hono<AppEnv>().post('/', async (c) => {
  const body = await parseJsonBody(c, BacktestRequest, 16 * 1024);
  checkResearchWindow(body);
  const db = c.var.getDb();
  let run;
  try {
    run = await createBacktestRun(db, body, { codeVersion: c.get('config').CODE_VERSION ?? 'unknown' });
  } catch (err) {
    if (err instanceof RunInputError) throw new AppError('validation', err.message);
    throw err;
  }
  await c.env.JOBS.send(backtestJob(run.id));
  return c.json({ run: { id: run.id, status: run.status } }, 202);
});

documentRoutes([
  {
    method: 'post',
    path: '/api/research/backtests',
    tag: 'research',
    summary: 'Queue a backtest run (persisted with provenance, computed by the queue consumer)',
    body: BacktestRequest,
    response: createdSchema,
    status: 202,
  },
]);
