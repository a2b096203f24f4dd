/**
 * Research tables: the strategy registry with its lifecycle status (research → watch → paper, or rejected) and
 * the record of every status change, backtest runs with full provenance, their trades and equity, and sweeps
 * with their chunks (each chunk done exactly once under queue redelivery).
 */
import type { StoredRunResult } from '../../research/stored-run-result';
import type { StoredChunkResult, StoredSweepResult } from '../../research/stored-sweep-result';
import type { StoredRunDetail } from '../../research/stored-run-detail';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  bigserial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

export const strategies = pgTable('strategies', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  version: text('version').notNull(),
  origin: text('origin').notNull(),
  family: text('family').notNull(),
  timeframe: text('timeframe').notNull(),
  params: jsonb('params').notNull(),
  /** research | watch | paper | rejected */
  status: text('status').notNull().default('research'),
  statusReason: text('status_reason'),
  /** Evaluated by the live 5m loop (the baseline by default, plus anything in paper). */
  enabled: boolean('enabled').notNull().default(false),
  /** Alerts muted (signals are still recorded). */
  muted: boolean('muted').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const strategyStatusChanges = pgTable('strategy_status_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  strategyId: text('strategy_id')
    .notNull()
    .references(() => strategies.id),
  fromStatus: text('from_status').notNull(),
  toStatus: text('to_status').notNull(),
  reason: text('reason').notNull(),
  evidence: jsonb('evidence'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const backtestRuns = pgTable(
  'backtest_runs',
  {
    id: text('id').primaryKey(),
    /** backtest | sweep-member | walk-forward | reproduction */
    kind: text('kind').notNull().default('backtest'),
    strategyId: text('strategy_id').notNull(),
    strategyVersion: text('strategy_version').notNull(),
    params: jsonb('params').notNull(),
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').notNull(),
    /** portfolio | slices | ranking */
    mode: text('mode').notNull().default('portfolio'),
    windowFrom: bigint('window_from', { mode: 'number' }).notNull(),
    windowTo: bigint('window_to', { mode: 'number' }).notNull(),
    dataSource: text('data_source').notNull(),
    candleCount: integer('candle_count').notNull().default(0),
    dataHash: text('data_hash'),
    costModels: jsonb('cost_models').notNull(),
    codeVersion: text('code_version').notNull(),
    /** queued | running | done | failed */
    status: text('status').notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    /** keep | watch | reject (per venue detail in result) */
    verdict: text('verdict'),
    verdictReason: text('verdict_reason'),
    result: jsonb('result').$type<StoredRunResult>(),
    /** The run page's projection of `result` (shared/research/stored-run-detail.ts): written when the run completes,
     * or on the first read of an older row; null = not projected yet. */
    detail: jsonb('detail').$type<StoredRunDetail>(),
    resultHash: text('result_hash'),
    error: text('error'),
    sweepId: text('sweep_id'),
    /** Request options the job needs (e.g. `{ monteCarlo: { paths, seed, ruinDrawdown } }`); null = defaults. */
    options: jsonb('options'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
  },
  (t) => [index('backtest_runs_strategy_idx').on(t.strategyId, t.createdAt)],
);

export const backtestTrades = pgTable(
  'backtest_trades',
  {
    runId: text('run_id')
      .notNull()
      .references(() => backtestRuns.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    side: text('side').notNull(),
    entryTime: bigint('entry_time', { mode: 'number' }).notNull(),
    entryPrice: doublePrecision('entry_price').notNull(),
    exitTime: bigint('exit_time', { mode: 'number' }).notNull(),
    exitPrice: doublePrecision('exit_price').notNull(),
    entryReason: text('entry_reason').notNull(),
    exitReason: text('exit_reason').notNull(),
    grossReturn: doublePrecision('gross_return').notNull(),
    /** Net return per cost preset id. */
    netReturns: jsonb('net_returns').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const backtestEquity = pgTable(
  'backtest_equity',
  {
    runId: text('run_id')
      .notNull()
      .references(() => backtestRuns.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    time: bigint('time', { mode: 'number' }).notNull(),
    equityGross: doublePrecision('equity_gross').notNull(),
    equityNet: doublePrecision('equity_net').notNull(),
    drawdown: doublePrecision('drawdown').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const sweeps = pgTable('sweeps', {
  id: text('id').primaryKey(),
  strategyId: text('strategy_id').notNull(),
  venue: text('venue').notNull(),
  symbol: text('symbol').notNull(),
  timeframe: text('timeframe').notNull(),
  windowFrom: bigint('window_from', { mode: 'number' }).notNull(),
  windowTo: bigint('window_to', { mode: 'number' }).notNull(),
  /** grid | random */
  method: text('method').notNull(),
  seed: integer('seed'),
  space: jsonb('space').notNull(),
  combos: integer('combos').notNull(),
  chunksTotal: integer('chunks_total').notNull(),
  chunksDone: integer('chunks_done').notNull().default(0),
  /** queued | running | done | failed */
  status: text('status').notNull().default('queued'),
  /** The merged result and what is merged onto it later (PBO, SPA, judgement): shared/research/stored-sweep-result.ts. */
  result: jsonb('result').$type<StoredSweepResult>(),
  resultHash: text('result_hash'),
  /** Combos per chunk (chunk k holds combos [k·chunkSize, (k+1)·chunkSize) of the deterministic combo list). */
  chunkSize: integer('chunk_size'),
  /** Params held fixed under the swept ones (merged over the strategy defaults). */
  baseParams: jsonb('base_params'),
  /** portfolio | slices */
  mode: text('mode').notNull().default('portfolio'),
  /** Request options the merge needs (e.g. `{ gates: GateSet }`, the resolved gate set); null = defaults. */
  options: jsonb('options'),
  /** Set atomically by the chunk update that completes the sweep (or a stale-lease takeover): the merge owner. */
  mergeClaimedAt: timestamp('merge_claimed_at', { withTimezone: true }),
  codeVersion: text('code_version'),
  dataHash: text('data_hash'),
  candleCount: integer('candle_count'),
  error: text('error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

export const sweepChunks = pgTable(
  'sweep_chunks',
  {
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    chunkIndex: integer('chunk_index').notNull(),
    /** pending | running | done | dead */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** The chunk's output and its data provenance: shared/research/stored-sweep-result.ts. */
    result: jsonb('result').$type<StoredChunkResult>(),
    /** Wall-clock ms of the chunk's compute plus one DB round trip (Workers' clocks advance only across I/O). */
    cpuMs: doublePrecision('cpu_ms'),
    /** Combos in this chunk. */
    combos: integer('combos'),
    error: text('error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.chunkIndex] })],
);

/**
 * One split range of a large sweep's PBO, computed by a `pbo-chunk` job (a row exists only once computed; the
 * partial is deterministic, so a duplicate computation inserts nothing). When every range of the sweep's plan is
 * present, the last job merges them into `sweeps.result.pbo`.
 */
export const sweepPboChunks = pgTable(
  'sweep_pbo_chunks',
  {
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    rangeIndex: integer('range_index').notNull(),
    splitFrom: integer('split_from').notNull(),
    splitTo: integer('split_to').notNull(),
    /** shared/stats `PboPartial` (columnar, ≈ 55 bytes per split). */
    partial: jsonb('partial').notNull(),
    /** Wall-clock ms of the computation plus one DB round trip (an upper bound on its CPU time). */
    cpuMs: doublePrecision('cpu_ms'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.rangeIndex] })],
);

export type StrategyRow = typeof strategies.$inferSelect;
export type NewStrategyRow = typeof strategies.$inferInsert;
export type StrategyStatusChangeRow = typeof strategyStatusChanges.$inferSelect;
export type BacktestRunRow = typeof backtestRuns.$inferSelect;
export type NewBacktestRunRow = typeof backtestRuns.$inferInsert;
export type BacktestTradeRow = typeof backtestTrades.$inferSelect;
export type NewBacktestTradeRow = typeof backtestTrades.$inferInsert;
export type BacktestEquityRow = typeof backtestEquity.$inferSelect;
export type SweepRow = typeof sweeps.$inferSelect;
export type NewSweepRow = typeof sweeps.$inferInsert;
export type SweepChunkRow = typeof sweepChunks.$inferSelect;
