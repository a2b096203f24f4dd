/**
 * Cron paper-trading stage (after `runSignals`): for every strategy in `paper` status and every LIVE_SIGNALS
 * series it trades, a virtual account (shared/research/paper.ts) runs the strategy on the execution kernel — the
 * same fills, stops, take-profits, trailing stops, limit orders and risk rules as a backtest — stepping every
 * newly closed stored candle once, with the strategy's decision on each (the same `prepare`/`evaluate` the
 * backtester uses, warmed up like a backtest chunk). The account (kernel state included) is stored as JSON in
 * `paper_accounts.state` and resumed exactly next cycle; fills are priced with the venue's preset and marked at the
 * newest close; each stepped candle is recorded as it was seen. Once per UTC day (the first cycle after 00:00) the
 * previous day's paper signals are compared with a replay of the same candles (`replaySignals` + `compareSignals`),
 * its fills and PnL with a replay backtest of the stored candles (`compareLedgers`), each difference is classified
 * (data, timing, fill, fee: shared/research/divergence.ts) and stored with the day's equity and PnL, and a system
 * alert is raised once per day when the PnL gap passes PAPER_DIVERGENCE_ALERT_BPS.
 *
 * Exactly once under a cron double-fire: the account row is locked for the whole update (a second cycle waits,
 * then finds the candles already stepped: the kernel refuses a candle not after its last one), and a fill is unique
 * per (account, fill candle, open/close) (a conflict rolls the cycle's update back). The daily row is unique per
 * (account, day). A missing candle is waited for; after GAP_GRACE_CANDLES newer candles the kernel steps over it.
 * A timeframe that is not ingested itself is read from a stored base (`loadSeriesCandles`), as in the live loop.
 * A strategy with the Sentinel (`risk.sentinel`) on another symbol steps, and replays, with the stored reference
 * series (shared/app/sentinel-reference.ts): candles the reference does not cover yet wait (the outcome is an error
 * naming the reason; a later cycle steps them), and the daily check waits until the reference covers the day.
 */
import { and, eq } from 'drizzle-orm';
import {
  compareSignals,
  createPaperAccount,
  markToMarket,
  paperKernelOptions,
  parsePaperAccount,
  replayPaper,
  replaySignals,
  stepPaper,
  type LedgerFill,
  type PaperAccount,
  type PaperSignal,
} from '../../shared/research/paper';
import { attributeDivergences, divergenceAlertText } from '../../shared/research/divergence';
import { isSentinelReason } from '../../shared/execution/sentinel';
import { toSeries, type Candle } from '../../shared/candles/candle';
import { TIMEFRAME_MS, lastClosedOpenTime, type Timeframe } from '../../shared/candles/timeframe';
import { parseBacktestConfig } from '../../shared/backtest/config';
import { warmupCandles } from '../../shared/backtest/engine';
import { VENUE_IDS, notionalOfCapital, type CostPresetId } from '../../shared/costs';
import { loadRecentSeriesCandles, loadSeriesCandles } from '../../shared/db/queries/candles';
import { loadSentinelReference, referenceCoverage, referenceForStep } from '../../shared/app/sentinel-reference';
import {
  countPaperFills,
  ensurePaperAccount,
  firstPaperCandleTime,
  getPaperAccount,
  hasPaperDay,
  insertPaperDay,
  insertPaperCandles,
  insertPaperDivergences,
  insertPaperFills,
  insertSystemAlertRow,
  lockPaperAccount,
  paperCandlesBetween,
  paperFillsBetween,
  paperSignalsBetween,
  paperStrategyIds,
  previousPaperDay,
  updatePaperAccount,
  type PaperAccountUpdate,
  type PaperKey,
} from '../../shared/db/queries/paper';
import { getStrategyRow } from '../../shared/db/queries/promotion';
import type { Database } from '../../shared/db/database';
import { signals, type NewPaperFillRow, type PaperAccountRow, type PaperFillRow } from '../../shared/db/schema';
import { ALERT_CHANNEL } from '../jobs/alert';
import type { JobMessage } from '../jobs/messages';
import { CRON_INTERVAL_MS } from './ingest';
import { log } from '../observability/logger';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, Signal, Strategy } from '../../shared/strategies/types';
import type { AppConfig } from '../env';

export const PAPER_INITIAL_EQUITY = 10_000;
export const DAY_MS = 86_400_000;
/** A missing candle is stepped over only once this many newer candles are stored. */
export const GAP_GRACE_CANDLES = 12;
/** At most this many candles are stepped per cycle (an account idle for long catches up over several cycles). */
export const MAX_CANDLES_PER_CYCLE = 2016;

export interface PaperOutcome extends PaperKey {
  status: 'ok' | 'error';
  accountId?: number;
  fills: number;
  /** Candles stepped this cycle. */
  applied: number;
  /** Candles waiting (a missing candle inside the grace period). */
  waiting: number;
  equity?: number;
  daily?: { day: string; ok: boolean; summary: string } | null;
  detail: string;
}

/** The venue's taker preset, else the stress preset (as the lab's headline cost model). */
export function paperCostPreset(venue: string): CostPresetId {
  return ((VENUE_IDS as readonly string[]).includes(venue) ? `${venue}-taker` : 'stress-31') as CostPresetId;
}

/** The stored account, or a fresh flat one for a row never stepped on the kernel. */
export function toPaperAccount(row: PaperAccountRow): PaperAccount {
  return row.state !== null && row.state !== undefined
    ? parsePaperAccount(row.state)
    : createPaperAccount({ costModel: row.costPreset as CostPresetId, initialEquity: row.initialEquity });
}

/** Equity, unrealised PnL and cash at a mark (cash = equity − the signed value of the position and any lots at the mark). */
export function accountFigures(acc: PaperAccount, mark: number | null): Pick<PaperAccountUpdate, 'equity' | 'cash' | 'unrealisedPnl' | 'realisedPnl' | 'positionSize'> {
  const p = acc.kernel.position;
  const o = acc.open;
  const size = p && o ? notionalOfCapital(o.capital, o.entryCostBps / 1e4) / p.entryPrice : null;
  const m = markToMarket(acc, mark ?? p?.entryPrice ?? 0);
  const unrealisedPnl = mark === null ? 0 : m.unrealisedPnl;
  const equity = acc.equity + unrealisedPnl;
  let value = p && size !== null ? p.dir * size * (mark ?? p.entryPrice) : 0;
  // A multi-lot strategy's open lots (a grid) hold units too: their value counts against the cash.
  let lotSize = 0;
  for (const lot of acc.kernel.lots) {
    const ol = acc.openLots[lot.key];
    if (!ol) continue;
    const units = notionalOfCapital(ol.capital, ol.entryCostBps / 1e4) / lot.entryPrice;
    lotSize += units;
    value += lot.dir * units * (mark ?? lot.entryPrice);
  }
  const positionSize = acc.kernel.lots.length > 0 ? (size ?? 0) + lotSize : size;
  return { equity, cash: equity - value, unrealisedPnl, realisedPnl: m.realisedPnl, positionSize };
}

function positionColumns(acc: PaperAccount): PaperAccountUpdate {
  const p = acc.kernel.position;
  return {
    positionSide: p?.side ?? null,
    positionNotional: acc.open?.capital ?? null,
    entryPrice: p?.entryPrice ?? null,
    entryTime: p?.entryTime ?? null,
    entrySignalTime: p?.signalTime ?? null,
    entryCostBps: acc.open?.entryCostBps ?? null,
    entryReason: p?.entryReason ?? null,
  };
}

class DuplicateFill extends Error {}

/**
 * The candles to step: stored candles after the kernel's last one up to `lastClosed`, contiguous unless a gap is
 * older than the grace period (then the kernel steps over it). The account's first cycle steps only the newest
 * closed candle (the one the live loop judges in that cycle).
 */
export function candlesToStep(stored: readonly Candle[], lastTime: number | null, lastClosed: number, step: number): { candles: Candle[]; waiting: number; detail: string } {
  const fresh = stored.filter((c) => (lastTime === null ? c.openTime === lastClosed : c.openTime > lastTime) && c.openTime <= lastClosed);
  const out: Candle[] = [];
  let expected = lastTime === null ? lastClosed : lastTime + step;
  for (const c of fresh) {
    if (c.openTime !== expected && lastClosed - expected < GAP_GRACE_CANDLES * step) {
      return { candles: out, waiting: fresh.length - out.length, detail: `waiting for the ${new Date(expected).toISOString()} candle` };
    }
    out.push(c);
    if (out.length >= MAX_CANDLES_PER_CYCLE) break;
    expected = c.openTime + step;
  }
  if (out.length === 0 && fresh.length === 0 && expected <= lastClosed) {
    return { candles: out, waiting: 0, detail: `waiting for the ${new Date(expected).toISOString()} candle` };
  }
  return { candles: out, waiting: fresh.length - out.length, detail: '' };
}

/** The id of the recorded signal on `candle` of the account's series, recording the kernel's decision if missing. */
async function signalIdFor(db: Database, strategy: Strategy<Params>, k: PaperKey, candle: Candle | undefined, time: number, sig: Signal | undefined, now: number): Promise<number> {
  const where = and(eq(signals.strategyId, k.strategyId), eq(signals.venue, k.venue), eq(signals.symbol, k.symbol), eq(signals.timeframe, k.timeframe), eq(signals.candleOpenTime, time));
  const [found] = await db.select({ id: signals.id }).from(signals).where(where);
  if (found) return found.id;
  if (!sig || !candle) throw new Error(`paper: no recorded signal for the ${new Date(time).toISOString()} candle`);
  await db
    .insert(signals)
    .values({
      strategyId: k.strategyId,
      strategyVersion: strategy.version,
      venue: k.venue,
      symbol: k.symbol,
      timeframe: k.timeframe,
      candleOpenTime: time,
      candleCloseTime: time + TIMEFRAME_MS[k.timeframe as Timeframe],
      action: sig.action,
      price: candle.close,
      reason: sig.reason,
      mode: 'paper',
      computedAt: new Date(now),
    })
    .onConflictDoNothing();
  const [row] = await db.select({ id: signals.id }).from(signals).where(where);
  return row!.id;
}

/**
 * Step the account over the newly closed candles and mark it, in one transaction with the account row locked.
 * Returns the counts, or `duplicate` when another cycle filled the same candles first (nothing is written then).
 */
async function settleAccount(
  db: Database,
  accountId: number,
  strategy: Strategy<Params>,
  params: Params,
  k: PaperKey,
  now: number,
): Promise<{ fills: number; applied: number; waiting: number; equity: number; duplicate: boolean; detail: string; referenceMissing: string | null }> {
  const tf = k.timeframe as Timeframe;
  const sk = { venue: k.venue, symbol: k.symbol, timeframe: tf };
  const step = TIMEFRAME_MS[tf];
  const lastClosed = lastClosedOpenTime(tf, now);
  const opts = paperKernelOptions(strategy, params);
  const warm = warmupCandles(strategy, params, parseBacktestConfig({}));
  try {
    return await db.transaction(async (tx) => {
      const t = tx as unknown as Database;
      const row = (await lockPaperAccount(t, accountId))!;
      const resumed = row.lastCycleAt !== null && now - row.lastCycleAt > DAY_MS;
      const acc0 = toPaperAccount(row);
      const lastTime = acc0.kernel.lastTime;
      const stored = await loadSeriesCandles(t, sk, lastTime === null ? lastClosed : lastTime + 1, lastClosed + step);
      const plan = candlesToStep(stored, lastTime, lastClosed, step);
      // The Sentinel's reference: only the candles whose decisions it covers are stepped; the rest wait.
      const { candles: ready, reference, waiting: referenceMissing } = await referenceForStep(t, opts.risk, sk, plan.candles, lastClosed + step, GAP_GRACE_CANDLES);
      plan.waiting += plan.candles.length - ready.length;
      plan.candles = ready;
      let acc = acc0;
      const fills: NewPaperFillRow[] = [];
      if (plan.candles.length > 0) {
        const first = plan.candles[0]!.openTime;
        const history = await loadRecentSeriesCandles(t, sk, first, warm);
        const all = [...history, ...plan.candles];
        const series = toSeries(all, tf, k.symbol);
        const prepared = strategy.prepare(series, params);
        const decisions = new Map<number, Signal>();
        const r = stepPaper(acc0, series, { from: history.length, to: all.length }, (i) => {
          const sig = strategy.evaluate(prepared, i, params);
          decisions.set(series.openTime[i]!, sig);
          return sig;
        }, reference ? { ...opts, reference } : opts);
        acc = r.account;
        const byTime = new Map(all.map((c) => [c.openTime, c]));
        const ids = new Map<number, number>();
        let closed = 0;
        for (const f of r.fills) {
          // The signal behind the fill: the entry's or exit's own decision; for an exit inside a candle, the entry's.
          const intrabar = f.effect === 'close' && f.exitKind !== 'signal';
          // A Sentinel exit is not its decision candle's own signal (a HOLD, or a refused BUY): it links to the entry's.
          const sentinel = f.effect === 'close' && isSentinelReason(f.reason);
          const trade = f.effect === 'close' ? r.trades[closed++]! : undefined;
          const signalTime = intrabar ? trade!.signalTime : f.signalTime;
          const linkTime = sentinel ? trade!.signalTime : signalTime;
          const signalId = ids.get(linkTime) ?? (await signalIdFor(t, strategy, k, byTime.get(linkTime), linkTime, decisions.get(linkTime), now));
          ids.set(linkTime, signalId);
          const action = intrabar ? f.exitKind!.toUpperCase() : sentinel ? 'SENTINEL' : (decisions.get(signalTime)?.action ?? (f.effect === 'open' ? (f.side === 'buy' ? 'BUY' : 'SELL') : 'EXIT'));
          fills.push({
            accountId: row.id,
            signalId,
            signalTime,
            action,
            side: f.side,
            effect: f.effect,
            price: f.price,
            costBps: f.costBps,
            time: f.time,
            notional: f.capital,
            liquidity: f.liquidity,
            exitKind: f.exitKind ?? null,
            ...(f.effect === 'close' ? { netReturn: f.netReturn!, pnl: f.pnl! } : {}),
            // A next-open fill whose candle is not the one right after its signal candle (a missing candle between).
            gap: !intrabar && f.time !== signalTime + step,
          });
        }
      }
      const inserted = await insertPaperFills(t, fills);
      if (inserted !== fills.length) throw new DuplicateFill();
      // The candles as stepped now: the daily check compares them with the stored ones (a later restatement).
      await insertPaperCandles(t, plan.candles.map((c) => ({ accountId: row.id, openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, usedAt: now })));
      const [markCandle] = await loadRecentSeriesCandles(t, sk, lastClosed + step, 1);
      const mark = markCandle ? markCandle.close : null;
      const figures = accountFigures(acc, mark);
      await updatePaperAccount(t, row.id, {
        ...positionColumns(acc),
        ...figures,
        state: acc,
        lastSignalTime: acc.kernel.lastTime,
        trades: acc.trades,
        markPrice: mark ?? row.markPrice,
        markTime: markCandle ? markCandle.openTime + step : row.markTime,
        lastCycleAt: now,
        ...(resumed ? { since: now } : {}),
      });
      return { fills: fills.length, applied: plan.candles.length, waiting: plan.waiting, equity: figures.equity!, duplicate: false, detail: referenceMissing ?? plan.detail, referenceMissing };
    });
  } catch (err) {
    if (err instanceof DuplicateFill) return { fills: 0, applied: 0, waiting: 0, equity: NaN, duplicate: true, detail: 'another cycle filled these candles', referenceMissing: null };
    throw err;
  }
}

/** Options of the daily check: the alert threshold and, when given, the queue the system alert is enqueued on. */
export interface PaperDailyOptions {
  /** Alert when the day's |paper PnL − replay PnL| exceeds this many bps of the initial equity. */
  alertBps?: number;
  /** The jobs queue: the alert is enqueued as a `system-alert` job (else the stuck-alert safety net sends the row). */
  jobs?: { send(msg: JobMessage): Promise<unknown> };
}

export const DEFAULT_DIVERGENCE_ALERT_BPS = 10;

/** A stored fill as the ledger comparison reads it. */
function ledgerFill(f: PaperFillRow): LedgerFill {
  return {
    time: f.time,
    effect: f.effect as LedgerFill['effect'],
    side: f.side as LedgerFill['side'],
    price: f.price,
    liquidity: (f.liquidity ?? 'taker') as LedgerFill['liquidity'],
    costBps: f.costBps,
    signalTime: f.signalTime,
    pnl: f.pnl,
    exitKind: (f.exitKind ?? null) as LedgerFill['exitKind'],
  };
}

/**
 * The previous UTC day's check and figures, once per (account, day): the day's paper signals against a replay of
 * the same candles (`compareSignals`), the day's paper fills and PnL against a replay backtest of the stored candles
 * from the first candle the account stepped (`compareLedgers`), every difference classified and stored
 * (`attributeDivergences` → `paper_divergences`), and one system alert per (account, day) when the PnL gap passes
 * `alertBps`. Skipped while the account did not exist during that day or the day's last candle is not stored yet
 * (a later cycle retries). Idempotent: divergences and the alert row are written before the daily row, each unique.
 */
export async function runPaperDaily(
  db: Database,
  account: PaperAccountRow,
  strategy: Strategy<Params>,
  params: Params,
  now: number,
  opts: PaperDailyOptions = {},
): Promise<{ day: number; ok: boolean; summary: string; divergences: number; gapBps: number; alerted: boolean } | null> {
  const tf = account.timeframe as Timeframe;
  const step = TIMEFRAME_MS[tf];
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const day = dayStart - DAY_MS;
  if (account.since >= dayStart) return null;
  if (await hasPaperDay(db, account.id, day)) return null;
  const k: PaperKey = { strategyId: account.strategyId, venue: account.venue, symbol: account.symbol, timeframe: account.timeframe };
  const sk = { venue: account.venue, symbol: account.symbol, timeframe: tf };
  const [last] = await loadRecentSeriesCandles(db, sk, dayStart, 1);
  if (!last || last.openTime !== dayStart - step) return null;
  // Candles the live loop evaluated while the account existed: from the candle it judged in its first cycle.
  const from = Math.max(day, lastClosedOpenTime(tf, account.since));
  const to = dayStart;
  const warm = warmupCandles(strategy, params, parseBacktestConfig({}));
  const history = [...(await loadRecentSeriesCandles(db, sk, from, warm)), ...(await loadSeriesCandles(db, sk, from, to))];
  const series = toSeries(history, tf, account.symbol);
  const replay = replaySignals(series, strategy, params, { from, to });
  const paperRows = await paperSignalsBetween(db, k, from, to);
  const paper: PaperSignal[] = paperRows.map((s) => ({ time: s.candleOpenTime, action: s.action as PaperSignal['action'], reason: s.reason, symbol: account.symbol }));
  const cmp = compareSignals(paper, replay, { from, to });

  // The replay backtest: a fresh account on the venue's preset, stepped over the stored candles from the account's
  // first stepped candle (the kernel carries positions across days), compared on the day's fills.
  const firstStepped = (await firstPaperCandleTime(db, account.id)) ?? lastClosedOpenTime(tf, account.since);
  const replayFrom = Math.min(firstStepped, from);
  const replayCandles = replayFrom < from ? [...(await loadRecentSeriesCandles(db, sk, replayFrom, warm)), ...(await loadSeriesCandles(db, sk, replayFrom, to))] : history;
  const replaySeries = replayFrom < from ? toSeries(replayCandles, tf, account.symbol) : series;
  const startIdx = replaySeries.openTime.findIndex((t) => t >= replayFrom);
  // The Sentinel's reference over the replay (as the paper account stepped with it); wait until it covers the day.
  const ref = await loadSentinelReference(db, paperKernelOptions(strategy, params).risk, sk, replayFrom, to);
  if (ref !== null && referenceCoverage(ref, step, [to - step], GAP_GRACE_CANDLES).reason !== null) return null;
  const state = toPaperAccount(account);
  const fresh = createPaperAccount({ costModel: paperCostPreset(account.venue), initialEquity: account.initialEquity, fraction: state.fraction });
  const replayed = startIdx < 0 ? { fills: [] } : replayPaper(replaySeries, strategy, params, fresh, { from: startIdx, to: replaySeries.length }, {}, ref ? { reference: ref.series } : {});
  const paperFills = (await paperFillsBetween(db, account.id, replayFrom, to)).map(ledgerFill);
  const used = await paperCandlesBetween(db, account.id, from, to);
  const report = attributeDivergences({
    window: { from, to },
    stepMs: step,
    lateAfterMs: CRON_INTERVAL_MS,
    initialEquity: account.initialEquity,
    paperFills,
    replayFills: replayed.fills,
    usedCandles: used,
    storedCandles: history.filter((c) => c.openTime >= from && c.openTime < to),
    paperSignals: paperRows.map((s) => ({ time: s.candleOpenTime, action: s.action as PaperSignal['action'], computedAt: s.computedAt.getTime() })),
    replaySignals: replay,
  });
  await insertPaperDivergences(
    db,
    report.divergences.map((d) => ({ accountId: account.id, day, candleTime: d.candleTime, kind: d.kind, detail: d.details.join('\n').slice(0, 4000), paper: d.paper ?? null, replay: d.replay ?? null })),
  );

  const dayIso = new Date(day).toISOString().slice(0, 10);
  const threshold = opts.alertBps ?? DEFAULT_DIVERGENCE_ALERT_BPS;
  const text = divergenceAlertText(report, threshold, `${account.strategyId} ${account.venue} ${account.symbol} ${account.timeframe} on ${dayIso}`);
  let alerted = false;
  if (text) {
    const dedupeKey = `paper-divergence:${account.id}:${day}`;
    await insertSystemAlertRow(db, { dedupeKey, channel: ALERT_CHANNEL, message: text });
    if (opts.jobs) await opts.jobs.send({ kind: 'system-alert', key: dedupeKey, dedupeKey, text });
    alerted = true;
  }

  const cap = <T>(xs: readonly T[]): T[] => xs.slice(0, 100);
  const brief = (s: PaperSignal) => ({ time: s.time, iso: new Date(s.time).toISOString(), action: s.action, reason: s.reason ?? '' });
  const prev = await previousPaperDay(db, account.id, day);
  const equity = account.equity;
  const ok = cmp.ok && report.ok;
  const summary = report.ok ? cmp.summary : `${cmp.summary}; ${report.summary}`;
  const comparison = {
    window: { from, to },
    ok: cmp.ok,
    summary: cmp.summary,
    counts: { paper: paper.length, replay: replay.length, matched: cmp.matched.length, missing: cmp.missing.length, extra: cmp.extra.length, mismatched: cmp.mismatched.length },
    missing: cap(cmp.missing).map(brief),
    extra: cap(cmp.extra).map(brief),
    mismatched: cap(cmp.mismatched).map((m) => ({ time: m.time, iso: new Date(m.time).toISOString(), paper: m.paper.action, replay: m.replay.action })),
    ledger: { ok: report.ledger.ok, summary: report.ledger.summary, matched: report.ledger.matched, different: report.ledger.differences.length, replayFrom, paperPnl: report.paperPnl, replayPnl: report.replayPnl, gapBps: report.gapBps },
    divergence: { ok: report.ok, summary: report.summary, counts: report.counts, alertBps: threshold, alerted },
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
    ok,
    divergences: report.divergences.length,
    gapBps: report.gapBps,
  });
  return inserted ? { day, ok, summary, divergences: report.divergences.length, gapBps: report.gapBps, alerted } : null;
}

/** The paper stage of one cron cycle (see the module doc). One series failing never blocks the others. */
export async function runPaper(deps: { config: AppConfig; db: Database; now: number; jobs?: PaperDailyOptions['jobs'] }): Promise<PaperOutcome[]> {
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
      const settled = await settleAccount(db, account.id, s, params, k, now);
      let daily: PaperOutcome['daily'] = null;
      if (!settled.duplicate) {
        const fresh = (await getPaperAccount(db, account.id))!;
        const d = await runPaperDaily(db, fresh, s, params, now, { alertBps: config.PAPER_DIVERGENCE_ALERT_BPS, ...(deps.jobs ? { jobs: deps.jobs } : {}) });
        if (d) daily = { day: new Date(d.day).toISOString().slice(0, 10), ok: d.ok, summary: d.summary };
      }
      if (settled.referenceMissing !== null) log.warn('sentinel reference missing', { at: 'paper', ...k, reason: settled.referenceMissing });
      outcomes.push({
        ...base,
        // A Sentinel reference not stored yet is reported like a failed series (the candles wait; nothing is lost).
        status: settled.referenceMissing !== null ? 'error' : 'ok',
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
