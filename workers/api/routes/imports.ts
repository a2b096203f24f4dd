/**
 * Archive imports (a research action, POST only): `POST /api/research/imports` with an `ArchiveImportRequest`
 * creates the job and one queue message per monthly file (202 with the job); `GET /api/research/imports` lists
 * jobs and `GET /api/research/imports/:id` shows one with its files, for the Lab's progress display.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { canonicalSymbol } from '../../../shared/archive/process';
import { AppError } from '../../errors';
import { getImportJob } from '../../../shared/db/queries/imports';
import { listImportJobs } from '../../../shared/db/queries/lab-imports';
import { ArchiveImportRequest, startArchiveImport } from '../../../shared/app/archive-import';
import { jobsEnqueue } from '../../jobs/enqueue';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { cursorParam, idParams, limitParam, listOf, notFound, pageOf, parseJsonBody, parseParams, parseQuery, timeIdCursor } from './common';

export const importsQuery = z.object({
  limit: limitParam(20),
  cursor: cursorParam,
  status: z.enum(['queued', 'running', 'done', 'partial', 'failed']).optional(),
});

const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  venue: z.string(),
  symbol: z.string(),
  interval: z.string(),
  fromPeriod: z.string(),
  toPeriod: z.string(),
  status: z.string().describe('queued | running | done | partial | failed'),
  filesTotal: z.number(),
  filesDone: z.number(),
  filesFailed: z.number(),
  rowsImported: z.number(),
  request: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const fileSchema = z.object({
  id: z.number(),
  jobId: z.string(),
  fileName: z.string(),
  url: z.string(),
  status: z.string(),
  attempts: z.number(),
  rows: z.number(),
  issues: z.number(),
  sha256: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export const importDetailSchema = z.object({ job: jobSchema, files: z.array(fileSchema) });

const dates = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])) as T;

export const importRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const body = await parseJsonBody(c, ArchiveImportRequest, 4096);
    // A symbol the archive layout cannot split into base/quote (e.g. XXXXX) is bad input, not a server error.
    try {
      canonicalSymbol(body.symbol);
    } catch (err) {
      throw new AppError('validation', `Invalid body: symbol: ${(err as Error).message} (a Binance symbol ending in a known quote, like BTCUSDT)`);
    }
    const created = await startArchiveImport(c.var.getDb(), jobsEnqueue(c.env.JOBS), c.get('config').ARCHIVE_BASE_URL, body, { now: Date.now() });
    return c.json({ job: dates(created.job), files: created.files.map(dates) }, 202);
  })
  .get('/', async (c) => {
    const q = parseQuery(c, importsQuery);
    const rows = await listImportJobs(c.var.getDb(), { status: q.status, after: timeIdCursor(q.cursor) }, q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => `${r.createdUs}:${r.id}`);
    return c.json({ items: page.items.map(({ createdUs: _c, ...j }) => dates(j)), page: page.page });
  })
  .get('/:id', async (c) => {
    const { id } = parseParams(c, idParams);
    const found = (await getImportJob(c.var.getDb(), id)) ?? notFound('Import job', id);
    return c.json({ job: dates(found.job), files: found.files.map(dates) });
  });

documentRoutes([
  {
    method: 'post',
    path: '/api/research/imports',
    tag: 'research',
    summary: 'Start a Binance archive import (one queued job per monthly file)',
    body: ArchiveImportRequest,
    response: importDetailSchema,
    status: 202,
  },
  { method: 'get', path: '/api/research/imports', tag: 'research', summary: 'Archive import jobs, newest first', query: importsQuery, response: listOf(jobSchema) },
  { method: 'get', path: '/api/research/imports/:id', tag: 'research', summary: 'One import job with its files', params: idParams, response: importDetailSchema },
]);
