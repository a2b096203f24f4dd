/**
 * The four exportable datasets — a series' candles, a run's trades, a run's equity curve, the runs themselves —
 * read from the database in keyset pages and described by typed columns, ready for `encodeExport`. An export is
 * bounded by `limit` rows after an optional cursor; when more rows follow, `nextCursor` says where the next export
 * starts (known before streaming begins, so an HTTP response can carry it in a header).
 */
import type { Database } from '../db/database';
import { listRuns, type RunFilter, type RunListRow } from '../db/queries/lab-runs';
import {
  candleExportRows,
  candleKeysAt,
  equityExportRows,
  equityKeysAt,
  runExists,
  tradeCostModels,
  tradeExportRows,
  tradeKeysAt,
  type CandleRange,
} from '../db/queries/export';
import { CANDLE_COLUMNS, EQUITY_COLUMNS, RUN_COLUMNS, tradeColumns, type ExportColumn, type ExportRow } from './columns';
import type { ExportSource } from './encode';

export type ExportSpec =
  | ({ dataset: 'candles' } & CandleRange)
  | { dataset: 'trades'; runId: string }
  | { dataset: 'equity'; runId: string }
  | { dataset: 'runs'; filter: Omit<RunFilter, 'after'> };

export class ExportError extends Error {
  constructor(
    readonly kind: 'not_found' | 'bad_cursor',
    message: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface OpenedExport extends ExportSource {
  /** Where the next export of the same spec starts, or null when this one reaches the end. */
  nextCursor: string | null;
  /** A file name without extension, e.g. `candles-binance-BTC-USDT-1h`. */
  name: string;
}

export interface ExportWindow {
  /** Opaque cursor from a previous export's `nextCursor`. */
  cursor?: string;
  /** At most this many rows. */
  limit: number;
  /** Rows per database read (and per Parquet row group). */
  pageSize?: number;
}

function intCursor(c: string | undefined): number | null {
  if (c === undefined) return null;
  if (!/^-?\d{1,15}$/.test(c)) throw new ExportError('bad_cursor', `malformed cursor ${JSON.stringify(c.slice(0, 40))}`);
  return Number(c);
}

/** Pages of `read` after `after`, stopping at `limit` rows in all. */
async function* keyset(read: (after: number | null, n: number) => Promise<{ rows: ExportRow[]; last: number | null }>, after: number | null, limit: number, pageSize: number): AsyncGenerator<ExportRow[]> {
  let left = limit;
  let at = after;
  while (left > 0) {
    const { rows, last } = await read(at, Math.min(pageSize, left));
    if (rows.length) yield rows;
    left -= rows.length;
    if (rows.length < Math.min(pageSize, left + rows.length) || last === null) return;
    at = last;
  }
}

/** The next cursor: the key of the limit-th row when a (limit+1)-th exists. */
async function nextOf(keysAt: (after: number | null, offset: number) => Promise<number[]>, after: number | null, limit: number): Promise<string | null> {
  const keys = await keysAt(after, limit - 1);
  return keys.length === 2 ? String(keys[0]) : null;
}

function runRow(r: RunListRow): ExportRow {
  const g = (r.summary?.gross ?? null) as Record<string, unknown> | null;
  const n = (k: string): number | null => (g && typeof g[k] === 'number' ? (g[k] as number) : null);
  return [
    r.id,
    r.kind,
    r.strategyId,
    r.strategyVersion,
    r.params === null || r.params === undefined ? null : JSON.stringify(r.params),
    r.venue,
    r.symbol,
    r.timeframe,
    r.mode,
    r.windowFrom,
    r.windowTo,
    r.dataSource,
    r.candleCount,
    r.dataHash,
    r.codeVersion,
    r.status,
    r.verdict,
    r.verdictReason,
    r.resultHash,
    Date.parse(r.createdAt),
    r.finishedAt === null ? null : Date.parse(r.finishedAt),
    n('trades'),
    n('meanReturn'),
    n('totalReturn'),
    n('maxDrawdownEquity'),
    n('sharpe'),
  ];
}

function timeIdCursor(c: string | undefined): { time: number; id: string } | null {
  if (c === undefined) return null;
  const m = /^(\d{1,17}):([A-Za-z0-9_\-.]{1,100})$/.exec(c);
  if (!m) throw new ExportError('bad_cursor', `malformed cursor ${JSON.stringify(c.slice(0, 40))}`);
  return { time: Number(m[1]), id: m[2]! };
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-');

/** Open one export: its columns, its pages (read lazily) and the cursor of what follows. */
export async function openExport(db: Database, spec: ExportSpec, w: ExportWindow): Promise<OpenedExport> {
  const pageSize = w.pageSize ?? 5000;
  switch (spec.dataset) {
    case 'candles': {
      const after = intCursor(w.cursor);
      return {
        columns: CANDLE_COLUMNS,
        pages: keyset((a, n) => candleExportRows(db, spec, a, n), after, w.limit, pageSize),
        nextCursor: await nextOf((a, o) => candleKeysAt(db, spec, a, o), after, w.limit),
        name: safe(`candles-${spec.venue}-${spec.symbol}-${spec.timeframe}`),
      };
    }
    case 'trades':
    case 'equity': {
      const after = intCursor(w.cursor);
      if (!(await runExists(db, spec.runId))) throw new ExportError('not_found', `Run ${spec.runId} not found`);
      if (spec.dataset === 'trades') {
        const models = await tradeCostModels(db, spec.runId);
        const columns: ExportColumn[] = tradeColumns(models);
        return {
          columns,
          pages: keyset((a, n) => tradeExportRows(db, spec.runId, models, a, n), after, w.limit, pageSize),
          nextCursor: await nextOf((a, o) => tradeKeysAt(db, spec.runId, a, o), after, w.limit),
          name: safe(`run-${spec.runId}-trades`),
        };
      }
      return {
        columns: EQUITY_COLUMNS,
        pages: keyset((a, n) => equityExportRows(db, spec.runId, a, n), after, w.limit, pageSize),
        nextCursor: await nextOf((a, o) => equityKeysAt(db, spec.runId, a, o), after, w.limit),
        name: safe(`run-${spec.runId}-equity`),
      };
    }
    case 'runs': {
      // Run rows are small and few (sweep members are left out unless asked for): read the bounded window up front.
      let after = timeIdCursor(w.cursor);
      const rows: RunListRow[] = [];
      let more = false;
      while (rows.length < w.limit) {
        const want = Math.min(500, w.limit - rows.length);
        const page = await listRuns(db, { ...spec.filter, after }, want + 1);
        rows.push(...page.slice(0, want));
        more = page.length > want;
        if (!more) break;
        const last = page[want - 1]!;
        after = { time: last.createdUs, id: last.id };
      }
      const last = rows[rows.length - 1];
      return {
        columns: RUN_COLUMNS,
        pages: (async function* () {
          for (let i = 0; i < rows.length; i += pageSize) yield rows.slice(i, i + pageSize).map(runRow);
        })(),
        nextCursor: more && last ? `${last.createdUs}:${last.id}` : null,
        name: 'runs',
      };
    }
  }
}
