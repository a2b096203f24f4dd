/**
 * Parameter sweeps: `GET /api/sweeps` (keyset pages) and `GET /api/sweeps/:id` — progress, chunks, and heatmap
 * data: for two params `?x=&y=` the grid of `?metric=` (aggregated over the other params with `?agg=`), read
 * defensively from the sweep's result jsonb (or, while it runs, from its done chunks' results). A combo is any
 * object with a `params` object; a metric is a (dotted) path looked up on the combo, then its `metrics`,
 * `gross` or `result`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { getSweep, listSweepChunks, listSweeps, sweepChunkResults } from '../../../shared/db/queries/lab-sweeps';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import { cursorParam, idParams, limitParam, listOf, notFound, pageOf, parseParams, parseQuery, timeIdCursor } from './common';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const COMBO_KEYS = ['combos', 'results', 'points', 'rows', 'members', 'trials', 'grid', 'items', 'entries'];
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
  result: z.unknown().describe('The result jsonb with long arrays replaced by { omitted: n }'),
  combosFound: z.number(),
  comboSource: z.enum(['result', 'chunks', 'none']),
  params: z.array(z.string()),
  metrics: z.array(z.string()),
  heatmap: heatmapSchema.nullable(),
  best: z.array(z.object({ params: z.record(z.string(), z.unknown()), value: z.number() })),
});

/** Combos (objects with a `params` object) anywhere obvious in a result or chunk result. */
export function combosOf(x: unknown, depth = 0): Obj[] {
  if (depth > 3 || x === null || x === undefined) return [];
  if (Array.isArray(x)) {
    if (x.some((e) => isObj(e) && isObj(e.params))) return x.filter((e): e is Obj => isObj(e) && isObj(e.params));
    return x.flatMap((e) => combosOf(e, depth + 1));
  }
  if (!isObj(x)) return [];
  for (const k of COMBO_KEYS) {
    const found = combosOf(x[k], depth + 1);
    if (found.length) return found;
  }
  return [];
}

function at(o: unknown, path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** The metric `path` of a combo: on the combo itself, then under metrics, gross, result. */
export function metricOf(combo: Obj, path: string): number | null {
  const parts = path.split('.');
  for (const root of [combo, combo.metrics, combo.gross, combo.result]) {
    const v = at(root, parts);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

function numericPaths(o: unknown, prefix: string, out: string[], depth: number): void {
  if (!isObj(o) || depth > 3 || out.length >= 200) return;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'params') continue;
    const p = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out.push(p);
    else numericPaths(v, p, out, depth + 1);
  }
}

/** Metric paths offered for a combo shape, with `metrics.`/`gross.`/`result.` roots shortened. */
function metricPaths(combo: Obj | undefined): string[] {
  if (!combo) return [];
  const out: string[] = [];
  numericPaths(combo, '', out, 0);
  return [...new Set(out.map((p) => p.replace(/^(metrics|gross|result)\./, '')))];
}

const PREFERRED = ['sharpe', 'totalReturn', 'meanReturn', 'profitFactor', 'score', 'objective'];

type Val = number | string | boolean;
const sortVals = (vals: Val[]): Val[] =>
  [...vals].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));

export function heatmap(combos: Obj[], x: string, y: string, metric: string, agg: 'max' | 'min' | 'mean'): z.infer<typeof heatmapSchema> {
  const valOf = (c: Obj, k: string): Val | undefined => {
    const v = (c.params as Obj)[k];
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
    const sweep = (await getSweep(db, id)) ?? notFound('Sweep', id);
    const chunks = await listSweepChunks(db, id);
    let combos = combosOf(sweep.result);
    let comboSource: 'result' | 'chunks' | 'none' = combos.length ? 'result' : 'none';
    if (!combos.length) {
      combos = (await sweepChunkResults(db, id)).flatMap((r) => combosOf(r));
      if (combos.length) comboSource = 'chunks';
    }
    combos = combos.slice(0, MAX_COMBOS);
    const spaceKeys = isObj(sweep.space) ? Object.keys(sweep.space) : [];
    const comboKeys = combos[0] ? Object.keys(combos[0].params as Obj) : [];
    const params = [...new Set([...spaceKeys, ...comboKeys])];
    const metrics = metricPaths(combos[0]);
    const metric = q.metric ?? PREFERRED.find((m) => metrics.includes(m)) ?? metrics[0];
    const x = q.x ?? params[0];
    const y = q.y ?? params.find((p) => p !== x) ?? x;
    const byStatus: Record<string, number> = {};
    for (const ch of chunks) byStatus[ch.status] = (byStatus[ch.status] ?? 0) + 1;
    const best =
      metric && q.top
        ? combos
            .map((cb) => ({ params: cb.params as Obj, value: metricOf(cb, metric) }))
            .filter((b): b is { params: Obj; value: number } => b.value !== null)
            .sort((a, b) => b.value - a.value)
            .slice(0, q.top)
        : [];
    const { result, ...meta } = sweep;
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
