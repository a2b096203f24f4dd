/**
 * `POST /api/research/walk-forwards` — a walk-forward (rolling or anchored IS → OOS folds, optional purge/embargo
 * `gap` in candles) as a queued job: validate, create the run row `queued` (kind `walk-forward`), send
 * `{ kind: 'walk-forward', key, runId }`, answer 202 `{ run: { id, status } }`. The run stores the OUT-OF-SAMPLE
 * result only, plus the PBO and SPA of the walk's search over every combo it considered, a Monte Carlo of the OOS
 * trades and the study gates of the requested gate set (`gates`: a registered name or a whole set; an unknown one
 * is a 422 with the known names); `GET /api/runs/:id` shows it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../errors';
import { walkForwardJob } from '../../jobs/walk-forward';
import { RunInputError } from '../../../shared/app/run-backtest';
import { createWalkForwardRun, WalkForwardRequest } from '../../../shared/app/walk-forward';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { parseJsonBody } from './common';

const createdSchema = z.object({ run: z.object({ id: z.string(), status: z.string() }) });

export const researchWalkForwardRoutes = new Hono<AppEnv>().post('/', async (c) => {
  const body = await parseJsonBody(c, WalkForwardRequest, 16 * 1024);
  let run;
  try {
    run = await createWalkForwardRun(c.var.getDb(), body, { codeVersion: c.get('config').CODE_VERSION ?? 'unknown', queued: true });
  } catch (err) {
    if (err instanceof RunInputError) throw new AppError('validation', err.message);
    throw err;
  }
  await c.env.JOBS.send(walkForwardJob(run.id));
  return c.json({ run: { id: run.id, status: run.status } }, 202);
});

documentRoutes([
  { method: 'post', path: '/api/research/walk-forwards', tag: 'research', summary: 'Queue a walk-forward (IS → OOS folds with an optional purge/embargo gap; OOS-only report; PBO/SPA of its search; gate set)', body: WalkForwardRequest, response: createdSchema, status: 202 },
]);
