/**
 * Parameter sweeps: `GET /api/sweeps` (keyset pages) and `GET /api/sweeps/:id` — progress, chunks, and heatmap
 * data: for two params `?x=&y=` the grid of `?metric=` (aggregated over the other params with `?agg=`), from the
 * sweep's stored result (or, while it runs, its done chunks' results), each read through its one schema
 * (shared/research/stored-sweep-result.ts); `?fields=progress` reads neither (what a progress poller needs). A
 * combo is a `ComboSummary`; a metric is a (dotted) path on it (`trades`, `net.binance-taker.meanBps`), a bare view
 * metric meaning the gross view's (`sharpe`).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { getSweep, getSweepMeta, listSweepChunks, listSweeps, sweepChunkResults } from '../../../shared/db/queries/lab-sweeps';
import type { ComboSummary } from '../../../shared/research/summary';
import { readChunkResult, readSweepResult } from '../../../shared/research/stored-sweep-result';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { cursorParam, idParams, limitParam, listOf, notFound, pageOf, parseParams, parseQuery, timeIdCursor } from './common';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const MAX_COMBOS = 50_000;

export const sweepsQuery = z.object({
  limit: limitParam(),
  cursor: cursorParam,
  strategy: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
  status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
});

const pathParam = z.string().max(120).regex(/^[A-Za-z0-9_\-.]+$/, 'a param name or dotted metric path');
export const sweepDetailQuery = z.object({
  x: pathParam.optional().describe('Param on the x axis (default: first param of the space)'),
  y: pathParam.optional().describe('Param on the y axis (default: second param of the space)'),
  metric: pathParam.optional().describe('Metric path, e.g. sharpe, totalReturn, net.binance-taker.sharpe'),
  agg: z.enum(['max', 'min', 'mean']).default('max').describe('How combos sharing an (x, y) cell are combined'),
  top: z.coerce.number().int().min(0).max(100).default(10).describe('Best combos by the metric to include'),
  fields: z
    .enum(['all', 'progress'])
    .default('all')
    .describe('progress: the sweep, progress and chunks only — no result or chunk results are read (result null, no heatmap); for pollers'),
});

const sweepMetaSchema = z.object({
  id: z.string(),
  strategyId: z.string(),
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  windowFrom: z.number(),
  windowTo: z.number(),
  method: z.string(),
  seed: z.number().nullable(),
  space: z.unknown(),
  combos: z.number(),
  chunksTotal: z.number(),
  chunksDone: z.number(),
  status: z.string(),
  resultHash: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
const heatmapSchema = z.object({
  x: z.object({ param: z.string(), values: z.array(z.union([z.number(), z.string(), z.boolean()])) }),
  y: z.object({ param: z.string(), values: z.array(z.union([z.number(), z.string(), z.boolean()])) }),
  metric: z.string(),
  agg: z.string(),
  cells: z.array(z.array(z.number().nullable())).describe('cells[yi][xi]'),
  counts: z.array(z.array(z.number())),
  min: z.number().nullable(),
  max: z.number().nullable(),
});
export const sweepDetailSchema = z.object({
  sweep: sweepMetaSchema,
  progress: z.object({ chunksDone: z.number(), chunksTotal: z.number(), ratio: z.number(), byStatus: z.record(z.string(), z.number()) }),
  chunks: z.array(z.object({ chunkIndex: z.number(), status: z.string(), attempts: z.number(), cpuMs: z.number().nullable(), error: z.string().nullable(), updatedAt: z.string() })),
  result: z.unknown().describe('The stored result (shared/research/stored-sweep-result.ts) with long arrays replaced by { omitted: n }; null until merged'),
  resultError: z.string().nullable().describe('Why the stored result (or a done chunk) does not read, when it does not'),
  combosFound: z.number(),
  comboSource: z.enum(['result', 'chunks', 'none']),
  params: z.array(z.string()),
  metrics: z.array(z.string()),
  heatmap: heatmapSchema.nullable(),
  best: z.array(z.object({ params: z.record(z.string(), z.unknown()), value: z.number() })),
});

/** The metric `path` of a combo (a `ComboSummary`): on the combo itself (`trades`, `net.<view>.sharpe`, …), else
 * under `gross` (so `sharpe` is the gross Sharpe). */
export function metricOf(combo: ComboSummary, path: string): number | null {
  const parts = path.split('.');
  for (const root of [combo, combo.gross]) {
    let cur: unknown = root;
    for (const p of parts) cur = isObj(cur) ? cur[p] : undefined;
    if (typeof cur === 'number' && Number.isFinite(cur)) return cur;
  }
  return null;
}

/** Metric paths a combo offers: its top-level numbers, the gross view's (unprefixed) and each net view's. */
function metricPaths(combo: ComboSummary | undefined): string[] {
  if (!combo) return [];
  const nums = (o: object, prefix: string): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'number' || v === null ? [`${prefix}${k}`] : []));
  return [...new Set([...nums(combo.gross, ''), ...nums(combo, ''), ...Object.entries(combo.net).flatMap(([view, v]) => nums(v, `net.${view}.`))])];
}

/** Param names, those that vary across the combos first (the heatmap's default axes), in the combos' key order. */
function paramNames(combos: readonly ComboSummary[]): string[] {
  const names = combos[0] ? Object.keys(combos[0].params) : [];
  const varies = (k: string): boolean => new Set(combos.map((c) => JSON.stringify(c.params[k]))).size > 1;
  return [...names.filter(varies), ...names.filter((k) => !varies(k))];
}

const PREFERRED = ['sharpe', 'totalReturn', 'meanReturn', 'profitFactor', 'score', 'objective'];

type Val = number | string | boolean;
const sortVals = (vals: Val[]): Val[] =>
  [...vals].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));

export function heatmap(combos: readonly ComboSummary[], x: string, y: string, metric: string, agg: 'max' | 'min' | 'mean'): z.infer<typeof heatmapSchema> {
  const valOf = (c: ComboSummary, k: string): Val | undefined => {
    const v = c.params[k];
    return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
  };
  const xs = sortVals([...new Set(combos.map((c) => valOf(c, x)).filter((v): v is Val => v !== undefined))]);
  const ys = sortVals([...new Set(combos.map((c) => valOf(c, y)).filter((v): v is Val => v !== undefined))]);
  const xi = new Map(xs.map((v, i) => [v, i]));
  const yi = new Map(ys.map((v, i) => [v, i]));
  const sum = ys.map(() => xs.map(() => 0));
  const counts = ys.map(() => xs.map(() => 0));
  const cells: (number | null)[][] = ys.map(() => xs.map(() => null));
  for (const c of combos) {
    const a = valOf(c, x);
    const b = valOf(c, y);
    const m = metricOf(c, metric);
    if (a === undefined || b === undefined || m === null) continue;
    const i = yi.get(b)!;
    const j = xi.get(a)!;
    const cur = cells[i]![j]!;
    counts[i]![j]!++;
    sum[i]![j]! += m;
    cells[i]![j] = cur === null ? m : agg === 'max' ? Math.max(cur, m) : agg === 'min' ? Math.min(cur, m) : cur;
  }
  if (agg === 'mean') for (let i = 0; i < ys.length; i++) for (let j = 0; j < xs.length; j++) if (counts[i]![j]) cells[i]![j] = sum[i]![j]! / counts[i]![j]!;
  const flat = cells.flat().filter((v): v is number => v !== null);
  return {
    x: { param: x, values: xs },
    y: { param: y, values: ys },
    metric,
    agg,
    cells,
    counts,
    min: flat.length ? Math.min(...flat) : null,
    max: flat.length ? Math.max(...flat) : null,
  };
}

/** The result with long arrays replaced by their length (the combos travel as the heatmap, not raw). */
function summarize(x: unknown, depth = 0): unknown {
  if (Array.isArray(x)) return x.length > 50 ? { omitted: x.length } : x.map((e) => summarize(e, depth + 1));
  if (isObj(x) && depth < 6) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, summarize(v, depth + 1)]));
  return x;
}

const metaOut = <T extends { createdAt: Date; finishedAt: Date | null }>(s: T) => ({
  ...s,
  createdAt: s.createdAt.toISOString(),
  finishedAt: s.finishedAt ? s.finishedAt.toISOString() : null,
});

export const sweepRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const q = parseQuery(c, sweepsQuery);
    const rows = await listSweeps(c.var.getDb(), { strategy: q.strategy, status: q.status, after: timeIdCursor(q.cursor) }, q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => `${r.createdUs}:${r.id}`);
    return c.json({ items: page.items.map(({ createdUs: _c, ...s }) => metaOut(s)), page: page.page });
  })
  .get('/:id', async (c) => {
    const { id } = parseParams(c, idParams);
    const q = parseQuery(c, sweepDetailQuery);
    const db = c.var.getDb();
    const progressOnly = q.fields === 'progress';
    const sweep = (await (progressOnly ? getSweepMeta(db, id) : getSweep(db, id))) ?? notFound('Sweep', id);
    const chunks = await listSweepChunks(db, id);
    // The merged result, else (while it runs) the done chunks' combos, each through its one schema: a stored value
    // that does not parse is reported (`resultError`), never guessed at.
    const errors: string[] = [];
    const read = progressOnly ? ({ ok: true, result: null } as const) : readSweepResult('result' in sweep ? sweep.result : null);
    if (!read.ok) errors.push(read.reason);
    const result = read.ok ? read.result : null;
    let combos: ComboSummary[] = result?.combos ?? [];
    let comboSource: 'result' | 'chunks' | 'none' = result ? 'result' : 'none';
    if (!result && !progressOnly) {
      for (const [i, raw] of (await sweepChunkResults(db, id)).entries()) {
        const chunk = readChunkResult(raw);
        if (chunk.ok) combos = combos.concat(chunk.result?.combos ?? []);
        else errors.push(`done chunk ${i}: ${chunk.reason}`);
      }
      if (combos.length) comboSource = 'chunks';
    }
    if (errors.length) console.error(JSON.stringify({ at: 'sweep-result', sweepId: id, errors }));
    combos = combos.slice(0, MAX_COMBOS);
    const params = paramNames(combos);
    const metrics = metricPaths(combos[0]);
    const metric = q.metric ?? PREFERRED.find((m) => metrics.includes(m)) ?? metrics[0];
    const x = q.x ?? params[0];
    const y = q.y ?? params.find((p) => p !== x) ?? x;
    const byStatus: Record<string, number> = {};
    for (const ch of chunks) byStatus[ch.status] = (byStatus[ch.status] ?? 0) + 1;
    const best =
      metric && q.top
        ? combos
            .map((cb) => ({ params: cb.params, value: metricOf(cb, metric) }))
            .filter((b): b is { params: ComboSummary['params']; value: number } => b.value !== null)
            .sort((a, b) => b.value - a.value)
            .slice(0, q.top)
        : [];
    const { result: _stored, ...meta } = { result: null, ...sweep };
    return c.json({
      sweep: metaOut(meta),
      progress: {
        chunksDone: sweep.chunksDone,
        chunksTotal: sweep.chunksTotal,
        ratio: sweep.chunksTotal ? sweep.chunksDone / sweep.chunksTotal : sweep.status === 'done' ? 1 : 0,
        byStatus,
      },
      chunks: chunks.map((ch) => ({ ...ch, updatedAt: ch.updatedAt.toISOString() })),
      result: summarize(result),
      resultError: errors.length ? errors.join('; ') : null,
      combosFound: combos.length,
      comboSource,
      params,
      metrics,
      heatmap: combos.length && x && y && metric ? heatmap(combos, x, y, metric, q.agg) : null,
      best,
    });
  });

documentRoutes([
  { method: 'get', path: '/api/sweeps', tag: 'research', summary: 'Parameter sweeps, newest first', query: sweepsQuery, response: listOf(sweepMetaSchema) },
  {
    method: 'get',
    path: '/api/sweeps/:id',
    tag: 'research',
    summary: 'One sweep: progress, chunks, heatmap grid of a metric over two params, best combos',
    params: idParams,
    query: sweepDetailQuery,
    response: sweepDetailSchema,
  },
]);
