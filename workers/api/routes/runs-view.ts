/**
 * One run as the Lab reads it: provenance, the result (read defensively: passed through as `unknown`, with known
 * fields — `gross`, `net`, `metrics`, `venues`, `verdicts`, `costModels` — picked when present), gross vs net
 * metrics, the per-venue table and the equity curve downsampled with its extremes kept. Used by the run detail, the
 * comparison and the exports.
 */
import type { z } from 'zod';
import { getRunDetail, type EquityColumns, type EquityPoint, type RunRow, type RunWithResult, type TradeOut } from '../../../shared/db/queries/lab-runs';
import type { Database } from '../../../shared/db/database';
import { keepExtremes } from '../../../shared/lab/equity-extremes';
import { notFound, pageOf } from './common';
import type { equityColumnsSchema, metricsSchema, venueRowSchema } from './runs-schemas';

type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

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

export function metricsOf(result: unknown): z.infer<typeof metricsSchema> {
  if (!isObj(result)) return { gross: null, net: null };
  const m = isObj(result.metrics) ? result.metrics : {};
  return { gross: result.gross ?? m.gross ?? null, net: (isObj(result.net) ? result.net : isObj(m.net) ? m.net : null) as Obj | null };
}

/** Equity from the result's own curves (runs recorded before the equity table), downsampled the same way. */
function equityFromResult(eq: unknown, venue: string, maxPoints: number): { netModel: string | null; total: number; columns: EquityColumns } | null {
  if (!isObj(eq)) return null;
  const curve = (x: unknown): { time: number[]; equity: number[]; drawdown: number[] } | null =>
    isObj(x) && Array.isArray(x.time) && Array.isArray(x.equity) ? { time: x.time as number[], equity: x.equity as number[], drawdown: (Array.isArray(x.drawdown) ? x.drawdown : []) as number[] } : null;
  const gross = curve(eq.gross) ?? curve(eq);
  if (!gross) return null;
  const nets = isObj(eq.net) ? eq.net : {};
  const netKey = [`${venue}-taker`, `${venue}-maker`, ...Object.keys(nets)].find((k) => curve(nets[k])) ?? null;
  const net = (netKey ? curve(nets[netKey]) : null) ?? gross;
  const num = (a: readonly unknown[], i: number): number => Number(a[i] ?? 0);
  const idx = gross.time.map((_, i) => i);
  const full = { time: idx.map((i) => num(gross.time, i)), equityGross: idx.map((i) => num(gross.equity, i)), equityNet: idx.map((i) => num(net.equity, i)), drawdown: idx.map((i) => Math.abs(num(net.drawdown, i))) };
  return { netModel: netKey, total: full.time.length, columns: keepExtremes(full, maxPoints) };
}

export type EquityOut = z.infer<typeof equityColumnsSchema>;

function equityOf(run: RunWithResult, table: { total: number; columns: EquityColumns }, resultEquity: unknown, maxPoints: number): EquityOut {
  if (table.total > 0) return { source: 'table', total: table.total, netModel: null, ...table.columns };
  const r = equityFromResult(resultEquity, run.venue, maxPoints);
  if (r) return { source: 'result', total: r.total, netModel: r.netModel, ...r.columns };
  return { source: 'none', total: 0, netModel: null, time: [], equityGross: [], equityNet: [], drawdown: [] };
}

export function provenance(r: RunWithResult): RunRow {
  const { result: _r, resultTradeCount: _n, ...rest } = r;
  return rest;
}

/** Phase timings for a Server-Timing header (ms; in workerd the clock advances across I/O, which is what these are). */
export type Timings = [string, number][];
export async function timed<T>(t: Timings | undefined, name: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    t?.push([name, Date.now() - t0]);
  }
}

export function equityAsPoints(e: EquityOut): EquityPoint[] {
  return e.time.map((time, k) => ({ time, equityGross: e.equityGross[k]!, equityNet: e.equityNet[k]!, drawdown: e.drawdown[k]! }));
}

/** The run with up to `opts.trades` first trades (a page) and its equity as columns; 404 when there is no such run. */
export async function loadRun(db: Database, id: string, opts: { trades: number; points: number }, t?: Timings) {
  const rows = (await timed(t, 'db', () => getRunDetail(db, id, { trades: Math.max(0, opts.trades), maxPoints: opts.points }))) ?? notFound('Run', id);
  const { run } = rows;
  const base = { run: provenance(run), result: run.result, metrics: metricsOf(run.result), venues: venueTable(run.result, run), equity: equityOf(run, rows.equity, rows.resultEquity, opts.points) };
  const page = opts.trades > 0 ? pageOf(rows.trades, opts.trades, (x) => String(x.seq)) : { items: [] as TradeOut[], page: { limit: 0, nextCursor: null } };
  return { ...base, trades: { total: rows.tradeCount, ...page } };
}

/** One run with its equity as points (the comparison's and the report's form), no trades. */
export async function detail(db: Database, id: string, opts: { points: number }) {
  const { trades: _t, equity, ...rest } = await loadRun(db, id, { trades: 0, points: opts.points });
  const { time: _a, equityGross: _b, equityNet: _c, drawdown: _d, ...meta } = equity;
  return { ...rest, equity: { ...meta, points: equityAsPoints(equity) } };
}
