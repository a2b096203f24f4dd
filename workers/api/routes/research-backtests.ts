/**
 * `POST /api/research/backtests` — a backtest as a persisted job: validate (zod; dates ISO or epoch ms), create
 * the run row `queued` (within the bounds of `./bounds.ts`: a 422 names the limit), send `{ kind: 'backtest', key: 'backtest:<runId>', runId }`, answer 202 `{ run: { id,
 * status } }`. The queue consumer computes it (workers/jobs/backtest.ts); `GET /api/runs/:id` shows progress.
 * A body with `symbols: [...]` (and `maxPositions`, `sizing`, optional `maxAtrPct` / `minVolume`) instead of
 * `symbol` is a portfolio run with shared capital (../../jobs/backtest-portfolio.ts), queued the same way.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../errors';
import { backtestJob } from '../../jobs/backtest';
import { BacktestRequest, createBacktestRun, RunInputError } from '../../../shared/app/run-backtest';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { parseJsonBody, parseOr422 } from './common';
import { createPortfolioRun, PortfolioBacktestRequest } from '../../jobs/backtest-portfolio';
import { checkResearchWindow } from './bounds';

const createdSchema = z.object({ run: z.object({ id: z.string(), status: z.string() }) });

const isPortfolioBody = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && 'symbols' in x;

export const researchBacktestRoutes = new Hono<AppEnv>().post('/', async (c) => {
  const raw = await parseJsonBody(c, z.unknown(), 16 * 1024);
  const portfolio = isPortfolioBody(raw);
  if (portfolio && 'symbol' in raw) throw new AppError('validation', 'Invalid body: give either symbol (one series) or symbols (a portfolio), not both');
  const db = c.var.getDb();
  const codeVersion = c.get('config').CODE_VERSION ?? 'unknown';
  let run;
  try {
    if (portfolio) {
      const body = parseOr422(PortfolioBacktestRequest, raw, 'body');
      checkResearchWindow(body);
      run = await createPortfolioRun(db, body, { codeVersion });
    } else {
      const body = parseOr422(BacktestRequest, raw, 'body');
      checkResearchWindow(body);
      run = await createBacktestRun(db, body, { codeVersion });
    }
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
    summary: 'Queue a backtest run (persisted with provenance, computed by the queue consumer): one series (`symbol`) or a shared-capital portfolio (`symbols`)',
    body: z.union([BacktestRequest, PortfolioBacktestRequest]),
    response: createdSchema,
    status: 202,
  },
]);
