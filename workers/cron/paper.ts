/**
 * Cron paper-trading stage (after `runSignals`): for every strategy in `paper` status and every LIVE_SIGNALS
 * series it trades, a virtual account (shared/research/paper.ts) fills the strategy's recorded paper signals —
 * each exactly once, at the open of the candle after the signal candle (once that candle is stored and closed),
 * at the venue's taker preset cost — and marks to market at the newest close. Once per UTC day (the first cycle
 * after 00:00) the previous day's paper signals are compared with a replay of the same candles through the
 * backtester's `evaluate` (`replaySignals` + `compareSignals`) and stored with the day's equity and PnL.
 *
 * Exactly once under a cron double-fire: the account row is locked for the whole update (a second cycle waits,
 * then sees `last_signal_time` already past the signal), and a fill is unique per signal id (a conflict rolls the
 * cycle's update back). The daily row is unique per (account, day).
 */
import { applySignal, compareSignals, markToMarket, replaySignals, type PaperAccount, type PaperSignal } from '../../shared/research/paper';
import { toSeries, type Candle } from '../../shared/candles/candle';
import { TIMEFRAME_MS, lastClosedOpenTime, type Timeframe } from '../../shared/candles/timeframe';
import { parseBacktestConfig } from '../../shared/backtest/config';
import { warmupCandles } from '../../shared/backtest/engine';
import { VENUE_IDS, type CostPresetId } from '../../shared/costs';
import { loadCandles, loadRecentCandles } from '../../shared/db/queries/candles';
import {
  countPaperFills,
  ensurePaperAccount,
  getPaperAccount,
  hasPaperDay,
  insertPaperDay,
  insertPaperFills,
  lockPaperAccount,
  paperSignalsAfter,
  paperSignalsBetween,
  paperStrategyIds,
  previousPaperDay,
  updatePaperAccount,
  type PaperAccountUpdate,
  type PaperKey,
} from '../../shared/db/queries/paper';
import { getStrategyRow } from '../../shared/db/queries/promotion';
import type { Database } from '../../shared/db/database';
import type { NewPaperFillRow, PaperAccountRow, SignalRow } from '../../shared/db/schema';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, Strategy } from '../../shared/strategies/types';
import type { AppConfig } from '../env';

export const PAPER_INITIAL_EQUITY = 10_000;
export const DAY_MS = 86_400_000;
/** A signal whose next candle is missing is filled at the next stored candle only after this many candles. */
export const GAP_GRACE_CANDLES = 12;

export interface PaperOutcome extends PaperKey {
  status: 'ok' | 'error';
  accountId?: number;
  fills: number;
  /** Signals applied this cycle (filled or ignored by the account rules). */
  applied: number;
  /** Signals waiting for their next candle. */
  waiting: number;
  equity?: number;
  daily?: { day: string; ok: boolean; summary: string } | null;
  detail: string;
}

/** The venue's taker preset, else the stress preset (as the lab's headline cost model). */
export function paperCostPreset(venue: string): CostPresetId {
  return ((VENUE_IDS as readonly string[]).includes(venue) ? `${venue}-taker` : 'stress-31') as CostPresetId;
}

export function toPaperAccount(row: PaperAccountRow, allowShort: boolean): PaperAccount {
  return {
    costModel: row.costPreset as CostPresetId,
    allowShort,
    initialEquity: row.initialEquity,
    fraction: 1,
    position:
      row.positionSide && row.entryPrice !== null && row.entryTime !== null && row.positionNotional !== null
        ? {
            side: row.positionSide as 'long' | 'short',
            signalTime: row.entrySignalTime ?? row.entryTime,
            entryTime: row.entryTime,
            entryPrice: row.entryPrice,
            entryCostBps: row.entryCostBps ?? 0,
            notional: row.positionNotional,
            entryReason: row.entryReason ?? '',
          }
        : null,
    realisedPnl: row.realisedPnl,
    trades: [],
    lastSignalTime: row.lastSignalTime,
  };
}

/** Equity, unrealised PnL and cash at a mark (cash = equity − the position's signed value at the mark). */
export function accountFigures(acc: PaperAccount, mark: number | null): Pick<PaperAccountUpdate, 'equity' | 'cash' | 'unrealisedPnl' | 'realisedPnl' | 'positionSize'> {
  const p = acc.position;
  if (mark === null) {
    const equity = acc.initialEquity + acc.realisedPnl;
    return { equity, cash: p ? equity - p.notional : equity, unrealisedPnl: 0, realisedPnl: acc.realisedPnl, positionSize: p ? p.notional / p.entryPrice : null };
  }
  const m = markToMarket(acc, mark);
  const size = p ? p.notional / p.entryPrice : null;
  const value = p ? (p.side === 'long' ? 1 : -1) * size! * mark : 0;
  return { equity: m.equity, cash: m.equity - value, unrealisedPnl: m.unrealisedPnl, realisedPnl: m.realisedPnl, positionSize: size };
}

function positionColumns(acc: PaperAccount): PaperAccountUpdate {
  const p = acc.position;
  return {
    positionSide: p?.side ?? null,
    positionNotional: p?.notional ?? null,
    entryPrice: p?.entryPrice ?? null,
    entryTime: p?.entryTime ?? null,
    entrySignalTime: p?.signalTime ?? null,
    entryCostBps: p?.entryCostBps ?? null,
    entryReason: p?.entryReason ?? null,
  };
}

class DuplicateFill extends Error {}

/** Index of the first candle with openTime > t, or -1. */
function firstAfter(candles: readonly Candle[], t: number): number {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid]!.openTime <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < candles.length ? lo : -1;
}

/**
 * Fill the account's pending signals and mark it, in one transaction with the account row locked. Returns the
 * counts, or `duplicate` when another cycle filled one of the same signals first (nothing is written then).
 */
async function settleAccount(
  db: Database,
  accountId: number,
  strategy: Strategy<Params>,
  k: PaperKey,
  now: number,
): Promise<{ fills: number; applied: number; waiting: number; equity: number; duplicate: boolean; detail: string }> {
  const tf = k.timeframe as Timeframe;
  const sk = { venue: k.venue, symbol: k.symbol, timeframe: tf };
  const step = TIMEFRAME_MS[tf];
  const lastClosed = lastClosedOpenTime(tf, now);
  try {
    return await db.transaction(async (tx) => {
      const t = tx as unknown as Database;
      const row = (await lockPaperAccount(t, accountId))!;
      const resumed = row.lastCycleAt !== null && now - row.lastCycleAt > DAY_MS;
      // Signals whose candle has closed; the fill candle must be closed too (it is at most `lastClosed`).
      const pending: SignalRow[] = await paperSignalsAfter(t, k, row.lastSignalTime, lastClosed - step);
      const candles = pending.length ? await loadCandles(t, sk, pending[0]!.candleOpenTime + step, lastClosed + step) : [];
      let acc = toPaperAccount(row, strategy.allowShort);
      const fills: NewPaperFillRow[] = [];
      let applied = 0;
      let waiting = 0;
      let detail = '';
      for (const s of pending) {
        const j = firstAfter(candles, s.candleOpenTime);
        const gap = j >= 0 && candles[j]!.openTime !== s.candleOpenTime + step;
        if (j < 0 || (gap && lastClosed - (s.candleOpenTime + step) < GAP_GRACE_CANDLES * step)) {
          waiting = pending.length - applied;
          detail = `waiting for the ${new Date(s.candleOpenTime + step).toISOString()} candle`;
          break;
        }
        const next = candles[j]!;
        const before = acc;
        const sig: PaperSignal = { time: s.candleOpenTime, action: s.action as PaperSignal['action'], reason: s.reason };
        acc = applySignal(acc, sig, next.open, next.openTime, row.costPreset as CostPresetId);
        applied++;
        const base = { accountId: row.id, signalId: s.id, signalTime: s.candleOpenTime, action: s.action, price: next.open, time: next.openTime, gap };
        if (before.position && !acc.position) {
          const tr = acc.trades.at(-1)!;
          fills.push({ ...base, side: tr.side === 'long' ? 'sell' : 'buy', effect: 'close', costBps: tr.exitCostBps, notional: tr.notional * (tr.exitPrice / tr.entryPrice), netReturn: tr.netReturn, pnl: tr.pnl });
        } else if (!before.position && acc.position) {
          const p = acc.position;
          fills.push({ ...base, side: p.side === 'long' ? 'buy' : 'sell', effect: 'open', costBps: p.entryCostBps, notional: p.notional });
        }
      }
      const inserted = await insertPaperFills(t, fills);
      if (inserted !== fills.length) throw new DuplicateFill();
      const [markCandle] = await loadRecentCandles(t, sk, lastClosed + step, 1);
      const mark = markCandle ? markCandle.close : null;
      const figures = accountFigures(acc, mark);
      await updatePaperAccount(t, row.id, {
        ...positionColumns(acc),
        ...figures,
        lastSignalTime: acc.lastSignalTime,
        trades: row.trades + fills.filter((f) => f.effect === 'close').length,
        markPrice: mark ?? row.markPrice,
        markTime: markCandle ? markCandle.openTime + step : row.markTime,
        lastCycleAt: now,
        ...(resumed ? { since: now } : {}),
      });
      return { fills: fills.length, applied, waiting, equity: figures.equity!, duplicate: false, detail };
    });
  } catch (err) {
    if (err instanceof DuplicateFill) return { fills: 0, applied: 0, waiting: 0, equity: NaN, duplicate: true, detail: 'another cycle filled these signals' };
    throw err;
  }
}

/**
 * The previous UTC day's comparison and figures, once per (account, day). Skipped while the account did not exist
 * during that day or the day's last candle is not stored yet (a later cycle retries).
 */
export async function runPaperDaily(
  db: Database,
  account: PaperAccountRow,
  strategy: Strategy<Params>,
  params: Params,
  now: number,
): Promise<{ day: number; ok: boolean; summary: string } | null> {
  const tf = account.timeframe as Timeframe;
  const step = TIMEFRAME_MS[tf];
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const day = dayStart - DAY_MS;
  if (account.since >= dayStart) return null;
  if (await hasPaperDay(db, account.id, day)) return null;
  const k: PaperKey = { strategyId: account.strategyId, venue: account.venue, symbol: account.symbol, timeframe: account.timeframe };
  const sk = { venue: account.venue, symbol: account.symbol, timeframe: tf };
  const [last] = await loadRecentCandles(db, sk, dayStart, 1);
  if (!last || last.openTime !== dayStart - step) return null;
  // Candles the live loop evaluated while the account existed: from the candle it judged in its first cycle.
  const from = Math.max(day, lastClosedOpenTime(tf, account.since));
  const to = dayStart;
  const warm = warmupCandles(strategy, params, parseBacktestConfig({}));
  const history = [...(await loadRecentCandles(db, sk, from, warm)), ...(await loadCandles(db, sk, from, to))];
  const series = toSeries(history, tf, account.symbol);
  const replay = replaySignals(series, strategy, params, { from, to });
  const paperRows = await paperSignalsBetween(db, k, from, to);
  const paper: PaperSignal[] = paperRows.map((s) => ({ time: s.candleOpenTime, action: s.action as PaperSignal['action'], reason: s.reason, symbol: account.symbol }));
  const cmp = compareSignals(paper, replay, { from, to });
  const cap = <T>(xs: readonly T[]): T[] => xs.slice(0, 100);
  const brief = (s: PaperSignal) => ({ time: s.time, iso: new Date(s.time).toISOString(), action: s.action, reason: s.reason ?? '' });
  const prev = await previousPaperDay(db, account.id, day);
  const equity = account.equity;
  const comparison = {
    window: { from, to },
    ok: cmp.ok,
    summary: cmp.summary,
    counts: { paper: paper.length, replay: replay.length, matched: cmp.matched.length, missing: cmp.missing.length, extra: cmp.extra.length, mismatched: cmp.mismatched.length },
    missing: cap(cmp.missing).map(brief),
    extra: cap(cmp.extra).map(brief),
    mismatched: cap(cmp.mismatched).map((m) => ({ time: m.time, iso: new Date(m.time).toISOString(), paper: m.paper.action, replay: m.replay.action })),
    replayWarmupCandles: warm,
    strategyVersion: strategy.version,
    params,
    markTime: account.markTime,
  };
  const inserted = await insertPaperDay(db, {
    accountId: account.id,
    day,
    equity,
    pnl: equity - (prev ? prev.equity : account.initialEquity),
    signals: paper.length,
    fills: await countPaperFills(db, account.id, day, dayStart),
    comparison,
    ok: cmp.ok,
  });
  return inserted ? { day, ok: cmp.ok, summary: cmp.summary } : null;
}

/** The paper stage of one cron cycle (see the module doc). One series failing never blocks the others. */
export async function runPaper(deps: { config: AppConfig; db: Database; now: number }): Promise<PaperOutcome[]> {
  const { config, db, now } = deps;
  const ids = new Set(await paperStrategyIds(db));
  if (ids.size === 0) return [];
  const outcomes: PaperOutcome[] = [];
  for (const w of config.LIVE_SIGNALS) {
    if (!ids.has(w.strategyId)) continue;
    const k: PaperKey = { strategyId: w.strategyId, venue: w.venue, symbol: w.symbol, timeframe: w.timeframe };
    const base = { ...k, fills: 0, applied: 0, waiting: 0 };
    try {
      const strategy = getStrategy(w.strategyId);
      if (!strategy || strategy.kind !== 'single') throw new Error('unknown or ranking strategy');
      const s = strategy as Strategy<Params>;
      const row = await getStrategyRow(db, w.strategyId);
      const params = s.paramsSchema.parse({ ...s.defaults, ...((row?.params ?? {}) as Params) }) as Params;
      const account = await ensurePaperAccount(db, k, { costPreset: paperCostPreset(w.venue), initialEquity: PAPER_INITIAL_EQUITY, since: now });
      const settled = await settleAccount(db, account.id, s, k, now);
      let daily: PaperOutcome['daily'] = null;
      if (!settled.duplicate) {
        const fresh = (await getPaperAccount(db, account.id))!;
        const d = await runPaperDaily(db, fresh, s, params, now);
        if (d) daily = { day: new Date(d.day).toISOString().slice(0, 10), ok: d.ok, summary: d.summary };
      }
      outcomes.push({
        ...base,
        status: 'ok',
        accountId: account.id,
        fills: settled.fills,
        applied: settled.applied,
        waiting: settled.waiting,
        ...(Number.isFinite(settled.equity) ? { equity: settled.equity } : {}),
        daily,
        detail: settled.duplicate ? settled.detail : `${settled.fills} fill(s)${settled.detail ? `; ${settled.detail}` : ''}${daily ? `; day ${daily.day}: ${daily.summary}` : ''}`,
      });
    } catch (err) {
      outcomes.push({ ...base, status: 'error', detail: (err as Error).message.slice(0, 300) });
    }
  }
  return outcomes;
}
