/**
 * `POST /api/research/sweeps` — a parameter sweep fanned out over the JOBS queue: the sweep row, one
 * `sweep_chunks` row per chunk (combos, chunks and chunk size within `./bounds.ts`, else a 422 naming the limit) and one `sweep-chunk` message per chunk; 202 `{ sweep: { id, status, combos,
 * chunksTotal } }`. `GET /api/sweeps/:id` shows progress and, once merged, the result.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../errors';
import { createSweepRows, defaultChunkSize, planCount, planSweepCombos, SweepRequest } from '../../../shared/app/sweep';
import { RunInputError } from '../../../shared/app/run-backtest';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { parseJsonBody } from './common';
import { checkResearchWindow, checkSweepPlan } from './bounds';
import { TIMEFRAME_MS } from '../../../shared/candles/timeframe';

const createdSchema = z.object({ sweep: z.object({ id: z.string(), status: z.string(), combos: z.number(), chunksTotal: z.number() }) });

export const researchSweepRoutes = new Hono<AppEnv>().post('/', async (c) => {
  const body = await parseJsonBody(c, SweepRequest, 16 * 1024);
  checkResearchWindow(body);
  let created;
  try {
    // Plan first (pure, no rows): combos, chunks and chunk size within the bounds, or a 422 naming the limit.
    const chunkSize = body.chunkSize ?? defaultChunkSize(body.timeframe, body.from, body.to);
    const plan = planSweepCombos({ strategyId: body.strategy, baseParams: body.params, method: body.method, samples: body.samples, seed: body.seed, chunkSize });
    const candles = Math.ceil((body.to - body.from) / TIMEFRAME_MS[body.timeframe]);
    checkSweepPlan({ combos: planCount(plan), chunks: plan.chunks.length, chunkSize: plan.tpe ? plan.chunkSize : chunkSize, candles }, body.chunkSize);
    created = await createSweepRows(c.var.getDb(), body, { codeVersion: c.get('config').CODE_VERSION ?? 'unknown' });
  } catch (err) {
    if (err instanceof RunInputError) throw new AppError('validation', err.message);
    throw err;
  }
  for (let i = 0; i < created.messages.length; i += 100) {
    await c.env.JOBS.sendBatch(created.messages.slice(i, i + 100).map((body) => ({ body })));
  }
  const s = created.sweep;
  return c.json({ sweep: { id: s.id, status: s.status, combos: s.combos, chunksTotal: s.chunksTotal } }, 202);
});

documentRoutes([
  {
    method: 'post',
    path: '/api/research/sweeps',
    tag: 'research',
    summary: 'Queue a parameter sweep (one queue message per chunk; the last chunk merges)',
    body: SweepRequest,
    response: createdSchema,
    status: 202,
  },
]);
