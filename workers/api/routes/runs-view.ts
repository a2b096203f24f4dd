/**
 * One run as the Lab reads it: provenance, the result (passed through; its known fields read by the one schema of
 * shared/research/stored-run-result.ts, whatever layout recorded them), gross vs net
 * metrics, the per-venue table and the equity curve downsampled with its extremes kept. Used by the run detail, the
 * comparison and the exports.
 */
import type { z } from 'zod';
import { getRunDetail, type EquityColumns, type EquityPoint, type RunRow, type RunWithResult, type TradeOut } from '../../../shared/db/queries/lab-runs';
import type { Database } from '../../../shared/db/database';
import { keepExtremes } from '../../../shared/lab/equity-extremes';
import { notFound, pageOf } from './common';
import type { equityColumnsSchema } from './runs-schemas';
import { readRunResult, runMetrics, venueRows, type StoredRunResult } from '../../../shared/research/stored-run-result';

type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The stored result read through its one schema (shared/research/stored-run-result.ts); a bad one is logged. */
export function readResult(runId: string, result: unknown): StoredRunResult {
  const read = readRunResult(result);
  if (read.ok) return read.result;
  console.error(JSON.stringify({ at: 'run-result', runId, error: read.reason }));
  return {};
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
  const stored = readResult(run.id, run.result);
  const base = { run: provenance(run), result: run.result, metrics: runMetrics(stored), venues: venueRows(stored, run), equity: equityOf(run, rows.equity, rows.resultEquity, opts.points) };
  const page = opts.trades > 0 ? pageOf(rows.trades, opts.trades, (x) => String(x.seq)) : { items: [] as TradeOut[], page: { limit: 0, nextCursor: null } };
  return { ...base, trades: { total: rows.tradeCount, ...page } };
}

/** One run with its equity as points (the comparison's and the report's form), no trades. */
export async function detail(db: Database, id: string, opts: { points: number }) {
  const { trades: _t, equity, ...rest } = await loadRun(db, id, { trades: 0, points: opts.points });
  const { time: _a, equityGross: _b, equityNet: _c, drawdown: _d, ...meta } = equity;
  return { ...rest, equity: { ...meta, points: equityAsPoints(equity) } };
}
