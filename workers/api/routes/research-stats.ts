/**
 * Statistics of the search itself (issue 13), read-only:
 * - `GET /api/research/stats/sweeps/:id/pbo` — the sweep's stored PBO in full (CSCV over 16 time blocks: PBO,
 *   probability of loss, degradation, λ histogram and quantiles, the thinned IS-vs-OOS scatter, the most frequent
 *   in-sample winners), or its status (`deferred` while pbo-chunk jobs run, `insufficient-data` with the reason).
 *   `GET /api/sweeps/:id` carries the same object with its long arrays omitted.
 * - `GET /api/research/stats/sweeps/:id/spa-family` — SPA / Reality Check (vs flat and buy-and-hold) across every
 *   trial the family recorded on the sweep's series and window (other sweeps' combos, single backtests).
 * - `GET /api/research/stats/runs/:id/trials` — the run's DSR at judgement and now (re-deflated with today's
 *   lab-wide family trial count) per cost preset, with MinBTL for both trial counts.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../errors';
import { getSweepRow } from '../../../shared/db/queries/research';
import { readSweepResult } from '../../../shared/research/stored-sweep-result';
import { RunInputError } from '../../../shared/app/run-backtest';
import { runTrialsNow } from '../../../shared/app/trials';
import { sweepFamilySpa } from '../../../shared/app/family-spa';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { idParams, parseParams } from './common';

export const researchStatsRoutes = new Hono<AppEnv>()
  .get('/sweeps/:id/pbo', async (c) => {
    const { id } = parseParams(c, idParams);
    const sweep = await getSweepRow(c.var.getDb(), id);
    if (!sweep) throw new AppError('not_found', `no sweep ${id}`);
    const read = readSweepResult(sweep.result);
    if (!read.ok) throw new AppError('internal', `sweep ${id}: ${read.reason}`);
    const pbo = read.result?.pbo;
    if (pbo === undefined) return c.json({ sweepId: id, status: sweep.status, pbo: { status: sweep.status === 'done' ? 'absent' : 'pending', reason: sweep.status === 'done' ? 'sweep merged before PBO was computed' : `sweep is ${sweep.status}` } });
    return c.json({ sweepId: id, status: sweep.status, pbo });
  })
  .get('/sweeps/:id/spa-family', async (c) => {
    const { id } = parseParams(c, idParams);
    try {
      return c.json(await sweepFamilySpa(c.var.getDb(), id));
    } catch (err) {
      if (err instanceof RunInputError && /^no sweep /.test(err.message)) throw new AppError('not_found', err.message);
      // Not computable yet (sweep running, or merged before daily returns were kept): say why, never a number.
      if (err instanceof RunInputError) return c.json({ sweepId: id, status: 'unavailable', reason: err.message });
      throw err;
    }
  })
  .get('/runs/:id/trials', async (c) => {
    const { id } = parseParams(c, idParams);
    try {
      return c.json(await runTrialsNow(c.var.getDb(), id));
    } catch (err) {
      if (err instanceof RunInputError && /^no run /.test(err.message)) throw new AppError('not_found', err.message);
      if (err instanceof RunInputError) return c.json({ runId: id, status: 'unavailable', reason: err.message });
      throw err;
    }
  });

documentRoutes([
  { method: 'get', path: '/api/research/stats/sweeps/:id/pbo', tag: 'research', summary: "A sweep's probability of backtest overfitting (CSCV, 16 blocks) in full", params: idParams, response: z.object({ sweepId: z.string(), status: z.string(), pbo: z.unknown() }) },
  { method: 'get', path: '/api/research/stats/sweeps/:id/spa-family', tag: 'research', summary: "SPA / Reality Check across every trial the family recorded on the sweep's series and window", params: idParams, response: z.unknown() },
  { method: 'get', path: '/api/research/stats/runs/:id/trials', tag: 'research', summary: "A run's DSR at judgement and now (today's family trial count), with MinBTL", params: idParams, response: z.unknown() },
]);
