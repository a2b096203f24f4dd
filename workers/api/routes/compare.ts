/**
 * `GET /api/compare?runs=a,b,c`: 2–6 runs side by side (behind Access like every `/api` route) — metrics gross and
 * net per cost model, parameters, per-venue verdicts and net equity rebased to 1 — built by shared/lab/compare from
 * the same run detail `GET /api/runs/:id` returns, so the Lab page and `npm run research -- compare` agree.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { compareRuns, CompareInputError, parseRunIds, type CompareRunInput, type Comparison } from '../../../shared/lab/compare';
import type { Database } from '../../../shared/db/database';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { idParam, parseQuery } from './common';
import { detail } from './runs-view';

export const compareRunsQuery = z.object({
  runs: z
    .string()
    .describe('2–6 run ids, comma-separated')
    .transform((s, ctx) => {
      try {
        const ids = parseRunIds(s);
        const bad = ids.find((id) => !idParam.safeParse(id).success);
        if (bad !== undefined) {
          ctx.addIssue({ code: 'custom', message: `malformed run id ${JSON.stringify(bad)}` });
          return z.NEVER;
        }
        return ids;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof CompareInputError ? err.message : String(err) });
        return z.NEVER;
      }
    }),
  points: z.coerce.number().int().min(10).max(2000).default(400).describe('Max equity points per run (downsampled, worst drawdown kept)'),
});

const cell = z.number().nullable();
export const comparisonSchema = z.object({
  runs: z.array(
    z.object({ id: z.string(), strategyId: z.string(), series: z.string(), windowFrom: z.number(), windowTo: z.number(), status: z.string(), verdict: z.string().nullable(), verdictReason: z.string().nullable() }),
  ),
  params: z.array(z.object({ key: z.string(), values: z.array(z.unknown()), same: z.boolean() })),
  metrics: z.array(z.object({ view: z.string().describe('gross or a cost model id'), metric: z.string(), values: z.array(cell) })),
  verdicts: z.array(z.object({ key: z.string(), values: z.array(z.string().nullable()), reasons: z.array(z.string().nullable()) })),
  equity: z.array(z.object({ id: z.string(), points: z.array(z.object({ time: z.number(), value: z.number() })) })),
});

/** Load each run (404 names the first unknown one) and compare them. */
export async function loadComparison(db: Database, ids: readonly string[], points = 400): Promise<Comparison> {
  const inputs: CompareRunInput[] = [];
  for (const id of ids) {
    const d = await detail(db, id, { points });
    inputs.push({
      ...d.run,
      metrics: { gross: d.metrics.gross, net: d.metrics.net },
      venues: d.venues.map((v) => ({ key: v.key, verdict: v.verdict, reason: v.reason })),
      equity: d.equity.points,
    });
  }
  return compareRuns(inputs);
}

export const compareRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const q = parseQuery(c, compareRunsQuery);
  return c.json(await loadComparison(c.var.getDb(), q.runs, q.points));
});

documentRoutes([
  { method: 'get', path: '/api/compare', tag: 'research', summary: '2–6 runs side by side: metrics, params, per-venue verdicts, rebased net equity', query: compareRunsQuery, response: comparisonSchema },
]);
