/**
 * Keyset-paged reads for exports: candles by open time, a run's trades and equity points by sequence. Each reader
 * returns rows in export column order (see `shared/export/columns.ts`) and can say which key sits `n` rows past a
 * cursor, so a streamed response can name its next cursor before the first byte goes out.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../database';
import type { ExportRow } from '../../export/columns';

export interface CandleRange {
  venue: string;
  symbol: string;
  timeframe: string;
  /** from <= open_time < to (ms). */
  from: number;
  to: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Up to `limit` candles with open_time > after (or from the range start), oldest first. */
export async function candleExportRows(db: Database, q: CandleRange, after: number | null, limit: number): Promise<{ rows: ExportRow[]; last: number | null }> {
  const res = await db.execute(sql`
    SELECT open_time, open, high, low, close, volume, source FROM candles
    WHERE venue = ${q.venue} AND symbol = ${q.symbol} AND timeframe = ${q.timeframe}
      AND open_time >= ${q.from} AND open_time < ${q.to} AND open_time > ${after ?? -1}
    ORDER BY open_time LIMIT ${limit}`);
  const rows = rowsOf<Record<string, unknown>>(res).map((r) => [Number(r.open_time), Number(r.open), Number(r.high), Number(r.low), Number(r.close), Number(r.volume), str(r.source)]);
  return { rows, last: rows.length ? (rows[rows.length - 1]![0] as number) : null };
}

/** The open times `offset` and `offset + 1` rows past the cursor (0-based), as far as they exist. */
export async function candleKeysAt(db: Database, q: CandleRange, after: number | null, offset: number): Promise<number[]> {
  const res = await db.execute(sql`
    SELECT open_time FROM candles
    WHERE venue = ${q.venue} AND symbol = ${q.symbol} AND timeframe = ${q.timeframe}
      AND open_time >= ${q.from} AND open_time < ${q.to} AND open_time > ${after ?? -1}
    ORDER BY open_time OFFSET ${offset} LIMIT 2`);
  return rowsOf<{ open_time: unknown }>(res).map((r) => Number(r.open_time));
}

export async function runExists(db: Database, runId: string): Promise<boolean> {
  const res = await db.execute(sql`SELECT 1 AS one FROM backtest_runs WHERE id = ${runId}`);
  return rowsOf(res).length > 0;
}

/** The cost models a run's trades carry (the keys of its first trade's net returns), sorted. */
export async function tradeCostModels(db: Database, runId: string): Promise<string[]> {
  const res = await db.execute(sql`SELECT net_returns FROM backtest_trades WHERE run_id = ${runId} ORDER BY seq LIMIT 1`);
  const r = rowsOf<{ net_returns: unknown }>(res)[0];
  if (!r) return [];
  const nets = (typeof r.net_returns === 'string' ? JSON.parse(r.net_returns) : r.net_returns) as Record<string, unknown>;
  return Object.keys(nets ?? {}).sort();
}

/** Up to `limit` trades with seq > after, in sequence order; net returns as one column per model in `models`. */
export async function tradeExportRows(db: Database, runId: string, models: readonly string[], after: number | null, limit: number): Promise<{ rows: ExportRow[]; last: number | null }> {
  const res = await db.execute(sql`
    SELECT seq, side, entry_time, entry_price, exit_time, exit_price, entry_reason, exit_reason, gross_return, net_returns
    FROM backtest_trades WHERE run_id = ${runId} AND seq > ${after ?? -2147483648}
    ORDER BY seq LIMIT ${limit}`);
  const rows = rowsOf<Record<string, unknown>>(res).map((r): ExportRow => {
    const nets = (typeof r.net_returns === 'string' ? JSON.parse(r.net_returns) : r.net_returns) as Record<string, unknown>;
    return [
      Number(r.seq),
      str(r.side),
      Number(r.entry_time),
      Number(r.entry_price),
      Number(r.exit_time),
      Number(r.exit_price),
      str(r.entry_reason),
      str(r.exit_reason),
      Number(r.gross_return),
      ...models.map((m) => num(nets?.[m])),
    ];
  });
  return { rows, last: rows.length ? (rows[rows.length - 1]![0] as number) : null };
}

export async function tradeKeysAt(db: Database, runId: string, after: number | null, offset: number): Promise<number[]> {
  const res = await db.execute(sql`
    SELECT seq FROM backtest_trades WHERE run_id = ${runId} AND seq > ${after ?? -2147483648} ORDER BY seq OFFSET ${offset} LIMIT 2`);
  return rowsOf<{ seq: unknown }>(res).map((r) => Number(r.seq));
}

/** Up to `limit` equity points with seq > after — every stored point, not downsampled. */
export async function equityExportRows(db: Database, runId: string, after: number | null, limit: number): Promise<{ rows: ExportRow[]; last: number | null }> {
  const res = await db.execute(sql`
    SELECT seq, time, equity_gross, equity_net, drawdown FROM backtest_equity
    WHERE run_id = ${runId} AND seq > ${after ?? -2147483648} ORDER BY seq LIMIT ${limit}`);
  const rows = rowsOf<Record<string, unknown>>(res).map((r): ExportRow => [Number(r.seq), Number(r.time), Number(r.equity_gross), Number(r.equity_net), Number(r.drawdown)]);
  return { rows, last: rows.length ? (rows[rows.length - 1]![0] as number) : null };
}

export async function equityKeysAt(db: Database, runId: string, after: number | null, offset: number): Promise<number[]> {
  const res = await db.execute(sql`
    SELECT seq FROM backtest_equity WHERE run_id = ${runId} AND seq > ${after ?? -2147483648} ORDER BY seq OFFSET ${offset} LIMIT 2`);
  return rowsOf<{ seq: unknown }>(res).map((r) => Number(r.seq));
}
