/**
 * Cron signal stage: for each LIVE_SIGNALS entry whose strategy is enabled (or in paper), evaluate the newest
 * closed candle with the same `evaluate` the backtester uses, persist the signal idempotently (unique per strategy,
 * venue, symbol, timeframe and candle), and enqueue a Telegram alert only for a newly created BUY or SELL.
 * A cron double-fire or retry finds the signal already there and sends nothing twice.
 */
import { and, eq, inArray, or } from 'drizzle-orm';
import { loadRecentCandles } from '../../shared/db/queries/candles';
import { signals, strategies } from '../../shared/db/schema';
import { TIMEFRAME_MS, lastClosedOpenTime, type Timeframe } from '../../shared/candles/timeframe';
import { evaluateLatest, liveWindowSize } from '../../shared/strategies/live';
import { getStrategy } from '../../shared/strategies/registry';
import type { Params, Strategy } from '../../shared/strategies/types';
import type { Db } from '../db';
import type { AppConfig, Env } from '../env';
import { enqueueSignalAlert } from '../jobs/alert';

export interface SignalOutcome {
  strategyId: string;
  venue: string;
  symbol: string;
  timeframe: string;
  status: 'signal' | 'hold' | 'duplicate' | 'stale' | 'warming-up' | 'disabled' | 'error';
  action?: string;
  signalId?: number;
  alerted?: boolean;
  detail: string;
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
      const candles = await loadRecentCandles(db, { venue: w.venue, symbol: w.symbol, timeframe: tf }, newest + TIMEFRAME_MS[tf], liveWindowSize(s, params));
      const ev = evaluateLatest(s, params, candles, now, w.symbol);
      if (ev.status !== 'evaluated') {
        outcomes.push({ ...base, status: ev.status, detail: ev.reason });
        continue;
      }
      if (ev.signal.action === 'HOLD') {
        outcomes.push({ ...base, status: 'hold', detail: `HOLD at ${new Date(ev.candle.openTime).toISOString()}` });
        continue;
      }
      const inserted = await db
        .insert(signals)
        .values({
          strategyId: s.id,
          strategyVersion: s.version,
          venue: w.venue,
          symbol: w.symbol,
          timeframe: tf,
          candleOpenTime: ev.candle.openTime,
          candleCloseTime: ev.candle.openTime + TIMEFRAME_MS[tf],
          action: ev.signal.action,
          price: ev.candle.close,
          reason: ev.signal.reason,
          mode: row.status === 'paper' ? 'paper' : 'live',
          computedAt: new Date(now),
        })
        .onConflictDoNothing()
        .returning({ id: signals.id });
      const signalId = inserted[0]?.id;
      if (signalId === undefined) {
        outcomes.push({ ...base, status: 'duplicate', action: ev.signal.action, detail: 'signal already recorded' });
        continue;
      }
      let alerted = false;
      if (ev.signal.action === 'BUY' || ev.signal.action === 'SELL') {
        const res = await enqueueSignalAlert(db, env, signalId);
        alerted = res.enqueued;
      }
      outcomes.push({ ...base, status: 'signal', action: ev.signal.action, signalId, alerted, detail: ev.signal.reason });
    } catch (err) {
      outcomes.push({ ...base, status: 'error', detail: (err as Error).message.slice(0, 300) });
    }
  }
  return outcomes;
}
