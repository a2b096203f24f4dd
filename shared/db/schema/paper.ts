/**
 * Paper trading and the promotion into it.
 *
 * `strategy_promotions` — one row per piece of evidence a strategy's status was judged on (a backtest run, a
 *   walk-forward run, a sweep's best combo, or a manual decision), unique per (strategy, source): re-processing the
 *   same run never records a second decision or status change. When the decision changed the status, the row
 *   points at the `strategy_status_changes` row written in the same transaction.
 * `paper_accounts` — one virtual account per (strategy, venue, symbol, timeframe) the live loop trades in `paper`
 *   status, priced with that venue's preset: the execution kernel's account state (`state`, shared/research/paper.ts,
 *   resumed exactly every cycle), realised PnL, the open position and the last mark.
 * `paper_fills` — each fill the kernel made (signal entries and exits, stops, take-profits, trailing stops), at most
 *   one opening and one closing fill per account and fill candle: a cron double-fire never fills twice.
 * `paper_daily` — one row per account and UTC day: equity, PnL, signals and the paper-vs-replay comparison (signals,
 *   and fills and PnL against a replay backtest of the same stored candles), with its divergence count and PnL gap.
 * `paper_candles` — each candle as the account stepped it, and the cycle that stepped it: the daily check tells a
 *   candle the venue restated afterwards (data) and a candle evaluated late or stepped over (timing).
 * `paper_divergences` — each classified paper-vs-replay difference (shared/research/divergence.ts), unique per
 *   (account, day, candle, class): re-running a day's check never writes a row twice.
 */
import { bigint, bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { signals } from './live';
import { strategies, strategyStatusChanges } from './research';

export const strategyPromotions = pgTable(
  'strategy_promotions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    strategyId: text('strategy_id')
      .notNull()
      .references(() => strategies.id),
    /** backtest | walk-forward | sweep | manual */
    sourceKind: text('source_kind').notNull(),
    /** The run id, the sweep id, or `manual:<uuid>`. */
    sourceId: text('source_id').notNull(),
    fromStatus: text('from_status').notNull(),
    /** What the evidence alone says (`decidePromotion`), before the not-applicable / paper-hold rules. */
    proposedStatus: text('proposed_status').notNull(),
    toStatus: text('to_status').notNull(),
    changed: boolean('changed').notNull(),
    reason: text('reason').notNull(),
    evidence: jsonb('evidence').notNull(),
    statusChangeId: bigint('status_change_id', { mode: 'number' }).references(() => strategyStatusChanges.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('strategy_promotions_source_uq').on(t.strategyId, t.sourceId), index('strategy_promotions_recent_idx').on(t.strategyId, t.id)],
);

export const paperAccounts = pgTable(
  'paper_accounts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    strategyId: text('strategy_id')
      .notNull()
      .references(() => strategies.id),
    venue: text('venue').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: text('timeframe').notNull(),
    /** Cost preset every fill is priced with: the venue's taker preset (`binance-taker` …), else `stress-31`. */
    costPreset: text('cost_preset').notNull(),
    initialEquity: doublePrecision('initial_equity').notNull(),
    /** Mark-to-market equity at the last mark: initial + realised + unrealised. */
    equity: doublePrecision('equity').notNull(),
    /** Money not in the position: equity − the position's value at the mark. */
    cash: doublePrecision('cash').notNull(),
    realisedPnl: doublePrecision('realised_pnl').notNull().default(0),
    unrealisedPnl: doublePrecision('unrealised_pnl').notNull().default(0),
    /** long | short | null (flat) */
    positionSide: text('position_side'),
    /** Base-currency units (notional / entry price). */
    positionSize: doublePrecision('position_size'),
    positionNotional: doublePrecision('position_notional'),
    entryPrice: doublePrecision('entry_price'),
    entryTime: bigint('entry_time', { mode: 'number' }),
    entrySignalTime: bigint('entry_signal_time', { mode: 'number' }),
    entryCostBps: doublePrecision('entry_cost_bps'),
    entryReason: text('entry_reason'),
    /** Open time of the last signal candle applied (older or equal signals are ignored). */
    lastSignalTime: bigint('last_signal_time', { mode: 'number' }),
    trades: integer('trades').notNull().default(0),
    markPrice: doublePrecision('mark_price'),
    markTime: bigint('mark_time', { mode: 'number' }),
    /** Market time (ms) of the cycle that opened (or resumed) the account: the daily comparison starts here. */
    since: bigint('since', { mode: 'number' }).notNull(),
    /** Market time (ms) of the last cron cycle that processed the account. */
    lastCycleAt: bigint('last_cycle_at', { mode: 'number' }),
    /** The paper account on the execution kernel (`paperAccountSchema`, JSON); null for an account not yet stepped. */
    state: jsonb('state'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('paper_accounts_series_uq').on(t.strategyId, t.venue, t.symbol, t.timeframe)],
);

export const paperFills = pgTable(
  'paper_fills',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => paperAccounts.id, { onDelete: 'cascade' }),
    /** The signal behind the fill: the entry's or exit's signal; for a stop / take-profit / trailing exit, the entry's. */
    signalId: bigint('signal_id', { mode: 'number' })
      .notNull()
      .references(() => signals.id, { onDelete: 'cascade' }),
    /** Open time of that signal's candle. */
    signalTime: bigint('signal_time', { mode: 'number' }).notNull(),
    /** BUY | SELL | EXIT (a signal fill: the signal's action) | STOP | TAKE-PROFIT | TRAILING (an exit inside a candle) | SENTINEL (the black-swan overlay's exit) */
    action: text('action').notNull(),
    /** buy | sell */
    side: text('side').notNull(),
    /** open | close */
    effect: text('effect').notNull(),
    /** The fill price the kernel used (the next open for market orders, the level for stops, targets and limits). */
    price: doublePrecision('price').notNull(),
    /** maker | taker (as the kernel filled it; the preset may force one for pricing). */
    liquidity: text('liquidity'),
    /** Closing fills: signal | stop | take-profit | trailing. */
    exitKind: text('exit_kind'),
    costBps: doublePrecision('cost_bps').notNull(),
    /** Open time of the candle whose open filled it. */
    time: bigint('time', { mode: 'number' }).notNull(),
    /** Capital committed to the position (entry fee included, the cash-account convention). */
    notional: doublePrecision('notional').notNull(),
    /** Closing fills: the trade's net return and PnL. */
    netReturn: doublePrecision('net_return'),
    pnl: doublePrecision('pnl'),
    /** True when the candle right after the signal candle was missing and a later one filled it. */
    gap: boolean('gap').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('paper_fills_account_fill_uq').on(t.accountId, t.time, t.effect), index('paper_fills_account_idx').on(t.accountId, t.time)],
);

export const paperDaily = pgTable(
  'paper_daily',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => paperAccounts.id, { onDelete: 'cascade' }),
    /** UTC day start (ms). */
    day: bigint('day', { mode: 'number' }).notNull(),
    /** Equity marked at the day's last close. */
    equity: doublePrecision('equity').notNull(),
    /** Equity change over the day (vs the previous day's row, else the initial equity). */
    pnl: doublePrecision('pnl').notNull(),
    /** Paper signals recorded on the day's candles. */
    signals: integer('signals').notNull(),
    fills: integer('fills').notNull().default(0),
    /** Paper signals vs a replay of the same candles through the backtester (`compareSignals`). */
    comparison: jsonb('comparison').notNull(),
    ok: boolean('ok').notNull(),
    /** Classified paper-vs-replay differences of the day (`paper_divergences` rows). */
    divergences: integer('divergences').notNull().default(0),
    /** |paper PnL − replay PnL| of the day's closing fills, in bps of the initial equity (null: not computed). */
    gapBps: doublePrecision('gap_bps'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('paper_daily_account_day_uq').on(t.accountId, t.day)],
);

export const paperCandles = pgTable(
  'paper_candles',
  {
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => paperAccounts.id, { onDelete: 'cascade' }),
    openTime: bigint('open_time', { mode: 'number' }).notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    volume: doublePrecision('volume').notNull(),
    /** Market time (ms) of the cron cycle that stepped the candle. */
    usedAt: bigint('used_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('paper_candles_account_time_uq').on(t.accountId, t.openTime)],
);

export const paperDivergences = pgTable(
  'paper_divergences',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => paperAccounts.id, { onDelete: 'cascade' }),
    /** UTC day start (ms) of the daily check that found it. */
    day: bigint('day', { mode: 'number' }).notNull(),
    /** Open time of the candle the difference is attributed to. */
    candleTime: bigint('candle_time', { mode: 'number' }).notNull(),
    /** data | timing | fill | fee */
    kind: text('kind').notNull(),
    /** One line per difference merged into the row. */
    detail: text('detail').notNull(),
    paper: jsonb('paper'),
    replay: jsonb('replay'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('paper_divergences_key_uq').on(t.accountId, t.day, t.candleTime, t.kind), index('paper_divergences_recent_idx').on(t.accountId, t.day)],
);

export type StrategyPromotionRow = typeof strategyPromotions.$inferSelect;
export type PaperAccountRow = typeof paperAccounts.$inferSelect;
export type NewPaperAccountRow = typeof paperAccounts.$inferInsert;
export type PaperFillRow = typeof paperFills.$inferSelect;
export type NewPaperFillRow = typeof paperFills.$inferInsert;
export type PaperDailyRow = typeof paperDaily.$inferSelect;
export type PaperCandleRow = typeof paperCandles.$inferSelect;
export type PaperDivergenceRow = typeof paperDivergences.$inferSelect;
export type NewPaperDivergenceRow = typeof paperDivergences.$inferInsert;
