/**
 * Backtest runs for the Lab: a filtered, keyset-paged list carrying only the small parts of each result
 * (headline metrics and per-venue verdicts picked out in SQL, never the trades), one run with its result minus
 * the embedded trade list, trades by sequence, and the equity curve downsampled with its extremes kept. The run page's
 * projection of a result (`backtest_runs.detail`, shared/research/stored-run-detail.ts) is built here, stored
 * when a run completes (`storeRunDetail`, called by completeRun) or on the first read of an older finished row.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Database } from '../database';
import type { TradeInsert } from './research';
import { readRunDetail, RUN_DETAIL_PROJECTION_TYPE, type StoredRunDetail } from '../../research/stored-run-detail';
import { keepExtremes } from '../../lab/equity-extremes';

export interface RunFilter {
  strategy?: string;
  venue?: string;
  symbol?: string;
  timeframe?: string;
  verdict?: string;
  status?: string;
  kind?: string;
  sweepId?: string;
  /** Runs whose window starts at or after `from` … */
  from?: number;
  /** … and ends at or before `to`. */
  to?: number;
  /** Keyset: rows strictly after this (created_at µs since the epoch, id) in newest-first order. */
  after?: { time: number; id: string } | null;
}

/** Columns of a run row without its result, as snake_case → camelCase. */
const RUN_COLUMNS = sql`id, kind, strategy_id, strategy_version, params, venue, symbol, timeframe, mode, window_from, window_to,
  data_source, candle_count, data_hash, cost_models, code_version, status, progress, verdict, verdict_reason, result_hash,
  error, sweep_id, created_at, started_at, finished_at, duration_ms`;

export interface RunRow {
  id: string;
  kind: string;
  strategyId: string;
  strategyVersion: string;
  params: unknown;
  venue: string;
  symbol: string;
  timeframe: string;
  mode: string;
  windowFrom: number;
  windowTo: number;
  dataSource: string;
  candleCount: number;
  dataHash: string | null;
  costModels: unknown;
  codeVersion: string;
  status: string;
  progress: number;
  verdict: string | null;
  verdictReason: string | null;
  resultHash: string | null;
  error: string | null;
  sweepId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

function toRun(r: Record<string, unknown>): RunRow {
  return {
    id: String(r.id),
    kind: String(r.kind),
    strategyId: String(r.strategy_id),
    strategyVersion: String(r.strategy_version),
    params: r.params,
    venue: String(r.venue),
    symbol: String(r.symbol),
    timeframe: String(r.timeframe),
    mode: String(r.mode),
    windowFrom: Number(r.window_from),
    windowTo: Number(r.window_to),
    dataSource: String(r.data_source),
    candleCount: Number(r.candle_count),
    dataHash: (r.data_hash as string | null) ?? null,
    costModels: r.cost_models,
    codeVersion: String(r.code_version),
    status: String(r.status),
    progress: Number(r.progress),
    verdict: (r.verdict as string | null) ?? null,
    verdictReason: (r.verdict_reason as string | null) ?? null,
    resultHash: (r.result_hash as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    sweepId: (r.sweep_id as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
  };
}

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : (v ?? null));

const CREATED_US = sql`(extract(epoch from created_at) * 1000000)::bigint`;

export interface RunListRow extends RunRow {
  /** created_at in µs since the epoch (the keyset cursor). */
  createdUs: number;
  /** Small, known parts of the result jsonb (each null when absent): gross, net (per cost model), metrics, venues, verdicts. */
  summary: Record<string, unknown> | null;
}

/** Runs newest first (created_at desc, id desc), `limit` rows. Sweep members are left out unless asked for. */
export async function listRuns(db: Database, f: RunFilter, limit: number): Promise<RunListRow[]> {
  const where: SQL[] = [sql`true`];
  if (f.strategy) where.push(sql`strategy_id = ${f.strategy}`);
  if (f.venue) where.push(sql`venue = ${f.venue}`);
  if (f.symbol) where.push(sql`symbol = ${f.symbol}`);
  if (f.timeframe) where.push(sql`timeframe = ${f.timeframe}`);
  if (f.verdict) where.push(sql`verdict = ${f.verdict}`);
  if (f.status) where.push(sql`status = ${f.status}`);
  if (f.kind) where.push(sql`kind = ${f.kind}`);
  else if (!f.sweepId) where.push(sql`kind <> 'sweep-member'`);
  if (f.sweepId) where.push(sql`sweep_id = ${f.sweepId}`);
  if (f.from !== undefined) where.push(sql`window_from >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`window_to <= ${f.to}`);
  if (f.after) {
    where.push(sql`(${CREATED_US}, id) < (${f.after.time}::bigint, ${f.after.id})`);
  }
  const res = await db.execute(sql`
    SELECT ${RUN_COLUMNS}, ${CREATED_US} AS created_us,
      CASE WHEN result IS NULL OR jsonb_typeof(result) <> 'object' THEN NULL ELSE jsonb_build_object(
        'gross', result->'gross', 'net', result->'net', 'metrics', result->'metrics',
        'venues', result->'venues', 'verdicts', result->'verdicts', 'breakEvenRoundTripBps', result->'breakEvenRoundTripBps') END AS summary
    FROM backtest_runs
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY created_at DESC, id DESC
    LIMIT ${limit}`);
  return rowsOf<Record<string, unknown>>(res).map((r) => ({ ...toRun(r), createdUs: Number(r.created_us), summary: json(r.summary) as Record<string, unknown> | null }));
}

export interface RunWithResult extends RunRow {
  /** The result jsonb without its `trades` array (trades are served from backtest_trades, paged). */
  result: unknown;
  /** Length of the result's own `trades` array, when it has one. */
  resultTradeCount: number | null;
}

export async function getRun(db: Database, id: string): Promise<RunWithResult | null> {
  const res = await db.execute(sql`
    SELECT ${RUN_COLUMNS},
      CASE WHEN jsonb_typeof(result) = 'object' THEN result - 'trades' ELSE result END AS result,
      CASE WHEN jsonb_typeof(result->'trades') = 'array' THEN jsonb_array_length(result->'trades') END AS result_trade_count
    FROM backtest_runs WHERE id = ${id}`);
  const r = rowsOf<Record<string, unknown>>(res)[0];
  if (!r) return null;
  return {
    ...toRun(r),
    result: json(r.result),
    resultTradeCount: r.result_trade_count === null || r.result_trade_count === undefined ? null : Number(r.result_trade_count),
  };
}

/** What a run's cache validator is made of: a finished run never changes, so these stand for its whole detail. */
export interface RunStamp {
  status: string;
  resultHash: string | null;
  finishedAt: string | null;
}

/** The run's status, result hash and finish time (one indexed row, no result): enough to answer If-None-Match. */
export async function getRunStamp(db: Database, id: string): Promise<RunStamp | null> {
  const res = await db.execute(sql`SELECT status, result_hash, finished_at FROM backtest_runs WHERE id = ${id}`);
  const r = rowsOf<Record<string, unknown>>(res)[0];
  if (!r) return null;
  return { status: String(r.status), resultHash: r.result_hash === null ? null : String(r.result_hash), finishedAt: iso(r.finished_at) };
}

export type TradeOut = TradeInsert;

function toTrade(r: Record<string, unknown>): TradeOut {
  return {
    seq: Number(r.seq),
    side: String(r.side),
    entryTime: Number(r.entry_time),
    entryPrice: Number(r.entry_price),
    exitTime: Number(r.exit_time),
    exitPrice: Number(r.exit_price),
    entryReason: String(r.entry_reason),
    exitReason: String(r.exit_reason),
    grossReturn: Number(r.gross_return),
    netReturns: json(r.net_returns) as Record<string, number>,
  };
}

/** Trades with seq > afterSeq, in sequence order, `limit` rows. */
export async function listRunTrades(db: Database, runId: string, afterSeq: number | null, limit: number): Promise<TradeOut[]> {
  const res = await db.execute(sql`
    SELECT seq, side, entry_time, entry_price, exit_time, exit_price, entry_reason, exit_reason, gross_return, net_returns
    FROM backtest_trades WHERE run_id = ${runId} AND seq > ${afterSeq ?? -2147483648}
    ORDER BY seq LIMIT ${limit}`);
  return rowsOf<Record<string, unknown>>(res).map(toTrade);
}

export async function countRunTrades(db: Database, runId: string): Promise<number> {
  const res = await db.execute(sql`SELECT count(*)::int AS n FROM backtest_trades WHERE run_id = ${runId}`);
  return Number(rowsOf<{ n: number }>(res)[0]?.n ?? 0);
}

export interface EquityPoint {
  time: number;
  equityGross: number;
  equityNet: number;
  drawdown: number;
}

/** An equity curve as columns (one array per field, equal lengths, in time order): compact to serve. */
export interface EquityColumns {
  time: number[];
  equityGross: number[];
  equityNet: number[];
  drawdown: number[];
}

/** Every stored equity point of a run, in order (the exports: not downsampled). */
export async function allRunEquity(db: Database, runId: string): Promise<EquityPoint[]> {
  const res = await db.execute(sql`SELECT time, equity_gross, equity_net, drawdown FROM backtest_equity WHERE run_id = ${runId} ORDER BY seq`);
  return rowsOf<Record<string, unknown>>(res).map((r) => ({ time: Number(r.time), equityGross: Number(r.equity_gross), equityNet: Number(r.equity_net), drawdown: Number(r.drawdown) }));
}

/** Rows kept per bucket by `EQUITY_EXTREMES_SQL`: the last, net min/max, gross min/max, worst drawdown. */
export const EQUITY_KEPT_PER_BUCKET = 6;

/**
 * The run's equity downsampled to at most `maxPoints` stored rows, never invented ones: the first row, and in each
 * of ⌊(maxPoints − 1) / 6⌋ equal buckets the rows holding its last point, its net and gross minimum and maximum and
 * its worst drawdown — so the curve's peaks, troughs and maximum drawdown are exact, whatever the bucket size.
 * Ties go to the earliest row (as shared/lab/equity-extremes.ts). One grouped pass picks each bucket's rows: the
 * arg-min/arg-max of a column is the second element of min/max over `ARRAY[value, ±index]` (arrays compare by
 * element, with the column's own ordering), instead of six sorts over every row.
 */
function equityExtremesSql(runId: string, maxPoints: number): SQL {
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / EQUITY_KEPT_PER_BUCKET));
  return sql`(WITH e AS (
      SELECT time, equity_gross, equity_net, drawdown, row_number() OVER (ORDER BY seq) - 1 AS i, count(*) OVER () AS n
      FROM backtest_equity WHERE run_id = ${runId}),
    kept AS (
      SELECT unnest(ARRAY[max(i), (min(ARRAY[equity_net, i]))[2], -(max(ARRAY[equity_net, -i]))[2],
                          (min(ARRAY[equity_gross, i]))[2], -(max(ARRAY[equity_gross, -i]))[2], -(max(ARRAY[drawdown, -i]))[2]]) AS i
      FROM e GROUP BY i / greatest(1, ceil(n::float8 / ${buckets})::int))
    SELECT json_build_object('total', coalesce(max(n), 0),
      'time', coalesce(json_agg(time ORDER BY i), '[]'::json), 'equityGross', coalesce(json_agg(equity_gross ORDER BY i), '[]'::json),
      'equityNet', coalesce(json_agg(equity_net ORDER BY i), '[]'::json), 'drawdown', coalesce(json_agg(drawdown ORDER BY i), '[]'::json))
    FROM e WHERE i = 0 OR i IN (SELECT i FROM kept))`;
}

/**
 * The run page's projection of the row's `result` (a jsonb `StoredRunDetail`): the result without its embedded
 * trades and engine curves — and, since the measured views' per-trade arrays (net, round trip) grow with the trade
 * count while the trades table carries those net returns, each measured venue keeps only its components and
 * sources — plus the length of the result's own trade array and the run's stored trade rows. Evaluated only where a
 * row has no current projection.
 */
export const RUN_DETAIL_PROJECTION_SQL: SQL = sql`jsonb_build_object('$type', ${RUN_DETAIL_PROJECTION_TYPE}::text,
  'result', CASE WHEN jsonb_typeof(result) <> 'object' THEN result
                 WHEN jsonb_typeof(result->'measuredCosts'->'venues') = 'array' THEN
                   jsonb_set(result - 'trades' - 'equity', '{measuredCosts,venues}',
                     (SELECT coalesce(jsonb_agg(v - 'net' - 'roundTripBps' ORDER BY i), '[]'::jsonb)
                      FROM jsonb_array_elements(result->'measuredCosts'->'venues') WITH ORDINALITY AS mv(v, i)))
                 ELSE result - 'trades' - 'equity' END,
  'resultTradeCount', CASE WHEN jsonb_typeof(result->'trades') = 'array' THEN jsonb_array_length(result->'trades') END,
  'tradeCount', (SELECT count(*)::int FROM backtest_trades bt WHERE bt.run_id = backtest_runs.id))`;

/** Whether the row's stored projection is of the current layout. */
const PROJECTION_CURRENT = sql`detail->>'$type' IS NOT DISTINCT FROM ${RUN_DETAIL_PROJECTION_TYPE}::text`;

/** The statuses nothing rewrites: their projection can be stored. */
const FINISHED_STATUSES = sql`status IN ('done', 'failed')`;

/**
 * Store the run's projection from its result (completeRun calls it in its transaction; a first read of an older
 * finished row too). `onlyMissing` leaves a current projection alone (a read racing another read).
 */
export async function storeRunDetail(db: Database, id: string, opts: { onlyMissing?: boolean } = {}): Promise<void> {
  await db.execute(sql`UPDATE backtest_runs SET detail = ${RUN_DETAIL_PROJECTION_SQL}
    WHERE id = ${id}${opts.onlyMissing ? sql` AND ${FINISHED_STATUSES} AND NOT (${PROJECTION_CURRENT})` : sql``}`);
}

/** The run's projection as stored (null when it has none yet): what getRunDetail reads instead of the result. */
export async function getStoredRunDetail(db: Database, id: string): Promise<StoredRunDetail | null> {
  const r = rowsOf<{ detail: unknown }>(await db.execute(sql`SELECT detail FROM backtest_runs WHERE id = ${id}`))[0];
  if (!r || r.detail === null || r.detail === undefined) return null;
  const read = readRunDetail(r.detail);
  if (!read.ok) throw new Error(`run ${id}: ${read.reason}`);
  return read.detail;
}

export interface RunDetailRows {
  run: RunWithResult;
  /** The downsampled curve (extremes kept), as columns; `total` stored rows. */
  equity: { total: number; columns: EquityColumns };
  /** `result.equity` (the engine's own curves), read only when the run has no stored equity rows (older runs). */
  resultEquity: unknown;
  /** Up to `trades` + 1 trades from the start (the extra one tells whether there is a next page). */
  trades: TradeOut[];
  tradeCount: number;
}

/**
 * Stored equity rows up to which the detail reads a run's whole curve and picks the kept points in JS
 * (shared/lab/equity-extremes.ts, the same selection): measured on a 2,001-row curve, the bucket extremes in SQL cost
 * the database ~4.5 ms a request (array comparisons per row), reading the columns whole ~1.8 ms, parsing them in the
 * Worker ~1 ms. A longer curve is downsampled in the database (`equityExtremesSql`), a second statement, so a read
 * never carries more than this many rows.
 */
export const EQUITY_READ_WHOLE_MAX = 5000;

/** The run's first `limit` + 1 stored equity rows as columns (`total` counts them): the whole curve when it fits. */
function equityHeadSql(runId: string, limit: number): SQL {
  return sql`(SELECT json_build_object('total', count(*), 'time', coalesce(array_agg(time), '{}'), 'equityGross', coalesce(array_agg(equity_gross), '{}'),
      'equityNet', coalesce(array_agg(equity_net), '{}'), 'drawdown', coalesce(array_agg(drawdown), '{}'))
    FROM (SELECT time, equity_gross, equity_net, drawdown FROM backtest_equity WHERE run_id = ${runId} ORDER BY seq LIMIT ${limit + 1}) e)`;
}

/**
 * Everything the run detail needs in ONE round trip (run without its embedded trades and curves, the equity, the
 * first trades), built as JSON by Postgres: per request the connection and round trips dominate, not the queries
 * themselves. The result part and the trade count come from the row's stored projection, so the megabytes of
 * `result` are not read, and the statement names only what a projected run needs (each relation and function a
 * fresh backend must look up costs it). The equity is the whole stored curve, downsampled here, when it has at most
 * `EQUITY_READ_WHOLE_MAX` rows (`wholeMax` in tests), else downsampled in the database by a second statement. A row
 * without a current projection (an older run, or one not finished) has it computed by a second statement, and a
 * finished one stores it for the next read (once per run).
 */
export async function getRunDetail(db: Database, id: string, opts: { trades: number; maxPoints: number; wholeMax?: number }, rebuilt = false): Promise<RunDetailRows | null> {
  const wholeMax = opts.wholeMax ?? EQUITY_READ_WHOLE_MAX;
  // The first trades only when asked for (the detail page links to their pages): a relation less for a fresh backend.
  const trades =
    opts.trades > 0
      ? sql`(SELECT coalesce(json_agg(json_build_object(
           'seq', seq, 'side', side, 'entryTime', entry_time, 'entryPrice', entry_price, 'exitTime', exit_time, 'exitPrice', exit_price,
           'entryReason', entry_reason, 'exitReason', exit_reason, 'grossReturn', gross_return, 'netReturns', net_returns) ORDER BY seq), '[]'::json)
       FROM (SELECT * FROM backtest_trades WHERE run_id = ${id} ORDER BY seq LIMIT ${opts.trades + 1}) t)`
      : sql`'[]'::json`;
  const res = await db.execute(sql`
    SELECT
      (SELECT row_to_json(r) FROM (
         SELECT ${RUN_COLUMNS}, (${PROJECTION_CURRENT}) AS projected, detail,
           CASE WHEN NOT EXISTS (SELECT 1 FROM backtest_equity WHERE run_id = ${id}) THEN result->'equity' END AS result_equity
         FROM backtest_runs WHERE id = ${id}) r) AS run,
      ${equityHeadSql(id, wholeMax)} AS equity,
      ${trades} AS trades`);
  const r = rowsOf<Record<string, unknown>>(res)[0];
  const run = json(r?.run) as Record<string, unknown> | null;
  if (!r || !run) return null;
  const row = toRun(run);
  const finished = row.status === 'done' || row.status === 'failed';
  if (run.projected !== true) {
    // No current projection: a finished run stores it and is read again; another (or a lost race) has it computed.
    if (finished && !rebuilt) {
      await storeRunDetail(db, id, { onlyMissing: true });
      return getRunDetail(db, id, opts, true);
    }
    run.detail = rowsOf<{ detail: unknown }>(await db.execute(sql`SELECT ${RUN_DETAIL_PROJECTION_SQL} AS detail FROM backtest_runs WHERE id = ${id}`))[0]?.detail;
  }
  const read = readRunDetail(run.detail);
  if (!read.ok) {
    // A stored projection that does not read (its layout changed without a new `$type`): rebuilt from the result, once.
    if (run.projected !== true || rebuilt) throw new Error(`run ${id}: ${read.reason}`);
    await storeRunDetail(db, id);
    return getRunDetail(db, id, opts, true);
  }
  const head = json(r.equity) as { total: number } & EquityColumns;
  let equity: RunDetailRows['equity'];
  if (Number(head.total) <= wholeMax) {
    equity = { total: Number(head.total), columns: keepExtremes(head, opts.maxPoints) };
  } else {
    const rows = rowsOf<{ equity: unknown }>(await db.execute(sql`SELECT ${equityExtremesSql(id, opts.maxPoints)} AS equity`));
    const { total, ...columns } = json(rows[0]?.equity) as { total: number } & EquityColumns;
    equity = { total: Number(total), columns };
  }
  return {
    run: { ...row, result: read.detail.result, resultTradeCount: read.detail.resultTradeCount },
    equity,
    resultEquity: run.result_equity ?? null,
    trades: json(r.trades) as TradeOut[],
    tradeCount: read.detail.tradeCount,
  };
}
