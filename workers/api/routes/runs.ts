/**
 * Backtest runs: `GET /api/runs` (filters, keyset pages), `GET /api/runs/compare?a=&b=`, `GET /api/runs/:id`
 * (runs-detail.ts: bounded size, ETag/304 once finished), `GET /api/runs/:id/trades` (keyset pages), the trade
 * exports `GET /api/runs/:id/export.csv|.json` (streamed) and the equity exports `equity.csv|.json`. Reading a
 * run's result is runs-view.ts; the schemas are runs-schemas.ts.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { allRunEquity, getRunStamp, listRunTrades, listRuns, type EquityPoint } from '../../../shared/db/queries/lab-runs';
import type { Database } from '../../../shared/db/database';
import { equityCsv, equityJson } from '../../../shared/lab/report';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { idParams, intCursor, listOf, notFound, pageOf, parseParams, parseQuery, timeIdCursor } from './common';
import { compareQuery, compareSchema, runDetailQuery, runDetailSchema, runListItemSchema, runsQuery, tradeSchema, tradesQuery } from './runs-schemas';
import { detail, isObj, readResult } from './runs-view';
import { runMetrics, venueRows } from '../../../shared/research/stored-run-result';
import { runDetailResponse } from './runs-detail';
import { tradeExport } from './runs-export';

/** Every stored equity point (else the result's own curve, for runs recorded before the table); 404 for no run. */
async function allEquity(db: Database, id: string): Promise<EquityPoint[]> {
  const points = await allRunEquity(db, id);
  return points.length > 0 ? points : (await detail(db, id, { points: Number.MAX_SAFE_INTEGER })).equity.points;
}

function numericDiff(a: unknown, b: unknown): { key: string; a: number | null; b: number | null; delta: number | null }[] {
  const ao = isObj(a) ? a : {};
  const bo = isObj(b) ? b : {};
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].filter((k) => typeof ao[k] === 'number' || typeof bo[k] === 'number');
  return keys.map((key) => {
    const x = typeof ao[key] === 'number' ? (ao[key] as number) : null;
    const y = typeof bo[key] === 'number' ? (bo[key] as number) : null;
    return { key, a: x, b: y, delta: x !== null && y !== null ? y - x : null };
  });
}

export const runRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const q = parseQuery(c, runsQuery);
    const rows = await listRuns(c.var.getDb(), { ...q, sweepId: q.sweep, after: timeIdCursor(q.cursor) }, q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => `${r.createdUs}:${r.id}`);
    return c.json({
      items: page.items.map(({ summary, createdUs: _c, ...r }) => {
        const stored = readResult(r.id, summary);
        return { ...r, headline: runMetrics(stored).gross, venues: venueRows(stored, r) };
      }),
      page: page.page,
    });
  })
  .get('/compare', async (c) => {
    const q = parseQuery(c, compareQuery);
    const db = c.var.getDb();
    const a = await detail(db, q.a, { points: q.points });
    const b = await detail(db, q.b, { points: q.points });
    const pa = isObj(a.run.params) ? a.run.params : {};
    const pb = isObj(b.run.params) ? b.run.params : {};
    const pkeys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
    const vkeys = [...new Set([...a.venues.map((v) => v.key), ...b.venues.map((v) => v.key)])];
    return c.json({
      a,
      b,
      diff: {
        params: pkeys.map((key) => ({ key, a: pa[key] ?? null, b: pb[key] ?? null, same: JSON.stringify(pa[key]) === JSON.stringify(pb[key]) })),
        gross: numericDiff(a.metrics.gross, b.metrics.gross),
        venues: vkeys.map((key) => ({ key, a: a.venues.find((v) => v.key === key)?.verdict ?? null, b: b.venues.find((v) => v.key === key)?.verdict ?? null })),
      },
    });
  })
  .get('/:id', async (c) => {
    const { id } = parseParams(c, idParams);
    const q = parseQuery(c, runDetailQuery);
    return runDetailResponse(c, id, q.points);
  })
  .get('/:id/trades', async (c) => {
    const { id } = parseParams(c, idParams);
    const q = parseQuery(c, tradesQuery);
    const db = c.var.getDb();
    const rows = await listRunTrades(db, id, intCursor(q.cursor), q.limit + 1);
    if (rows.length === 0 && !(await getRunStamp(db, id))) notFound('Run', id);
    return c.json(pageOf(rows, q.limit, (t) => String(t.seq)));
  })
  .get('/:id/export.csv', async (c) => tradeExport(c, parseParams(c, idParams).id, 'csv'))
  .get('/:id/export.json', async (c) => tradeExport(c, parseParams(c, idParams).id, 'json'));

documentRoutes([
  { method: 'get', path: '/api/runs', tag: 'research', summary: 'Backtest runs, newest first, with headline metrics and per-venue verdicts', query: runsQuery, response: listOf(runListItemSchema) },
  { method: 'get', path: '/api/runs/compare', tag: 'research', summary: 'Two runs side by side with parameter, metric and verdict differences', query: compareQuery, response: compareSchema },
  {
    method: 'get',
    path: '/api/runs/:id',
    tag: 'research',
    summary: 'One run: provenance, result, gross vs net metrics, per-venue table, equity + drawdown as columns (≤ points), trade count and link; ETag + 304 once finished',
    params: idParams,
    query: runDetailQuery,
    response: runDetailSchema,
  },
  { method: 'get', path: '/api/runs/:id/trades', tag: 'research', summary: "A run's trades in sequence order (keyset-paged)", params: idParams, query: tradesQuery, response: listOf(tradeSchema) },
  { method: 'get', path: '/api/runs/:id/export.csv', tag: 'research', summary: 'All trades of a run as CSV', params: idParams, contentType: 'text/csv' },
  { method: 'get', path: '/api/runs/:id/export.json', tag: 'research', summary: 'All trades of a run as a JSON array', params: idParams, response: z.array(tradeSchema) },
]);

/** The whole equity curve of a run (every stored point, not downsampled) as CSV or columnar JSON (REQ-BT-008). */
runRoutes
  .get('/:id/equity.csv', async (c) => {
    const { id } = parseParams(c, idParams);
    return c.body(equityCsv(await allEquity(c.var.getDb(), id)), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="run-${id}-equity.csv"` });
  })
  .get('/:id/equity.json', async (c) => {
    const { id } = parseParams(c, idParams);
    return c.body(equityJson(id, await allEquity(c.var.getDb(), id)), 200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="run-${id}-equity.json"` });
  });

documentRoutes([
  { method: 'get', path: '/api/runs/:id/equity.csv', tag: 'research', summary: 'The whole equity curve of a run as CSV (time, time_ms, equity_gross, equity_net, drawdown)', params: idParams, contentType: 'text/csv' },
  {
    method: 'get',
    path: '/api/runs/:id/equity.json',
    tag: 'research',
    summary: 'The whole equity curve of a run as columnar JSON',
    params: idParams,
    response: z.object({ runId: z.string(), columns: z.array(z.string()), points: z.array(z.array(z.number())) }),
  },
]);
