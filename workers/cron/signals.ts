/**
 * Cron signal stage: for each LIVE_SIGNALS entry whose strategy is enabled (or in paper), evaluate the newest
 * closed candle with the same `evaluate` the backtester uses and persist the decision idempotently (unique per
 * strategy, venue, symbol, timeframe and candle); then run the execution kernel (shared/execution) over every newly
 * closed candle and alert its EVENTS — an entry fill, an exit fill (signal, stop, take-profit, trailing) — each
 * once, with the fill price the kernel used. The kernel only opens a position when flat, so there is no repeated
 * BUY while a position is open, and exits inside candles are alerted although no signal asked for them.
 *
 * The kernel state lives in `live_kernels` (one row per series, locked for the update). In ONE transaction the
 * stage records the stepped candles' decisions, inserts the events' alert rows (unique dedupe key per series, fill
 * candle and open/close; each row keeps the event itself in `alerts.event`, which `/signals` and the Dashboard
 * list) and stores the new kernel state; the delivery jobs are enqueued after the commit. A crash
 * before the commit loses nothing (the next cycle steps the same candles again); a crash after it leaves the alert
 * rows `pending`, and the cron's `requeueStuckAlerts` safety net enqueues them. A cron double-fire finds the
 * candles already stepped (or its alert inserts conflict) and sends nothing twice. A series' first cycle starts the
 * kernel flat at the newest closed candle; a kernel ahead of the clock (a replay restarted earlier) starts over.
 * A series whose timeframe is not ingested itself (e.g. 4h while only 5m is) is derived from the stored base with
 * the same aggregation research and `/api/candles` use (`loadSeriesCandles`): a bucket counts once it is complete.
 * A strategy with the Sentinel (`risk.sentinel`) on another symbol is stepped with the stored reference series
 * (BTC/USDT, same venue and timeframe): candles whose decision the reference does not cover yet wait, the series is
 * reported as an error with the reason (and logged), and a later cycle steps them — nothing is lost or sent twice.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { loadRecentSeriesCandles, loadSeriesCandles } from '../../shared/db/queries/candles';
import { referenceForStep } from '../../shared/app/sentinel-reference';
import { alerts, liveKernels, signals, strategies, type StrategyRow } from '../../shared/db/schema';
import { TIMEFRAME_MS, lastClosedOpenTime, type Timeframe } from '../../shared/candles/timeframe';
import { toSeries } from '../../shared/candles/candle';
import { parseBacktestConfig } from '../../shared/backtest/config';
import { warmupCandles } from '../../shared/backtest/engine';
import { initialKernelState, parseKernelState, type KernelEvent } from '../../shared/execution';
import { stepSeries } from '../../shared/execution/series';
import { paperKernelOptions } from '../../shared/research/paper';
import { evaluateLatest, liveWindowSize } from '../../shared/strategies/live';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, Signal, Strategy } from '../../shared/strategies/types';
import type { Database } from '../../shared/db/database';
import type { Db } from '../db';
import { getConfig, type AppConfig, type Env } from '../env';
import { ALERT_CHANNEL, alertJob } from '../jobs/alert';
import { clip, formatKernelAlert, type KernelAlertLike } from '../telegram/format';
import { log } from '../observability/logger';
import { GAP_GRACE_CANDLES, candlesToStep } from './paper';

export interface SignalOutcome {
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: string;
  status: 'signal' | 'hold' | 'duplicate' | 'stale' | 'warming-up' | 'disabled' | 'error';
  action?: string;
  signalId?: number;
  alerted?: boolean;
  /** Kernel events alerted this cycle, e.g. `entry long @ 40438.22`, `exit take-profit @ 40560.61`. */
  events?: string[];
  detail: string;
}

interface SeriesKey {
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: string;
}

/** The alert's idempotency key: one per series, fill candle and open/close. */
export function kernelAlertKey(k: SeriesKey, time: number, effect: 'open' | 'close', lot?: string): string {
  // A multi-lot strategy's lots may fill in one candle: each lot's fill is its own alert (single-lot keys unchanged).
  return `kernel:${k.strategyId}:${k.venue}:${k.symbol}:${k.timeframe}:${time}:${effect}${lot !== undefined ? `:${lot}` : ''}`;
}

type FillEvent = Extract<KernelEvent, { type: 'entry' | 'exit' }>;

/**
 * Step the series' kernel over the newly closed candles, record their decisions, insert the events' alert rows
 * and store the state, all in one transaction. Returns the new alert ids to enqueue (not muted) and the events.
 * With the Sentinel on another symbol, only the candles whose decisions the stored reference covers are stepped
 * (shared/app/sentinel-reference.ts); `waiting` then says why the rest wait for a later cycle.
 */
async function stepLiveKernel(
  db: Db,
  strategy: Strategy<Params>,
  params: Params,
  row: StrategyRow,
  k: SeriesKey,
  now: number,
  labUrl: string | undefined,
): Promise<{ enqueue: number[]; events: string[]; newestSignalId?: number; newestCreated: boolean; waiting: string | null }> {
  const tf = k.timeframe as Timeframe;
  const step = TIMEFRAME_MS[tf];
  const sk = { venue: k.venue, symbol: k.symbol, timeframe: tf };
  const lastClosed = lastClosedOpenTime(tf, now);
  const mode = row.status === 'paper' ? 'paper' : 'live';
  const muted = row.muted === true;
  const warm = Math.max(warmupCandles(strategy, params, parseBacktestConfig({})), liveWindowSize(strategy, params));
  return db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    await t
      .insert(liveKernels)
      .values({ ...k, state: initialKernelState(), lastCandleTime: 0 })
      .onConflictDoNothing();
    const where = and(eq(liveKernels.strategyId, k.strategyId), eq(liveKernels.venue, k.venue), eq(liveKernels.symbol, k.symbol), eq(liveKernels.timeframe, k.timeframe));
    const [kr] = await t.select().from(liveKernels).where(where).for('update');
    let state = parseKernelState(kr!.state);
    // A kernel ahead of the clock (a replay restarted from an earlier time) starts over, flat.
    if (state.lastTime !== null && state.lastTime > lastClosed) state = initialKernelState();
    const stored = await loadSeriesCandles(t, sk, state.lastTime === null ? lastClosed : state.lastTime + 1, lastClosed + step);
    const plan = candlesToStep(stored, state.lastTime, lastClosed, step);
    if (plan.candles.length === 0) return { enqueue: [], events: [], newestCreated: false, waiting: null };
    const opts = paperKernelOptions(strategy, params);
    const { candles, reference, waiting } = await referenceForStep(t, opts.risk, sk, plan.candles, lastClosed + step, GAP_GRACE_CANDLES);
    if (candles.length === 0) return { enqueue: [], events: [], newestCreated: false, waiting };
    const history = await loadRecentSeriesCandles(t, sk, candles[0]!.openTime, warm);
    const all = [...history, ...candles];
    const series = toSeries(all, tf, k.symbol);
    const prepared = strategy.prepare(series, params);
    const decisions = new Map<number, Signal>();
    const r = stepSeries(state, series, { from: history.length, to: all.length }, (i) => {
      const sig = strategy.evaluate(prepared, i, params);
      decisions.set(series.openTime[i]!, sig);
      return sig;
    }, reference ? { ...opts, reference } : opts);

    // The stepped candles' decisions (non-HOLD), as the signal history the Lab and the daily paper check read.
    const ids = new Map<number, number>();
    let newestCreated = false;
    for (const c of candles) {
      const sig = decisions.get(c.openTime);
      if (!sig || sig.action === 'HOLD') continue;
      const ins = await t
        .insert(signals)
        .values({
          strategyId: k.strategyId,
          strategyVersion: strategy.version,
          venue: k.venue,
          symbol: k.symbol,
          timeframe: tf,
          candleOpenTime: c.openTime,
          candleCloseTime: c.openTime + step,
          action: sig.action,
          price: c.close,
          reason: sig.reason,
          mode,
          computedAt: new Date(now),
        })
        .onConflictDoNothing()
        .returning({ id: signals.id });
      if (ins[0]) {
        ids.set(c.openTime, ins[0].id);
        if (c.openTime === lastClosed) newestCreated = true;
      }
    }
    const signalIdAt = async (time: number): Promise<number | null> => {
      if (ids.has(time)) return ids.get(time)!;
      const [s] = await t
        .select({ id: signals.id })
        .from(signals)
        .where(and(eq(signals.strategyId, k.strategyId), eq(signals.venue, k.venue), eq(signals.symbol, k.symbol), eq(signals.timeframe, k.timeframe), eq(signals.candleOpenTime, time)));
      return s?.id ?? null;
    };

    const enqueue: number[] = [];
    const events: string[] = [];
    for (const ev of r.events.filter((x): x is FillEvent => x.type === 'entry' || x.type === 'exit')) {
      const f = ev.fill;
      const bySignal = f.effect === 'open' || f.exitKind === 'signal';
      // An entry or signal exit links to its decision's row; an exit inside a candle has no decision of its own.
      const signalId = bySignal ? await signalIdAt(f.signalTime) : null;
      const event: KernelAlertLike = {
        strategyId: k.strategyId,
        strategyVersion: strategy.version,
        venue: k.venue,
        symbol: k.symbol,
        timeframe: tf,
        mode,
        effect: f.effect,
        positionSide: f.positionSide,
        price: f.price,
        liquidity: f.liquidity,
        time: f.time,
        signalTime: f.signalTime,
        reason: f.reason,
        signalId,
        ...(ev.type === 'entry'
          ? { stopLoss: ev.stopLoss, takeProfit: ev.takeProfit, trailPct: ev.trailPct }
          : { exitKind: f.exitKind, entryPrice: ev.trade.entryPrice, grossReturn: ev.trade.grossReturn }),
      };
      const message = clip(formatKernelAlert(event, labUrl));
      const ins = await t
        .insert(alerts)
        .values({ signalId, dedupeKey: kernelAlertKey(k, f.time, f.effect, f.lot), channel: ALERT_CHANNEL, message, event, status: muted ? 'muted' : 'pending' })
        .onConflictDoNothing()
        .returning({ id: alerts.id });
      events.push(`${ev.type === 'entry' ? `entry ${f.positionSide}` : `exit ${f.exitKind}`} @ ${f.price}`);
      if (ins[0] && !muted) enqueue.push(ins[0].id);
    }
    await t
      .update(liveKernels)
      .set({ state: r.state, lastCandleTime: r.state.lastTime ?? 0, updatedAt: sql`now()` })
      .where(where);
    const newestSignalId = ids.get(lastClosed) ?? (await signalIdAt(lastClosed)) ?? undefined;
    return { enqueue, events, ...(newestSignalId !== undefined ? { newestSignalId } : {}), newestCreated, waiting };
  });
}

export async function runSignals(deps: { env: Env; config: AppConfig; db: Db; now: number }): Promise<SignalOutcome[]> {
  const { db, env, config, now } = deps;
  const wanted = config.LIVE_SIGNALS;
  if (wanted.length === 0) return [];
  const ids = [...new Set(wanted.map((w) => w.strategyId))];
  const rows = await db
    .select()
    .from(strategies)
    .where(and(inArray(strategies.id, ids), or(eq(strategies.enabled, true), eq(strategies.status, 'paper'))));
  const active = new Map(rows.map((r) => [r.id, r]));
  const labUrl = getConfig(env).PUBLIC_LAB_URL?.replace(/\/+$/, '');
  const outcomes: SignalOutcome[] = [];

  for (const w of wanted) {
    const base = { strategyId: w.strategyId, venue: w.venue, symbol: w.symbol, timeframe: w.timeframe };
    const row = active.get(w.strategyId);
    const strategy = getStrategy(w.strategyId);
    if (!row || !strategy || strategy.kind !== 'single') {
      outcomes.push({ ...base, status: 'disabled', detail: strategy ? 'not enabled' : 'unknown strategy' });
      continue;
    }
    try {
      const s = strategy as Strategy<Params>;
      const tf = w.timeframe as Timeframe;
      if (s.timeframes[0] !== tf) throw new Error(`${s.id} runs on ${s.timeframes[0]}, not ${tf}`);
      const params = s.paramsSchema.parse({ ...s.defaults, ...(row.params as Params) }) as Params;
      const newest = lastClosedOpenTime(tf, now);
      const candles = await loadRecentSeriesCandles(db, { venue: w.venue, symbol: w.symbol, timeframe: tf }, newest + TIMEFRAME_MS[tf], liveWindowSize(s, params));
      const ev = evaluateLatest(s, params, candles, now, w.symbol);
      if (ev.status !== 'evaluated') {
        outcomes.push({ ...base, status: ev.status, detail: ev.reason });
        continue;
      }
      const stepped = await stepLiveKernel(db, s, params, row, base, now, labUrl);
      // Delivery after the commit; a lost enqueue is picked up by requeueStuckAlerts.
      if (stepped.enqueue.length) await env.JOBS.sendBatch(stepped.enqueue.map((id) => ({ body: alertJob(id) })));
      const alerted = stepped.enqueue.length > 0;
      const events = stepped.events;
      const evText = events.length ? `; ${events.join(', ')}` : '';
      if (stepped.waiting !== null) {
        // The Sentinel's reference is not stored yet: this series waits (reported like a failed series; the next cycle catches up).
        log.warn('sentinel reference missing', { at: 'signals', ...base, reason: stepped.waiting });
        outcomes.push({ ...base, status: 'error', alerted, events, detail: `${stepped.waiting}${evText}` });
        continue;
      }
      if (ev.signal.action === 'HOLD') {
        outcomes.push({ ...base, status: 'hold', alerted, events, detail: `HOLD at ${new Date(ev.candle.openTime).toISOString()}${evText}` });
        continue;
      }
      if (!stepped.newestCreated) {
        outcomes.push({ ...base, status: 'duplicate', action: ev.signal.action, alerted, events, detail: `signal already recorded${evText}` });
        continue;
      }
      outcomes.push({ ...base, status: 'signal', action: ev.signal.action, ...(stepped.newestSignalId !== undefined ? { signalId: stepped.newestSignalId } : {}), alerted, events, detail: `${ev.signal.reason}${evText}` });
    } catch (err) {
      outcomes.push({ ...base, status: 'error', detail: (err as Error).message.slice(0, 300) });
    }
  }
  return outcomes;
}
