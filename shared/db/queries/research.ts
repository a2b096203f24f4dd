/**
 * Research lab storage: backtest runs (created queued, claimed with a lease, progress, finished with provenance or
 * failed with the error), their trades and equity (bulk inserts through one JSON parameter, replacing the run's
 * previous rows so a redelivered job never duplicates), sweeps and their chunks (guarded pending → running → done
 * transitions; the update that completes the last chunk claims the merge atomically), the data-source summary of a
 * window and the lab-wide trial count of a strategy family. All SQL of the lab lives here.
 */
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { SeriesKey } from '../../candles/candle';
import { backtestRuns, backtestTrades, sweepChunks, sweepPboChunks, sweeps, type BacktestRunRow, type BacktestTradeRow, type NewBacktestRunRow, type NewSweepRow, type SweepChunkRow, type SweepRow } from '../schema';
import { rowsOf, type Database } from '../database';
import type { StoredRunResult } from '../../research/stored-run-result';
import { readStoredPbo, storedPboRangesSchema, storedSharpeVarianceSchema, type StoredChunkResult, type StoredPbo, type StoredSweepResult } from '../../research/stored-sweep-result';
import { storeRunDetail } from './lab-runs';

/** A `running` run or chunk whose claim is older than this is presumed dead (its consumer crashed) and re-claimable. */
export const RUN_LEASE_MS = 10 * 60_000;
export const CHUNK_LEASE_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------------------------
// Runs

export async function createRun(db: Database, row: NewBacktestRunRow): Promise<BacktestRunRow> {
  await db.insert(backtestRuns).values(row).onConflictDoNothing();
  const [out] = await db.select().from(backtestRuns).where(eq(backtestRuns.id, row.id));
  return out!;
}

export async function getRunRow(db: Database, id: string): Promise<BacktestRunRow | null> {
  const [row] = await db.select().from(backtestRuns).where(eq(backtestRuns.id, id));
  return row ?? null;
}

export type ClaimOutcome = { claimed: true; run: BacktestRunRow } | { claimed: false; status: string | null };

/**
 * queued → running (or a `running` run whose lease expired → running again). A `done` or `failed` run, or one
 * running under a live lease, is not claimed: the caller acks the message.
 */
export async function claimRun(db: Database, id: string, leaseMs = RUN_LEASE_MS): Promise<ClaimOutcome> {
  const rows = await db
    .update(backtestRuns)
    .set({ status: 'running', progress: 0, error: null, startedAt: sql`now()` })
    .where(
      and(
        eq(backtestRuns.id, id),
        sql`(${backtestRuns.status} = 'queued' OR (${backtestRuns.status} = 'running' AND ${backtestRuns.startedAt} < now() - make_interval(secs => ${leaseMs / 1000})))`,
      ),
    )
    .returning();
  if (rows[0]) return { claimed: true, run: rows[0] };
  const [cur] = await db.select({ status: backtestRuns.status }).from(backtestRuns).where(eq(backtestRuns.id, id));
  return { claimed: false, status: cur?.status ?? null };
}

/** Give a claimed run back (a transient failure: the queue retries it). */
export async function releaseRun(db: Database, id: string): Promise<void> {
  await db
    .update(backtestRuns)
    .set({ status: 'queued', progress: 0 })
    .where(and(eq(backtestRuns.id, id), eq(backtestRuns.status, 'running')));
}

export async function setRunProgress(db: Database, id: string, progress: number): Promise<void> {
  await db
    .update(backtestRuns)
    .set({ progress: Math.max(0, Math.min(1, progress)) })
    .where(and(eq(backtestRuns.id, id), eq(backtestRuns.status, 'running')));
}

export async function failRun(db: Database, id: string, error: string, durationMs?: number): Promise<void> {
  await db
    .update(backtestRuns)
    .set({
      status: 'failed',
      error: error.slice(0, 4000),
      finishedAt: sql`now()`,
      durationMs: durationMs === undefined ? null : Math.max(0, Math.round(durationMs)),
    })
    .where(and(eq(backtestRuns.id, id), sql`${backtestRuns.status} <> 'done'`));
}

export interface RunCompletion {
  dataSource: string;
  candleCount: number;
  dataHash: string;
  costModels: unknown;
  codeVersion: string;
  verdict: string | null;
  verdictReason: string | null;
  result: unknown;
  resultHash: string;
  durationMs: number;
}

/** One persisted trade of a run (the `backtest_trades` row without its run id), net returns per cost preset. */
export type TradeInsert = Omit<BacktestTradeRow, 'runId' | 'netReturns'> & { netReturns: Record<string, number> };

export interface EquityInsert {
  time: number;
  equityGross: number;
  equityNet: number;
  drawdown: number;
}

const TRADE_BATCH = 2000;

/** Replace the run's trades (one JSON parameter per batch through json_to_recordset, not drizzle `.values()`). */
export async function replaceRunTrades(db: Database, runId: string, trades: readonly TradeInsert[]): Promise<void> {
  await db.execute(sql`DELETE FROM backtest_trades WHERE run_id = ${runId}`);
  for (let i = 0; i < trades.length; i += TRADE_BATCH) {
    const batch = trades.slice(i, i + TRADE_BATCH).map((t) => ({
      seq: t.seq,
      side: t.side,
      entry_time: t.entryTime,
      entry_price: t.entryPrice,
      exit_time: t.exitTime,
      exit_price: t.exitPrice,
      entry_reason: t.entryReason,
      exit_reason: t.exitReason,
      gross_return: t.grossReturn,
      net_returns: t.netReturns,
    }));
    await db.execute(sql`
      INSERT INTO backtest_trades (run_id, seq, side, entry_time, entry_price, exit_time, exit_price, entry_reason, exit_reason, gross_return, net_returns)
      SELECT ${runId}, r.seq, r.side, r.entry_time, r.entry_price, r.exit_time, r.exit_price, r.entry_reason, r.exit_reason, r.gross_return, r.net_returns
      FROM json_to_recordset(${JSON.stringify(batch)}::json)
        AS r(seq int, side text, entry_time bigint, entry_price float8, exit_time bigint, exit_price float8, entry_reason text,
             exit_reason text, gross_return float8, net_returns jsonb)`);
  }
}

/** Replace the run's (already downsampled) equity / drawdown series. */
export async function replaceRunEquity(db: Database, runId: string, points: readonly EquityInsert[]): Promise<void> {
  await db.execute(sql`DELETE FROM backtest_equity WHERE run_id = ${runId}`);
  if (!points.length) return;
  const rows = points.map((p, seq) => [seq, p.time, p.equityGross, p.equityNet, p.drawdown]);
  await db.execute(sql`
    INSERT INTO backtest_equity (run_id, seq, time, equity_gross, equity_net, drawdown)
    SELECT ${runId}, (r->>0)::int, (r->>1)::bigint, (r->>2)::float8, (r->>3)::float8, (r->>4)::float8
    FROM json_array_elements(${JSON.stringify(rows)}::json) AS r`);
}

/** Trades, equity, the finished row and its run-page projection in one transaction: a run is either fully recorded or still running. */
export async function completeRun(
  db: Database,
  runId: string,
  done: RunCompletion,
  trades: readonly TradeInsert[],
  equity: readonly EquityInsert[],
): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    await replaceRunTrades(t, runId, trades);
    await replaceRunEquity(t, runId, equity);
    await t
      .update(backtestRuns)
      .set({
        status: 'done',
        progress: 1,
        error: null,
        dataSource: done.dataSource,
        candleCount: done.candleCount,
        dataHash: done.dataHash,
        costModels: done.costModels as object,
        codeVersion: done.codeVersion,
        verdict: done.verdict,
        verdictReason: done.verdictReason,
        // The writers' results are the layouts the one read schema knows (shared/research/stored-run-result.ts).
        result: done.result as StoredRunResult,
        resultHash: done.resultHash,
        finishedAt: sql`now()`,
        durationMs: Math.round(done.durationMs),
      })
      .where(eq(backtestRuns.id, runId));
    // The run page's projection of the result, once, from the stored result itself (the reads never detoast it).
    await storeRunDetail(t, runId);
  });
}

export interface RunListFilter {
  strategyId?: string;
  status?: string;
  kind?: string;
  limit?: number;
}

/** Runs newest first (no result, nor its run-page projection), for the CLI. */
export async function listRunRows(db: Database, f: RunListFilter = {}): Promise<Omit<BacktestRunRow, 'result' | 'detail'>[]> {
  const where = [];
  if (f.strategyId) where.push(eq(backtestRuns.strategyId, f.strategyId));
  if (f.status) where.push(eq(backtestRuns.status, f.status));
  if (f.kind) where.push(eq(backtestRuns.kind, f.kind));
  const { result: _omit, detail: _detail, ...cols } = getTableColumns(backtestRuns);
  return db
    .select(cols)
    .from(backtestRuns)
    .where(where.length ? and(...where) : undefined)
    .orderBy(sql`${backtestRuns.createdAt} DESC, ${backtestRuns.id} DESC`)
    .limit(f.limit ?? 50);
}

/** Every finished run (result included) in a stable order, for the research log. */
export async function listFinishedRuns(db: Database, kinds: readonly string[] = ['backtest', 'reproduction', 'walk-forward']): Promise<BacktestRunRow[]> {
  return db
    .select()
    .from(backtestRuns)
    .where(and(inArray(backtestRuns.kind, [...kinds]), inArray(backtestRuns.status, ['done', 'failed'])))
    .orderBy(backtestRuns.strategyId, backtestRuns.symbol, backtestRuns.timeframe, backtestRuns.windowFrom, backtestRuns.windowTo, backtestRuns.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Data provenance

export interface SourceCount {
  source: string;
  count: number;
}

/** Row counts per `candles.source` inside [from, to) (plus `before` warm-up candles before `from` when given). */
export async function windowSources(db: Database, key: SeriesKey, from: number, to: number): Promise<SourceCount[]> {
  const res = await db.execute(sql`
    SELECT source, count(*)::int AS n FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe} AND open_time >= ${from} AND open_time < ${to}
    GROUP BY source ORDER BY source`);
  return rowsOf<{ source: string; n: number }>(res).map((r) => ({ source: String(r.source), count: Number(r.n) }));
}

/**
 * Lab-wide trials of a family (the strategies `ids`): finished runs (not sweep members, not reruns) plus every
 * combo of every finished sweep. Feeds the deflated Sharpe ratio's trial count.
 */
export async function familyTrialCount(db: Database, strategyIds: readonly string[], excludeRunId?: string): Promise<{ runs: number; sweepCombos: number; total: number }> {
  if (!strategyIds.length) return { runs: 0, sweepCombos: 0, total: 0 };
  const ids = sql.join(
    strategyIds.map((s) => sql`${s}`),
    sql`, `,
  );
  const res = await db.execute(sql`
    SELECT
      (SELECT count(*)::int FROM backtest_runs WHERE strategy_id IN (${ids}) AND status = 'done' AND kind IN ('backtest', 'reproduction', 'walk-forward')
         AND id <> ${excludeRunId ?? ''}) AS runs,
      (SELECT coalesce(sum(combos), 0)::int FROM sweeps WHERE strategy_id IN (${ids}) AND status = 'done') AS combos`);
  const r = rowsOf<{ runs: number; combos: number }>(res)[0];
  const runs = Number(r?.runs ?? 0);
  const sweepCombos = Number(r?.combos ?? 0);
  return { runs, sweepCombos, total: runs + sweepCombos };
}

// ---------------------------------------------------------------------------------------------------------------
// Sweeps

export async function createSweep(db: Database, row: NewSweepRow, chunkCombos: readonly number[]): Promise<SweepRow> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    await t.insert(sweeps).values(row).onConflictDoNothing();
    if (chunkCombos.length) {
      await t
        .insert(sweepChunks)
        .values(chunkCombos.map((n, chunkIndex) => ({ sweepId: row.id, chunkIndex, combos: n })))
        .onConflictDoNothing();
    }
  });
  const [out] = await db.select().from(sweeps).where(eq(sweeps.id, row.id));
  return out!;
}

export async function getSweepRow(db: Database, id: string): Promise<SweepRow | null> {
  const [row] = await db.select().from(sweeps).where(eq(sweeps.id, id));
  return row ?? null;
}

/**
 * pending → running (also failed → running for a retry, and running → running after its lease expired). Returns
 * null when the chunk is done, dead, or running under a live lease (a concurrent duplicate delivery).
 */
export async function claimSweepChunk(db: Database, sweepId: string, chunkIndex: number, leaseMs = CHUNK_LEASE_MS): Promise<SweepChunkRow | null> {
  const rows = await db
    .update(sweepChunks)
    .set({ status: 'running', attempts: sql`${sweepChunks.attempts} + 1`, updatedAt: sql`now()`, error: null })
    .where(
      and(
        eq(sweepChunks.sweepId, sweepId),
        eq(sweepChunks.chunkIndex, chunkIndex),
        sql`(${sweepChunks.status} IN ('pending', 'failed') OR (${sweepChunks.status} = 'running' AND ${sweepChunks.updatedAt} < now() - make_interval(secs => ${leaseMs / 1000})))`,
      ),
    )
    .returning();
  if (rows[0]) {
    await db.update(sweeps).set({ status: 'running' }).where(and(eq(sweeps.id, sweepId), eq(sweeps.status, 'queued')));
  }
  return rows[0] ?? null;
}

export async function failSweepChunk(db: Database, sweepId: string, chunkIndex: number, error: string, dead = false): Promise<void> {
  await db
    .update(sweepChunks)
    .set({ status: dead ? 'dead' : 'failed', error: error.slice(0, 2000), updatedAt: sql`now()` })
    .where(and(eq(sweepChunks.sweepId, sweepId), eq(sweepChunks.chunkIndex, chunkIndex), sql`${sweepChunks.status} <> 'done'`));
  if (dead) {
    await db
      .update(sweeps)
      .set({ status: 'failed', error: `chunk ${chunkIndex} dead: ${error}`.slice(0, 2000), finishedAt: sql`now()` })
      .where(and(eq(sweeps.id, sweepId), sql`${sweeps.status} <> 'done'`));
  }
}

/**
 * running → done for one chunk, and in the SAME statement count it on the sweep; the statement that makes
 * chunks_done reach chunks_total also stamps merge_claimed_at, so exactly one caller is told `last: true`.
 * Returns null when the chunk was not running (already done by a duplicate).
 */
export async function completeSweepChunk(
  db: Database,
  sweepId: string,
  chunkIndex: number,
  result: StoredChunkResult,
  cpuMs: number,
): Promise<{ chunksDone: number; chunksTotal: number; last: boolean } | null> {
  const res = await db.execute(sql`
    WITH c AS (
      UPDATE sweep_chunks SET status = 'done', result = ${JSON.stringify(result)}::jsonb, cpu_ms = ${cpuMs}, error = NULL, updated_at = now()
      WHERE sweep_id = ${sweepId} AND chunk_index = ${chunkIndex} AND status = 'running'
      RETURNING 1
    )
    UPDATE sweeps SET chunks_done = chunks_done + 1,
      merge_claimed_at = CASE WHEN chunks_done + 1 = chunks_total THEN now() ELSE merge_claimed_at END
    WHERE id = ${sweepId} AND EXISTS (SELECT 1 FROM c)
    RETURNING chunks_done, chunks_total`);
  const r = rowsOf<{ chunks_done: number; chunks_total: number }>(res)[0];
  if (!r) return null;
  const chunksDone = Number(r.chunks_done);
  const chunksTotal = Number(r.chunks_total);
  return { chunksDone, chunksTotal, last: chunksDone === chunksTotal };
}

/**
 * Take over a merge whose owner died: all chunks done, sweep not done, and no live merge claim. Atomic (one
 * UPDATE), so of several concurrent redeliveries at most one wins.
 */
export async function reclaimSweepMerge(db: Database, sweepId: string, leaseMs = CHUNK_LEASE_MS): Promise<boolean> {
  const rows = await db
    .update(sweeps)
    .set({ mergeClaimedAt: sql`now()` })
    .where(
      and(
        eq(sweeps.id, sweepId),
        sql`${sweeps.chunksDone} = ${sweeps.chunksTotal}`,
        sql`${sweeps.status} NOT IN ('done', 'failed')`,
        sql`(${sweeps.mergeClaimedAt} IS NULL OR ${sweeps.mergeClaimedAt} < now() - make_interval(secs => ${leaseMs / 1000}))`,
      ),
    )
    .returning({ id: sweeps.id });
  return rows.length > 0;
}

export async function sweepChunkStatus(db: Database, sweepId: string, chunkIndex: number): Promise<string | null> {
  const [row] = await db
    .select({ status: sweepChunks.status })
    .from(sweepChunks)
    .where(and(eq(sweepChunks.sweepId, sweepId), eq(sweepChunks.chunkIndex, chunkIndex)));
  return row?.status ?? null;
}

export async function sweepChunkOutputs(db: Database, sweepId: string): Promise<{ chunkIndex: number; result: unknown; cpuMs: number | null }[]> {
  return db
    .select({ chunkIndex: sweepChunks.chunkIndex, result: sweepChunks.result, cpuMs: sweepChunks.cpuMs })
    .from(sweepChunks)
    .where(and(eq(sweepChunks.sweepId, sweepId), eq(sweepChunks.status, 'done')))
    .orderBy(sweepChunks.chunkIndex);
}

/**
 * A merged result longer than this (UTF-16 code units of its JSON) is sent in parts of this size and assembled by
 * the database. One 40 MB statement parameter costs time quadratic in its size on the local stack (pglite-socket
 * re-concatenates its buffer on every 64 KB read: 42.6 MB took 10–18 s against ≈ 3 s in 2 MiB parts); Postgres
 * stores the same jsonb either way.
 */
export const FINISH_PART_CHARS = 2 << 20;

/** `json` cut into parts of at most `size` code units, never between the halves of a surrogate pair. */
export function jsonParts(json: string, size: number): string[] {
  const parts: string[] = [];
  for (let o = 0; o < json.length; ) {
    let e = Math.min(json.length, o + Math.max(2, size));
    const c = json.charCodeAt(e - 1);
    if (e < json.length && c >= 0xd800 && c <= 0xdbff) e--;
    parts.push(json.slice(o, e));
    o = e;
  }
  return parts;
}

/** Write the merged result; only a sweep not yet done is written (a duplicate merge changes nothing). */
export async function finishSweep(
  db: Database,
  sweepId: string,
  out: { result: StoredSweepResult; resultHash: string; dataHash?: string | null; candleCount?: number | null },
  opts: { partChars?: number } = {},
): Promise<boolean> {
  const partChars = opts.partChars ?? FINISH_PART_CHARS;
  const done = { status: 'done', resultHash: out.resultHash, dataHash: out.dataHash ?? null, candleCount: out.candleCount ?? null, finishedAt: sql`now()` };
  const where = and(eq(sweeps.id, sweepId), sql`${sweeps.status} <> 'done'`);
  const json = JSON.stringify(out.result);
  if (json.length <= partChars) {
    const rows = await db
      .update(sweeps)
      .set({ ...done, result: out.result })
      .where(where)
      .returning({ id: sweeps.id });
    return rows.length > 0;
  }
  // In parts: a temporary table of the JSON text's parts, assembled and cast to jsonb by the one UPDATE.
  return db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    await t.execute(sql`CREATE TEMP TABLE sweep_result_parts (i int PRIMARY KEY, part text NOT NULL) ON COMMIT DROP`);
    for (const [i, part] of jsonParts(json, partChars).entries()) await t.execute(sql`INSERT INTO sweep_result_parts VALUES (${i}, ${part})`);
    const rows = await t
      .update(sweeps)
      .set({ ...done, result: sql`(SELECT string_agg(part, '' ORDER BY i) FROM sweep_result_parts)::jsonb` })
      .where(where)
      .returning({ id: sweeps.id });
    return rows.length > 0;
  });
}

/**
 * The per-view variance of per-trade Sharpes across the family's trials, from its largest finished sweep
 * (`result.trials.tradeSharpeVariance`), or null when the family has no sweep (the DSR then uses the null variance).
 */
export async function familyTrialSharpeVariance(db: Database, strategyIds: readonly string[]): Promise<Record<string, number | null> | null> {
  if (!strategyIds.length) return null;
  const ids = sql.join(
    strategyIds.map((s) => sql`${s}`),
    sql`, `,
  );
  const res = await db.execute(sql`
    SELECT result->'trials'->'tradeSharpeVariance' AS v FROM sweeps
    WHERE strategy_id IN (${ids}) AND status = 'done' AND jsonb_typeof(result->'trials'->'tradeSharpeVariance') = 'object'
    ORDER BY combos DESC, finished_at DESC, id LIMIT 1`);
  const v = rowsOf<{ v: unknown }>(res)[0]?.v;
  if (v === undefined || v === null) return null;
  // The stored sub-field through its schema (shared/research/stored-sweep-result.ts): a wrong shape throws, naming it.
  return storedSharpeVarianceSchema.parse(typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
}

/** Finished sweeps (result included) in a stable order, for the research log. */
export async function listFinishedSweeps(db: Database): Promise<SweepRow[]> {
  return db
    .select()
    .from(sweeps)
    .where(eq(sweeps.status, 'done'))
    .orderBy(sweeps.strategyId, sweeps.venue, sweeps.symbol, sweeps.timeframe, sweeps.windowFrom, sweeps.windowTo, sweeps.method, sweeps.id);
}

/** One cheap round trip. In a deployed Worker the clock only advances across I/O, so a timing taken right after
 * a synchronous computation needs an I/O first (see shared/app/sweep.ts). */
export async function pingDb(db: Database): Promise<void> {
  await db.execute(sql`SELECT 1`);
}

// ---------------------------------------------------------------------------------------------------------------
// Sweep PBO in split ranges (pbo-chunk jobs)

/** Each done chunk's block statistics for the PBO (`result.blockStats`, null for chunks computed before it existed). */
export async function sweepChunkBlockStats(db: Database, sweepId: string): Promise<{ chunkIndex: number; blockStats: unknown }[]> {
  const res = await db.execute(
    sql`SELECT chunk_index, result->'blockStats' AS block_stats FROM sweep_chunks WHERE sweep_id = ${sweepId} AND status = 'done' ORDER BY chunk_index`,
  );
  return rowsOf<{ chunk_index: number; block_stats: unknown }>(res).map((r) => ({ chunkIndex: Number(r.chunk_index), blockStats: r.block_stats }));
}

/**
 * A sweep's status and its `result.pbo` alone (a jsonb path select: a pbo-chunk job needs only that, not the
 * merged result of tens of MB), read through the PBO's schema; throws naming the sweep when it does not parse.
 */
export async function sweepPboState(db: Database, sweepId: string): Promise<{ status: string; pbo: StoredPbo | null } | null> {
  const res = await db.execute(sql`SELECT status, result->'pbo' AS pbo FROM sweeps WHERE id = ${sweepId}`);
  const row = rowsOf<{ status: string; pbo: unknown }>(res)[0];
  if (!row) return null;
  const read = readStoredPbo(typeof row.pbo === 'string' ? (JSON.parse(row.pbo) as unknown) : row.pbo);
  if (!read.ok) throw new Error(`sweep ${sweepId}: ${read.reason}`);
  return { status: row.status, pbo: read.result };
}

/** Store one computed split range (a duplicate of a deterministic computation inserts nothing); returns ranges stored. */
export async function storePboPartial(
  db: Database,
  row: { sweepId: string; rangeIndex: number; splitFrom: number; splitTo: number; partial: unknown; cpuMs: number },
): Promise<number> {
  await db
    .insert(sweepPboChunks)
    .values({ ...row, partial: row.partial as object })
    .onConflictDoNothing();
  const res = await db.execute(sql`SELECT count(*)::int AS n FROM sweep_pbo_chunks WHERE sweep_id = ${row.sweepId}`);
  return Number(rowsOf<{ n: number }>(res)[0]?.n ?? 0);
}

export async function pboPartials(db: Database, sweepId: string): Promise<{ rangeIndex: number; partial: unknown; cpuMs: number | null }[]> {
  return db
    .select({ rangeIndex: sweepPboChunks.rangeIndex, partial: sweepPboChunks.partial, cpuMs: sweepPboChunks.cpuMs })
    .from(sweepPboChunks)
    .where(eq(sweepPboChunks.sweepId, sweepId))
    .orderBy(sweepPboChunks.rangeIndex);
}

/** Replace a deferred `result.pbo` of a done sweep with the merged one; false when it is no longer deferred. */
export async function setSweepPbo(db: Database, sweepId: string, pbo: StoredPbo): Promise<boolean> {
  const res = await db.execute(sql`
    UPDATE sweeps SET result = jsonb_set(result, '{pbo}', ${JSON.stringify(pbo)}::jsonb)
    WHERE id = ${sweepId} AND status = 'done' AND result->'pbo'->>'status' = 'deferred'
    RETURNING id`);
  return rowsOf<{ id: string }>(res).length > 0;
}

/** A run's per-trade net returns per cost preset, in trade order (for re-deflation and Monte Carlo). */
export async function runNetReturns(db: Database, runId: string): Promise<Record<string, number>[]> {
  const rows = await db.select({ net: backtestTrades.netReturns }).from(backtestTrades).where(eq(backtestTrades.runId, runId)).orderBy(backtestTrades.seq);
  return rows.map((r) => (typeof r.net === 'string' ? (JSON.parse(r.net) as Record<string, number>) : (r.net as Record<string, number>)));
}

/**
 * Every trial of a family on one series and window, for SPA across the family: the daily returns each done
 * sweep's chunks kept (`result.periodReturns`, tagged with the sweep's strategy), and the done backtest /
 * reproduction runs' trades (exit time and net returns).
 */
export async function familyTrialsOnWindow(
  db: Database,
  strategyIds: readonly string[],
  w: { venue: string; symbol: string; timeframe: string; from: number; to: number },
): Promise<{ sweepChunks: { sweepId: string; strategyId: string; periods: unknown }[]; runs: { runId: string; strategyId: string; params: unknown; trades: { exitTime: number; net: Record<string, number> }[] }[] }> {
  if (!strategyIds.length) return { sweepChunks: [], runs: [] };
  const ids = sql.join(
    strategyIds.map((s) => sql`${s}`),
    sql`, `,
  );
  const sw = await db.execute(sql`
    SELECT s.id AS sweep_id, s.strategy_id, c.result->'periodReturns' AS periods FROM sweeps s JOIN sweep_chunks c ON c.sweep_id = s.id
    WHERE s.strategy_id IN (${ids}) AND s.status = 'done' AND c.status = 'done' AND s.venue = ${w.venue} AND s.symbol = ${w.symbol} AND s.timeframe = ${w.timeframe}
      AND s.window_from = ${w.from} AND s.window_to = ${w.to} AND c.result ? 'periodReturns'
    ORDER BY s.id, c.chunk_index`);
  const rr = await db.execute(sql`
    SELECT r.id AS run_id, r.strategy_id, r.params,
      coalesce((SELECT json_agg(json_build_object('exitTime', t.exit_time, 'net', t.net_returns) ORDER BY t.seq) FROM backtest_trades t WHERE t.run_id = r.id), '[]'::json) AS trades
    FROM backtest_runs r
    WHERE r.strategy_id IN (${ids}) AND r.status = 'done' AND r.kind IN ('backtest', 'reproduction') AND r.venue = ${w.venue} AND r.symbol = ${w.symbol}
      AND r.timeframe = ${w.timeframe} AND r.window_from = ${w.from} AND r.window_to = ${w.to}
    ORDER BY r.id`);
  const parse = <T>(x: unknown): T => (typeof x === 'string' ? (JSON.parse(x) as T) : (x as T));
  return {
    sweepChunks: rowsOf<{ sweep_id: string; strategy_id: string; periods: unknown }>(sw).map((r) => ({ sweepId: r.sweep_id, strategyId: r.strategy_id, periods: parse(r.periods) })),
    runs: rowsOf<{ run_id: string; strategy_id: string; params: unknown; trades: unknown }>(rr).map((r) => ({
      runId: r.run_id,
      strategyId: r.strategy_id,
      params: parse(r.params),
      trades: parse<{ exitTime: number | string; net: Record<string, number> }[]>(r.trades).map((t) => ({ exitTime: Number(t.exitTime), net: t.net })),
    })),
  };
}

/**
 * Record that a sweep's deferred PBO messages were sent (`result.pbo.enqueuedAt`, the database clock in ms), so a
 * redelivered merge (and the cron sweeper) know whether the send happened. False when the PBO is no longer deferred.
 */
export async function markPboEnqueued(db: Database, sweepId: string): Promise<boolean> {
  const res = await db.execute(sql`
    UPDATE sweeps SET result = jsonb_set(result, '{pbo,enqueuedAt}', to_jsonb((extract(epoch FROM now()) * 1000)::bigint))
    WHERE id = ${sweepId} AND status = 'done' AND result->'pbo'->>'status' = 'deferred'
    RETURNING id`);
  return rowsOf<{ id: string }>(res).length > 0;
}

/**
 * Claim the re-send of deferred PBOs left unfinished: done sweeps whose PBO is still deferred and whose messages
 * were last sent (or, never sent, whose sweep finished) more than `timeoutMin` minutes ago. The claim re-stamps
 * `enqueuedAt` in the same statement, so concurrent sweepers re-send a sweep once per timeout. Returns each
 * claimed sweep's split ranges and the range indices already stored (the ones not to re-send).
 */
export async function claimStalePboResends(db: Database, timeoutMin: number): Promise<{ sweepId: string; ranges: { from: number; to: number }[]; stored: number[] }[]> {
  const res = await db.execute(sql`
    UPDATE sweeps SET result = jsonb_set(result, '{pbo,enqueuedAt}', to_jsonb((extract(epoch FROM now()) * 1000)::bigint))
    WHERE status = 'done' AND result->'pbo'->>'status' = 'deferred'
      AND CASE WHEN result->'pbo'->>'enqueuedAt' IS NOT NULL
               THEN (result->'pbo'->>'enqueuedAt')::bigint < (extract(epoch FROM now() - make_interval(mins => ${timeoutMin})) * 1000)::bigint
               ELSE finished_at < now() - make_interval(mins => ${timeoutMin}) END
    RETURNING id, result->'pbo'->'ranges' AS ranges`);
  const rows = rowsOf<{ id: string; ranges: unknown }>(res);
  const out: { sweepId: string; ranges: { from: number; to: number }[]; stored: number[] }[] = [];
  for (const r of rows) {
    const ranges = storedPboRangesSchema.parse(typeof r.ranges === 'string' ? (JSON.parse(r.ranges) as unknown) : r.ranges);
    const stored = (await pboPartials(db, r.id)).map((p) => p.rangeIndex);
    out.push({ sweepId: r.id, ranges, stored });
  }
  return out;
}
