/**
 * Backtest runs: `GET /api/runs` (filters, keyset pages), `GET /api/runs/compare?a=&b=`, `GET /api/runs/:id`
 * (provenance, result, gross vs net metrics, per-venue cost/verdict table, equity + drawdown, first page of trades),
 * `GET /api/runs/:id/trades`, and the trade exports `GET /api/runs/:id/export.csv|.json` (streamed).
 *
 * The result jsonb is designed by the research side and read defensively here: passed through as `unknown`, with
 * known fields (`gross`, `net`, `metrics`, `venues`, `verdicts`, `equity`, `costModels`) picked when present.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  getRun,
  getRunDetail,
  listRunTrades,
  listRuns,
  type EquityPoint,
  type RunRow,
  type RunWithResult,
  type TradeOut,
} from '../../../shared/db/queries/lab-runs';
import type { Database } from '../../../shared/db/database';
import { equityCsv, equityJson } from '../../../shared/lab/report';
import { documentRoutes } from '../openapi';
import type { AppEnv } from '../app';
import {
  cursorParam,
  idParam,
  idParams,
  intCursor,
  limitParam,
  listOf,
  notFound,
  pageOf,
  pageSchema,
  parseParams,
  parseQuery,
  symbolParam,
  timeIdCursor,
  timeParam,
  timeframeParam,
  venueParam,
} from './common';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

export const runsQuery = z.object({
  limit: limitParam(),
  cursor: cursorParam,
  strategy: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
  venue: venueParam.optional(),
  symbol: symbolParam.optional(),
  timeframe: timeframeParam.optional(),
  verdict: z.enum(['keep', 'watch', 'reject']).optional(),
  status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
  kind: z.enum(['backtest', 'sweep-member', 'walk-forward', 'reproduction']).optional().describe('Default: every kind but sweep-member'),
  sweep: idParam.optional().describe('Only members of this sweep'),
  from: timeParam.optional().describe('Runs whose window starts at or after this'),
  to: timeParam.optional().describe('Runs whose window ends at or before this'),
});

export const runDetailQuery = z.object({
  trades: z.coerce.number().int().min(0).max(500).default(200).describe('Trades in the first page (0..500)'),
  points: z.coerce.number().int().min(10).max(5000).default(1500).describe('Max equity points (downsampled, worst drawdown kept)'),
});
export const tradesQuery = z.object({ limit: limitParam(200), cursor: cursorParam });
export const compareQuery = z.object({ a: idParam, b: idParam, points: z.coerce.number().int().min(10).max(2000).default(400) });

const venueRowSchema = z.object({
  key: z.string(),
  venue: z.string().nullable(),
  costModel: z.string().nullable(),
  label: z.string().nullable(),
  verdict: z.string().nullable(),
  reason: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
});
const provenanceSchema = z.object({
  id: z.string(),
  kind: z.string(),
  strategyId: z.string(),
  strategyVersion: z.string(),
  params: z.unknown(),
  venue: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  mode: z.string(),
  windowFrom: z.number(),
  windowTo: z.number(),
  dataSource: z.string(),
  candleCount: z.number(),
  dataHash: z.string().nullable(),
  costModels: z.unknown(),
  codeVersion: z.string(),
  status: z.string(),
  progress: z.number(),
  verdict: z.string().nullable(),
  verdictReason: z.string().nullable(),
  resultHash: z.string().nullable(),
  error: z.string().nullable(),
  sweepId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});
const tradeSchema = z.object({
  seq: z.number(),
  side: z.string(),
  entryTime: z.number(),
  entryPrice: z.number(),
  exitTime: z.number(),
  exitPrice: z.number(),
  entryReason: z.string(),
  exitReason: z.string(),
  grossReturn: z.number(),
  netReturns: z.record(z.string(), z.number()),
});
const equitySchema = z.object({
  source: z.enum(['table', 'result', 'none']),
  total: z.number(),
  netModel: z.string().nullable(),
  points: z.array(z.object({ time: z.number(), equityGross: z.number(), equityNet: z.number(), drawdown: z.number() })),
});
const metricsSchema = z.object({ gross: z.unknown(), net: z.record(z.string(), z.unknown()).nullable() });
export const runListItemSchema = provenanceSchema.extend({ headline: z.record(z.string(), z.unknown()).nullable(), venues: z.array(venueRowSchema) });
export const runDetailSchema = z.object({
  run: provenanceSchema,
  result: z.unknown().describe('backtest_runs.result without its trades array, passed through'),
  metrics: metricsSchema,
  venues: z.array(venueRowSchema),
  equity: equitySchema,
  trades: z.object({ total: z.number(), items: z.array(tradeSchema), page: pageSchema }),
});
export const compareSchema = z.object({
  a: runDetailSchema.omit({ trades: true }),
  b: runDetailSchema.omit({ trades: true }),
  diff: z.object({
    params: z.array(z.object({ key: z.string(), a: z.unknown(), b: z.unknown(), same: z.boolean() })),
    gross: z.array(z.object({ key: z.string(), a: z.number().nullable(), b: z.number().nullable(), delta: z.number().nullable() })),
    venues: z.array(z.object({ key: z.string(), a: z.string().nullable(), b: z.string().nullable() })),
  }),
});

/** Per-venue / per-cost-model rows from whatever the result holds (venues array or record, else net + verdicts). */
export function venueTable(result: unknown, run: Pick<RunRow, 'venue' | 'verdict' | 'verdictReason'>): z.infer<typeof venueRowSchema>[] {
  if (!isObj(result)) return [];
  const labels = new Map<string, string>();
  if (Array.isArray(result.costModels)) {
    for (const m of result.costModels) if (isObj(m) && typeof m.id === 'string') labels.set(m.id, str(m.label) ?? m.id);
  }
  const verdicts = isObj(result.verdicts) ? result.verdicts : {};
  const verdictOf = (k: string): { verdict: string | null; reason: string | null } => {
    const v = verdicts[k];
    if (typeof v === 'string') return { verdict: v, reason: null };
    if (isObj(v)) return { verdict: str(v.verdict) ?? str(v.status), reason: str(v.reason) };
    return { verdict: null, reason: null };
  };
  const fromEntry = (key: string, v: unknown): z.infer<typeof venueRowSchema> => {
    const o = isObj(v) ? v : {};
    const costModel = str(o.costModel) ?? str(o.costModelId) ?? str(o.preset) ?? (labels.has(key) ? key : null);
    const venue = str(o.venue) ?? (costModel ?? key).split('-')[0] ?? null;
    const vd = str(o.verdict) ? { verdict: str(o.verdict), reason: str(o.reason) ?? str(o.verdictReason) } : verdictOf(key);
    const metrics = isObj(o.metrics) ? o.metrics : isObj(o.net) ? o.net : Object.fromEntries(Object.entries(o).filter(([, x]) => typeof x === 'number' || x === null));
    return { key, venue, costModel, label: costModel ? (labels.get(costModel) ?? null) : null, verdict: vd.verdict, reason: vd.reason, metrics };
  };
  if (Array.isArray(result.venues)) {
    return result.venues.filter(isObj).map((v, i) => fromEntry(str(v.key) ?? str(v.costModel) ?? str(v.venue) ?? String(i), v));
  }
  if (isObj(result.venues)) return Object.entries(result.venues).map(([k, v]) => fromEntry(k, v));
  if (isObj(result.net)) {
    return Object.entries(result.net).map(([k, m]) => {
      const vd = verdictOf(k);
      const venue = k.split('-')[0] ?? null;
      const fallback = vd.verdict === null && venue === run.venue && Object.keys(verdicts).length === 0;
      return {
        key: k,
        venue,
        costModel: k,
        label: labels.get(k) ?? null,
        verdict: fallback ? run.verdict : vd.verdict,
        reason: fallback ? run.verdictReason : vd.reason,
        metrics: isObj(m) ? m : null,
      };
    });
  }
  return [];
}

function metricsOf(result: unknown): z.infer<typeof metricsSchema> {
  if (!isObj(result)) return { gross: null, net: null };
  const m = isObj(result.metrics) ? result.metrics : {};
  return { gross: result.gross ?? m.gross ?? null, net: (isObj(result.net) ? result.net : isObj(m.net) ? m.net : null) as Obj | null };
}

/** Equity from the result's own curves when the equity table has no rows for the run. */
function equityFromResult(result: unknown, venue: string, maxPoints: number): { netModel: string | null; points: EquityPoint[] } | null {
  if (!isObj(result) || !isObj(result.equity)) return null;
  const eq = result.equity;
  const curve = (x: unknown): { time: number[]; equity: number[]; drawdown: number[] } | null =>
    isObj(x) && Array.isArray(x.time) && Array.isArray(x.equity) ? { time: x.time as number[], equity: x.equity as number[], drawdown: (Array.isArray(x.drawdown) ? x.drawdown : []) as number[] } : null;
  const gross = curve(eq.gross) ?? curve(eq);
  if (!gross) return null;
  const nets = isObj(eq.net) ? eq.net : {};
  const netKey = [`${venue}-taker`, `${venue}-maker`, ...Object.keys(nets)].find((k) => curve(nets[k])) ?? null;
  const net = netKey ? curve(nets[netKey]) : null;
  const n = gross.time.length;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const points: EquityPoint[] = [];
  for (let i = 0; i < n; i += step) {
    const end = Math.min(n, i + step);
    let dd = 0;
    for (let j = i; j < end; j++) dd = Math.max(dd, Math.abs(Number((net ?? gross).drawdown[j] ?? 0)));
    const k = end - 1;
    points.push({ time: Number(gross.time[k]), equityGross: Number(gross.equity[k]), equityNet: Number((net ?? gross).equity[k]), drawdown: dd });
  }
  return { netModel: netKey, points };
}

function equityOf(run: RunWithResult, table: { total: number; points: EquityPoint[] }, maxPoints: number): z.infer<typeof equitySchema> {
  if (table.total > 0) return { source: 'table', total: table.total, netModel: null, points: table.points };
  const r = equityFromResult(run.result, run.venue, maxPoints);
  if (r) return { source: 'result', total: r.points.length, netModel: r.netModel, points: r.points };
  return { source: 'none', total: 0, netModel: null, points: [] };
}

function provenance(r: RunWithResult): RunRow {
  const { result: _r, resultTradeCount: _n, ...rest } = r;
  return rest;
}

/** Phase timings for a Server-Timing header (ms; in workerd the clock advances across I/O, which is what these are). */
type Timings = [string, number][];
async function timed<T>(t: Timings | undefined, name: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    t?.push([name, Date.now() - t0]);
  }
}

export async function detail(db: Database, id: string, opts: { trades: number; points: number }, t?: Timings) {
  const rows = (await timed(t, 'db', () => getRunDetail(db, id, { trades: Math.max(0, opts.trades), maxPoints: opts.points }))) ?? notFound('Run', id);
  const { run } = rows;
  const base = { run: provenance(run), result: run.result, metrics: metricsOf(run.result), venues: venueTable(run.result, run), equity: equityOf(run, rows.equity, opts.points) };
  if (opts.trades < 0) return { ...base, trades: { total: rows.tradeCount, items: [] as TradeOut[], page: { limit: 0, nextCursor: null } } };
  const page = pageOf(rows.trades, opts.trades, (x) => String(x.seq));
  return { ...base, trades: { total: rows.tradeCount, ...page } };
}

/**
 * Finished runs (`done`/`failed` are terminal: nothing rewrites them) are cached per isolate for a minute, as the
 * serialized detail body: under load the per-request connection to Postgres dominates, not the query.
 */
const FINISHED_TTL_MS = 60_000;
const FINISHED_MAX = 64;
const finishedRunCache = new Map<string, { json: string; until: number }>();
function rememberFinishedRun(key: string, json: string): void {
  if (json.length > 2_000_000) return;
  finishedRunCache.delete(key);
  finishedRunCache.set(key, { json, until: Date.now() + FINISHED_TTL_MS });
  while (finishedRunCache.size > FINISHED_MAX) finishedRunCache.delete(finishedRunCache.keys().next().value!);
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

const CSV_HEAD = ['seq', 'side', 'entry_time', 'entry_price', 'exit_time', 'exit_price', 'entry_reason', 'exit_reason', 'gross_return'];
const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every trade of a run, in pages, as a text stream (CSV or a JSON array). */
function tradeStream(db: Database, runId: string, format: 'csv' | 'json'): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let after: number | null = null;
  let first = true;
  let models: string[] = [];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const page = await listRunTrades(db, runId, after, 2000);
        let out = '';
        if (first) {
          models = page[0] ? Object.keys(page[0].netReturns).sort() : [];
          out += format === 'csv' ? [...CSV_HEAD, ...models.map((m) => `net_${m}`)].join(',') + '\n' : '[';
        }
        for (const t of page) {
          if (format === 'csv') {
            out +=
              [t.seq, t.side, new Date(t.entryTime).toISOString(), t.entryPrice, new Date(t.exitTime).toISOString(), t.exitPrice, t.entryReason, t.exitReason, t.grossReturn, ...models.map((m) => t.netReturns[m])]
                .map(csvCell)
                .join(',') + '\n';
          } else {
            out += (first ? '' : ',') + JSON.stringify(t);
            first = false;
          }
        }
        first = false;
        if (page.length < 2000) {
          if (format === 'json') out += ']';
          controller.enqueue(enc.encode(out));
          controller.close();
          return;
        }
        after = page[page.length - 1]!.seq;
        controller.enqueue(enc.encode(out));
      } catch (err) {
        controller.error(err);
      }
    },
  });
}

export const runRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const q = parseQuery(c, runsQuery);
    const rows = await listRuns(c.var.getDb(), { ...q, sweepId: q.sweep, after: timeIdCursor(q.cursor) }, q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => `${r.createdUs}:${r.id}`);
    return c.json({
      items: page.items.map(({ summary, createdUs: _c, ...r }) => {
        const gross = isObj(summary) ? (summary.gross ?? (isObj(summary.metrics) ? summary.metrics.gross : null)) : null;
        return { ...r, headline: isObj(gross) ? gross : null, venues: venueTable(summary, r) };
      }),
      page: page.page,
    });
  })
  .get('/compare', async (c) => {
    const q = parseQuery(c, compareQuery);
    const db = c.var.getDb();
    const a = await detail(db, q.a, { trades: -1, points: q.points });
    const b = await detail(db, q.b, { trades: -1, points: q.points });
    const pa = isObj(a.run.params) ? a.run.params : {};
    const pb = isObj(b.run.params) ? b.run.params : {};
    const pkeys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort();
    const vkeys = [...new Set([...a.venues.map((v) => v.key), ...b.venues.map((v) => v.key)])];
    const strip = ({ trades: _t, ...rest }: typeof a) => rest;
    return c.json({
      a: strip(a),
      b: strip(b),
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
    const key = `${id}|${q.trades}|${q.points}`;
    const hit = finishedRunCache.get(key);
    if (hit && hit.until > Date.now()) {
      c.header('Server-Timing', 'cache;desc=hit');
      return c.body(hit.json, 200, { 'content-type': 'application/json; charset=UTF-8' });
    }
    const t: Timings = [];
    const body = await detail(c.var.getDb(), id, q, t);
    const json = JSON.stringify(body);
    if (body.run.status === 'done' || body.run.status === 'failed') rememberFinishedRun(key, json);
    c.header('Server-Timing', t.map(([k, v]) => `${k};dur=${v}`).join(', '));
    return c.body(json, 200, { 'content-type': 'application/json; charset=UTF-8' });
  })
  .get('/:id/trades', async (c) => {
    const { id } = parseParams(c, idParams);
    const q = parseQuery(c, tradesQuery);
    const db = c.var.getDb();
    const rows = await listRunTrades(db, id, intCursor(q.cursor), q.limit + 1);
    if (rows.length === 0 && !(await getRun(db, id))) notFound('Run', id);
    return c.json(pageOf(rows, q.limit, (t) => String(t.seq)));
  })
  .get('/:id/export.csv', async (c) => {
    const { id } = parseParams(c, idParams);
    const db = c.var.getDb();
    if (!(await getRun(db, id))) notFound('Run', id);
    return c.body(tradeStream(db, id, 'csv'), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="run-${id}-trades.csv"`,
    });
  })
  .get('/:id/export.json', async (c) => {
    const { id } = parseParams(c, idParams);
    const db = c.var.getDb();
    if (!(await getRun(db, id))) notFound('Run', id);
    return c.body(tradeStream(db, id, 'json'), 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="run-${id}-trades.json"`,
    });
  });

documentRoutes([
  { method: 'get', path: '/api/runs', tag: 'research', summary: 'Backtest runs, newest first, with headline metrics and per-venue verdicts', query: runsQuery, response: listOf(runListItemSchema) },
  { method: 'get', path: '/api/runs/compare', tag: 'research', summary: 'Two runs side by side with parameter, metric and verdict differences', query: compareQuery, response: compareSchema },
  {
    method: 'get',
    path: '/api/runs/:id',
    tag: 'research',
    summary: 'One run: provenance, result, gross vs net metrics, per-venue table, equity + drawdown, first trades',
    params: idParams,
    query: runDetailQuery,
    response: runDetailSchema,
  },
  { method: 'get', path: '/api/runs/:id/trades', tag: 'research', summary: "A run's trades in sequence order (keyset-paged)", params: idParams, query: tradesQuery, response: listOf(tradeSchema) },
  { method: 'get', path: '/api/runs/:id/export.csv', tag: 'research', summary: 'All trades of a run as CSV', params: idParams, contentType: 'text/csv' },
  { method: 'get', path: '/api/runs/:id/export.json', tag: 'research', summary: 'All trades of a run as a JSON array', params: idParams, response: z.array(tradeSchema) },
]);

/** The whole equity curve of a run (every stored point, not downsampled) as CSV or columnar JSON (REQ-BT-008). */
const EQUITY_ALL = 10_000_000;
runRoutes
  .get('/:id/equity.csv', async (c) => {
    const { id } = parseParams(c, idParams);
    const d = await detail(c.var.getDb(), id, { trades: -1, points: EQUITY_ALL });
    return c.body(equityCsv(d.equity.points), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="run-${id}-equity.csv"` });
  })
  .get('/:id/equity.json', async (c) => {
    const { id } = parseParams(c, idParams);
    const d = await detail(c.var.getDb(), id, { trades: -1, points: EQUITY_ALL });
    return c.body(equityJson(id, d.equity.points), 200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="run-${id}-equity.json"` });
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
