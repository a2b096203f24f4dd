/**
 * The no-lookahead event loop for one CandleSeries and one Strategy (rules in ./README.md).
 *
 * Each candle i is processed in this order: (1) a pending signal exit fills at open[i]; (2) a pending entry fills
 * (market: at open[i], taker; limit: when the candle's range reaches the limit, maker); (3) stop-loss, trailing
 * stop and take-profit are checked inside the candle, pessimistically; (4) the strategy is evaluated on the CLOSED
 * candle i, and what it asks for is queued for candle i+1. So a signal on candle t never fills before t+1's open.
 *
 * The loop runs at raw prices (gross). Costs are applied afterwards per cost model (./result.ts), so one run
 * yields gross and net figures for every preset. `runChunk` is the unit of work: it trades entry signals inside
 * [from, to), lets an open position run past `to` until it closes, and reports the state carried into the next
 * chunk; `runBacktest` is one chunk over the whole window (see ./chunking.ts for split + merge).
 */
import { sliceSeries, type CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import type { Params, Signal, Strategy } from '../strategies/types';
import { atrPctAt } from './atr';
import { parseBacktestConfig, type BacktestConfig, type BacktestConfigInput } from './config';
import { buildResult } from './result';
import { lowerBound } from './version';
import type { BacktestResult, ChunkCarry, ChunkResult, ExitKind, Liquidity, RawTrade, Side, SkipCounts } from './types';

export { ENGINE_VERSION_ID, lowerBound } from './version';

export const INITIAL_CARRY: Readonly<ChunkCarry> = Object.freeze({
  busyUntil: 0,
  cooldownUntil: 0,
  pausedUntil: 0,
  consecutiveLosses: 0,
});

export function emptySkips(): SkipCounts {
  return { cooldown: 0, circuitBreaker: 0, atrCap: 0, limitExpired: 0, limitCancelled: 0 };
}

/** Candles of history a chunk needs before its first signal candle: the strategy's startup and the ATR window. */
export function warmupCandles<P extends Params>(strategy: Strategy<P>, params: P, config: BacktestConfig): number {
  return Math.max(strategy.startupCandles(params), config.atrPeriod + 1);
}

/** Default trading window: from the first candle after warm-up to the end of the series. */
export function resolveWindow<P extends Params>(
  series: CandleSeries,
  strategy: Strategy<P>,
  params: P,
  config: BacktestConfig,
): { from: number; to: number } {
  const n = series.length;
  if (n === 0) return { from: 0, to: 0 };
  const tf = timeframeMs(series.timeframe);
  const w = Math.min(n - 1, warmupCandles(strategy, params, config));
  const from = config.from ?? series.openTime[w]!;
  const to = config.to ?? series.openTime[n - 1]! + tf;
  return { from, to };
}

function finitePositive(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : undefined;
}

interface Position {
  side: Side;
  dir: 1 | -1;
  signalTime: number;
  entryIdx: number;
  entryPrice: number;
  entryLiquidity: Liquidity;
  entryReason: string;
  entryAtrPct: number | null;
  /** Filled inside the entry candle (limit), so that candle's earlier range is not known to be after the entry. */
  intrabar: boolean;
  stopLoss: number | undefined;
  takeProfit: number | undefined;
  trailPct: number | undefined;
  best: number;
  trail: number;
}

interface PendingEntry {
  side: Side;
  dir: 1 | -1;
  signalIdx: number;
  signal: Signal;
}

/**
 * Run entry signals on candles with open time in [window.from, window.to) starting from `carryIn`. `series`
 * should hold the warm-up before `from` and all data after `to` (an open position runs on until it exits; the end
 * of `series` is treated as the end of data). Views via `sliceSeries` are free.
 */
export function runChunk<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  config: BacktestConfig,
  window: { from: number; to: number },
  carryIn: ChunkCarry = INITIAL_CARRY,
): ChunkResult {
  const N = series.length;
  const aAbs = lowerBound(series.openTime, window.from);
  const bAbs = lowerBound(series.openTime, window.to);
  const base = Math.max(0, aAbs - warmupCandles(strategy, params, config));
  const s = base === 0 ? series : sliceSeries(series, base, N);
  const n = s.length;
  const a = aAbs - base;
  const b = bAbs - base;
  const tf = timeframeMs(s.timeframe);
  const { openTime, open, high, low, close } = s;
  const period = config.atrPeriod;
  const risk = config.risk;
  const cb = risk.circuitBreaker;
  const expiry = config.limitExpiryCandles;

  // Causal prepare over [0, pEnd), extended (re-prepared) if a position runs on past the prepared range.
  const ext = Math.max(1024, (b - a) >> 2);
  let pEnd = Math.min(n, b + ext);
  let prepared = strategy.prepare(pEnd === n ? s : sliceSeries(s, 0, pEnd), params);
  const evalAt = (i: number): Signal => {
    if (i >= pEnd) {
      while (i >= pEnd) pEnd = Math.min(n, pEnd + Math.max(ext, pEnd - b));
      prepared = strategy.prepare(pEnd === n ? s : sliceSeries(s, 0, pEnd), params);
    }
    return strategy.evaluate(prepared, i, params);
  };

  const trades: RawTrade[] = [];
  const skipped = emptySkips();
  const busyUntil = carryIn.busyUntil;
  let cooldownUntil = carryIn.cooldownUntil;
  let pausedUntil = carryIn.pausedUntil;
  let losses = carryIn.consecutiveLosses;
  let pos: Position | null = null;
  let pending: PendingEntry | null = null;
  let exitPending: string | null = null;
  let freeAt = -1;

  const closePos = (i: number, price: number, kind: ExitKind, reason: string, at: 'open' | 'intrabar' | 'close', liq: Liquidity): void => {
    const p = pos!;
    const bars = at === 'open' ? i - p.entryIdx : i - p.entryIdx + 1;
    const gross = p.dir * (price / p.entryPrice - 1);
    trades.push({
      side: p.side,
      signalTime: p.signalTime,
      entryTime: openTime[p.entryIdx]!,
      entryPrice: p.entryPrice,
      entryLiquidity: p.entryLiquidity,
      entryReason: p.entryReason,
      exitTime: at === 'close' ? openTime[i]! + tf : openTime[i]!,
      exitPrice: price,
      exitLiquidity: liq,
      exitKind: kind,
      exitReason: reason,
      bars,
      grossReturn: gross,
      entryAtrPct: p.entryAtrPct,
      exitAtrPct: atrPctAt(s, at === 'close' ? i : i - 1, period),
    });
    const t = openTime[i]!;
    if (risk.cooldownAfter === 'exit' && risk.cooldownCandles > 0) {
      cooldownUntil = Math.max(cooldownUntil, t + risk.cooldownCandles * tf);
    }
    if (cb) {
      if (gross * 1e4 < cb.lossBelowBps) {
        losses++;
        if (losses >= cb.losses) {
          pausedUntil = Math.max(pausedUntil, t + cb.pauseCandles * tf);
          losses = 0;
        }
      } else losses = 0;
    }
    pos = null;
  };

  const openPos = (pe: PendingEntry, i: number, price: number, liq: Liquidity, intrabar: boolean): void => {
    const sig = pe.signal;
    const trailPct = finitePositive(sig.trailingStop);
    pos = {
      side: pe.side,
      dir: pe.dir,
      signalTime: openTime[pe.signalIdx]!,
      entryIdx: i,
      entryPrice: price,
      entryLiquidity: liq,
      entryReason: sig.reason,
      entryAtrPct: atrPctAt(s, i - 1, period),
      intrabar,
      stopLoss: finitePositive(sig.stopLoss),
      takeProfit: finitePositive(sig.takeProfit),
      trailPct,
      best: price,
      trail: trailPct !== undefined ? price * (1 - pe.dir * trailPct) : NaN,
    };
  };

  /** Stops inside candle i; returns true when the position closed. */
  const checkStops = (i: number): boolean => {
    const p = pos!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const entryBarIntrabar = p.intrabar && p.entryIdx === i;
    if (p.dir === 1) {
      const fixed = p.stopLoss ?? -Infinity;
      const trail = p.trailPct !== undefined ? p.trail : -Infinity;
      const level = Math.max(fixed, trail);
      const kind: ExitKind = trail > fixed ? 'trailing' : 'stop';
      const tp = p.takeProfit ?? Infinity;
      if (entryBarIntrabar) {
        if (level >= p.entryPrice) closePos(i, p.entryPrice, kind, kind, 'intrabar', 'taker');
        else if (l <= level) closePos(i, level, kind, kind, 'intrabar', 'taker');
      } else if (o <= level) closePos(i, o, kind, kind, 'intrabar', 'taker');
      else if (o >= tp) closePos(i, o, 'take-profit', 'take-profit', 'intrabar', 'maker');
      else if (l <= level) closePos(i, level, kind, kind, 'intrabar', 'taker');
      else if (h >= tp) closePos(i, tp, 'take-profit', 'take-profit', 'intrabar', 'maker');
      if (pos === null) return true;
      p.best = Math.max(p.best, entryBarIntrabar ? close[i]! : h);
      if (p.trailPct !== undefined) p.trail = p.best * (1 - p.trailPct);
    } else {
      const fixed = p.stopLoss ?? Infinity;
      const trail = p.trailPct !== undefined ? p.trail : Infinity;
      const level = Math.min(fixed, trail);
      const kind: ExitKind = trail < fixed ? 'trailing' : 'stop';
      const tp = p.takeProfit ?? -Infinity;
      if (entryBarIntrabar) {
        if (level <= p.entryPrice) closePos(i, p.entryPrice, kind, kind, 'intrabar', 'taker');
        else if (h >= level) closePos(i, level, kind, kind, 'intrabar', 'taker');
      } else if (o >= level) closePos(i, o, kind, kind, 'intrabar', 'taker');
      else if (o <= tp) closePos(i, o, 'take-profit', 'take-profit', 'intrabar', 'maker');
      else if (h >= level) closePos(i, level, kind, kind, 'intrabar', 'taker');
      else if (l <= tp) closePos(i, tp, 'take-profit', 'take-profit', 'intrabar', 'maker');
      if (pos === null) return true;
      p.best = Math.min(p.best, entryBarIntrabar ? close[i]! : l);
      if (p.trailPct !== undefined) p.trail = p.best * (1 + p.trailPct);
    }
    return false;
  };

  let i = a;
  for (; i < n; i++) {
    // (1) signal exit queued on the previous close fills at this open.
    if (exitPending !== null && pos !== null) {
      closePos(i, open[i]!, 'signal', exitPending, 'open', 'taker');
      exitPending = null;
    }
    // (2) pending entry.
    if (pending !== null && pos === null) {
      const pe: PendingEntry = pending;
      const lim = finitePositive(pe.signal.limitPrice);
      const o = open[i]!;
      if (lim === undefined) {
        openPos(pe, i, o, 'taker', false);
        pending = null;
      } else {
        const first = i === pe.signalIdx + 1;
        const throughAtOpen = pe.dir === 1 ? o <= lim : o >= lim;
        const touched = pe.dir === 1 ? low[i]! <= lim : high[i]! >= lim;
        if (throughAtOpen) {
          // Marketable on arrival (first candle) is a taker fill; a resting order gapped through fills at the open as maker.
          openPos(pe, i, o, first ? 'taker' : 'maker', false);
          pending = null;
        } else if (touched) {
          openPos(pe, i, lim, 'maker', true);
          pending = null;
        } else if (i - pe.signalIdx >= expiry) {
          skipped.limitExpired++;
          pending = null;
        }
      }
    }
    // (3) stops inside the candle.
    if (pos !== null) checkStops(i);

    if (i >= b && pos === null && pending === null) {
      freeAt = i;
      break;
    }
    if (i === n - 1) break; // nothing can fill after the last candle
    // (4) the decision on the closed candle i.
    const sig = evalAt(i);
    const act = sig.action;
    if (pos !== null) {
      const p: Position = pos;
      if (exitPending === null && (act === 'EXIT' || (p.dir === 1 ? act === 'SELL' : act === 'BUY'))) exitPending = sig.reason;
    } else if (pending !== null) {
      if (act === 'EXIT' || (pending.dir === 1 ? act === 'SELL' : act === 'BUY')) {
        skipped.limitCancelled++;
        pending = null;
      }
    } else if (i < b) {
      let dir: 1 | -1 | 0 = 0;
      if (act === 'BUY') dir = 1;
      else if (act === 'SELL' && strategy.allowShort) dir = -1;
      if (dir === 0) continue;
      const t = openTime[i]!;
      if (t < busyUntil) continue;
      if (t < pausedUntil) {
        skipped.circuitBreaker++;
        continue;
      }
      if (t < cooldownUntil) {
        skipped.cooldown++;
        continue;
      }
      if (risk.maxAtrPct !== undefined) {
        const ap = atrPctAt(s, i, period);
        if (ap === null || ap > risk.maxAtrPct) {
          skipped.atrCap++;
          continue;
        }
      }
      pending = { side: dir === 1 ? 'long' : 'short', dir, signalIdx: i, signal: sig };
      if (risk.cooldownAfter === 'entry' && risk.cooldownCandles > 0) {
        cooldownUntil = Math.max(cooldownUntil, t + (risk.cooldownCandles + 1) * tf);
      }
    }
  }
  if (pos !== null) {
    const last = n - 1;
    closePos(last, close[last]!, 'end-of-data', 'end-of-data', 'close', 'taker');
  }
  const freeTime = freeAt >= 0 ? openTime[freeAt]! : n > 0 ? openTime[n - 1]! + tf : 0;
  return {
    from: window.from,
    to: window.to,
    carryIn: { ...carryIn },
    carryOut: {
      busyUntil: Math.max(carryIn.busyUntil, freeTime),
      cooldownUntil,
      pausedUntil,
      consecutiveLosses: losses,
    },
    trades,
    skipped,
  };
}

/** A whole backtest over `config.from`..`config.to` (defaults: after warm-up .. end of series). */
export function runBacktest<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  configInput: BacktestConfigInput | BacktestConfig = {},
): BacktestResult {
  const config = parseBacktestConfig(configInput);
  const window = resolveWindow(series, strategy, params, config);
  const chunk = runChunk(series, strategy, params, config, window, INITIAL_CARRY);
  return buildResult(series, strategy, params, config, window, chunk.trades, chunk.skipped);
}
