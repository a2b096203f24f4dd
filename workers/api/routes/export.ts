/**
 * Exports behind Access: a series' candles, a run's trades and equity curve, and the runs list, as CSV, JSON or
 * Parquet — `GET /api/export/candles`, `/api/export/runs`, `/api/export/runs/:id/trades`, `/api/export/runs/:id/equity`
 * with `?format=csv|json|parquet`. Streamed page by page (Parquet: one row group per page), bounded by `?limit`
 * rows; when more follow, `X-Next-Cursor` and a `Link: rel="next"` header say where the next export starts.
 *
 * The stream outlives the handler, so it reads through its own database handle, closed when the stream ends (the
 * request's pool is closed as soon as the handler returns).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { openExport, ExportError, type ExportSpec } from '../../../shared/export/datasets';
import { exportStream } from '../../../shared/export/encode';
import { CONTENT_TYPES, EXPORT_FORMATS } from '../../../shared/export/columns';
import { openDb } from '../../db';
import { AppError } from '../../errors';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { cursorParam, idParams, parseParams, parseQuery, symbolParam, timeParam, timeframeParam, venueParam } from './common';
import { runsQuery } from './runs-schemas';

/** Rows per export at most (a Parquet row group and a database read are one page of 5,000 rows). */
export const EXPORT_MAX_ROWS = 1_000_000;
/** Run rows per runs export at most (they are read up front). */
export const EXPORT_MAX_RUNS = 10_000;

const format = z.enum(EXPORT_FORMATS).default('csv').describe('csv (RFC 4180), json (array of objects) or parquet');
const rowLimit = (max: number) => z.coerce.number().int().min(1).max(max).default(max).describe(`Rows at most, 1..${max}`);

const candlesQuery = z.object({
  venue: venueParam,
  symbol: symbolParam,
  timeframe: timeframeParam,
  from: timeParam.optional().describe('Open time at or after this (default: the first stored)'),
  to: timeParam.optional().describe('Open time before this (default: the last stored)'),
  format,
  limit: rowLimit(EXPORT_MAX_ROWS),
  cursor: cursorParam,
});
const runDataQuery = z.object({ format, limit: rowLimit(EXPORT_MAX_ROWS), cursor: cursorParam });
const runsExportQuery = runsQuery.omit({ limit: true, cursor: true }).extend({ format, limit: rowLimit(EXPORT_MAX_RUNS), cursor: cursorParam });

type Fmt = z.infer<typeof format>;

async function respond(c: Context<AppEnv>, spec: ExportSpec, q: { format: Fmt; limit: number; cursor?: string }, version: string): Promise<Response> {
  const h = openDb(c.get('config'));
  let opened;
  try {
    opened = await openExport(h.db, spec, { cursor: q.cursor, limit: q.limit });
  } catch (err) {
    await h.close();
    if (err instanceof ExportError) throw new AppError(err.kind === 'not_found' ? 'not_found' : 'validation', err.kind === 'bad_cursor' ? `Invalid query: cursor: ${err.message}` : err.message);
    throw err;
  }
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[q.format],
    'content-disposition': `attachment; filename="${opened.name}.${q.format}"`,
    'cache-control': 'no-store',
  };
  if (opened.nextCursor !== null) {
    const next = new URL(c.req.url);
    next.searchParams.set('cursor', opened.nextCursor);
    headers['x-next-cursor'] = opened.nextCursor;
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  const kv = { dataset: spec.dataset, spec: JSON.stringify(spec), ...(q.cursor ? { cursor: q.cursor } : {}) };
  // Through c.body, so the headers earlier middleware set (the Access subject, the request id) are kept.
  return c.body(exportStream(q.format, opened, { createdBy: `nexara-platform ${version}`, kv }, () => h.close()), 200, headers);
}

export const exportRoutes = new Hono<AppEnv>()
  .get('/candles', async (c) => {
    const q = parseQuery(c, candlesQuery);
    const spec: ExportSpec = { dataset: 'candles', venue: q.venue, symbol: q.symbol, timeframe: q.timeframe, from: q.from ?? 0, to: q.to ?? Number.MAX_SAFE_INTEGER };
    return respond(c, spec, q, c.env.CODE_VERSION ?? 'dev');
  })
  .get('/runs', async (c) => {
    const q = parseQuery(c, runsExportQuery);
    const { format: _f, limit: _l, cursor: _c, sweep, ...filter } = q;
    return respond(c, { dataset: 'runs', filter: { ...filter, sweepId: sweep } }, q, c.env.CODE_VERSION ?? 'dev');
  })
  .get('/runs/:id/trades', async (c) => {
    const { id } = parseParams(c, idParams);
    return respond(c, { dataset: 'trades', runId: id }, parseQuery(c, runDataQuery), c.env.CODE_VERSION ?? 'dev');
  })
  .get('/runs/:id/equity', async (c) => {
    const { id } = parseParams(c, idParams);
    return respond(c, { dataset: 'equity', runId: id }, parseQuery(c, runDataQuery), c.env.CODE_VERSION ?? 'dev');
  });

const csvOr = 'text/csv';
documentRoutes([
  { method: 'get', path: '/api/export/candles', tag: 'export', summary: "A series' candles as CSV, JSON or Parquet (streamed; X-Next-Cursor when more follow)", query: candlesQuery, contentType: csvOr },
  { method: 'get', path: '/api/export/runs', tag: 'export', summary: 'Runs (provenance, verdict, gross headline metrics) as CSV, JSON or Parquet', query: runsExportQuery, contentType: csvOr },
  { method: 'get', path: '/api/export/runs/:id/trades', tag: 'export', summary: "A run's trades (gross and net per cost model) as CSV, JSON or Parquet", params: idParams, query: runDataQuery, contentType: csvOr },
  { method: 'get', path: '/api/export/runs/:id/equity', tag: 'export', summary: "A run's whole equity curve as CSV, JSON or Parquet", params: idParams, query: runDataQuery, contentType: csvOr },
]);
