/**
 * The execution kernel: the one place that decides fills, stops, take-profits, trailing stops, limit orders and
 * the entry risk rules, for the backtester, the chunk carry, the paper account and the live alert stage alike.
 *
 * `step(state, candle, signal, ctx) → { state, fills, events }` processes one candle in the engine's order:
 *   (1) a signal exit queued on the previous close fills at this open (taker);
 *   (2) a pending entry fills (market at the open, taker; limit when the range reaches it, maker);
 *   (3) stop-loss, trailing stop and take-profit inside the candle, pessimistically (stop before target);
 *   (4) the decision on the CLOSED candle: `signal` (the strategy's evaluation of this candle) is queued for the
 *       next candle — an exit, or an entry that passes the risk rules (busy, circuit breaker, cooldown, ATR cap).
 * So a signal on candle t never fills before t+1's open. The exact rules are in shared/backtest/README.md.
 *
 * `step` is pure (the input state is copied). The backtest loop calls the in-place halves `advance` (1–3) and
 * `decide` (4) with a reused candle and context, which is the same code without the copy; `closeAtEnd` closes an
 * open position at a candle's close (end of data). Prices are raw (gross): costs are applied to the trades
 * afterwards by shared/costs, so one kernel run serves every cost model.
 */
import type { RiskConfig } from '../backtest/config';
import type { ExitKind, Liquidity, RawTrade, RiskSkipCounts, Side } from '../backtest/types';
import type { Signal } from '../strategies/types';
import { cloneKernelState, type KernelPosition, type KernelState, type PendingEntry } from './state';

/** One candle as the kernel sees it (prices raw, times ms UTC). */
export interface KernelCandle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-currency volume (needed only by the `minVolume` risk rule). */
  volume?: number;
}

export interface KernelContext {
  /** Candle duration, ms. */
  timeframeMs: number;
  risk: RiskConfig;
  /** A limit entry not filled within this many candles after its signal candle is cancelled. */
  limitExpiryCandles: number;
  /**
   * Honest maker fills: how far (price units, e.g. one tick) a later candle must trade THROUGH a resting limit for it
   * to fill — a touch alone does not fill it (the queue ahead of it may absorb the touch). Absent/0: a touch fills.
   */
  limitTradeThrough?: number;
  /** Whether SELL may open a short when flat. */
  allowShort: boolean;
  /** Whether this candle's signal may open a position (a chunk's window end closes it; live: always true). */
  entriesOpen: boolean;
  /** ATR/price at the last candle closed before this candle (fill records), null when not computable. */
  atrBefore(): number | null;
  /** ATR/price at this candle's close (the ATR cap and end-of-data fill records), null when not computable. */
  atrAt(): number | null;
}

/** One fill the kernel made. `time` is the fill candle's open time (end-of-data: the candle's close time). */
export interface Fill {
  effect: 'open' | 'close';
  /** buy | sell (a long opens with a buy, a short with a sell). */
  side: 'buy' | 'sell';
  positionSide: Side;
  time: number;
  price: number;
  liquidity: Liquidity;
  /** Open time of the candle whose signal caused it (stops and targets: the fill candle). */
  signalTime: number;
  reason: string;
  atrPct: number | null;
  /** Closing fills: how the position closed. */
  exitKind?: ExitKind;
}

export type KernelEvent =
  | { type: 'entry'; fill: Fill; stopLoss: number | null; takeProfit: number | null; trailPct: number | null }
  | { type: 'exit'; fill: Fill; trade: RawTrade }
  | { type: 'order'; time: number; side: Side; reason: string; limitPrice: number | null }
  | { type: 'exit-order'; time: number; reason: string }
  | { type: 'skip'; time: number; rule: keyof RiskSkipCounts };

/** Where the in-place halves write: trades and skip counts always; fills and events when the arrays are given. */
export interface KernelSink {
  trades: RawTrade[];
  skipped: RiskSkipCounts;
  fills?: Fill[];
  events?: KernelEvent[];
}

export class KernelOrderError extends Error {
  constructor(
    readonly lastTime: number,
    readonly candleTime: number,
  ) {
    super(`kernel: candle ${new Date(candleTime).toISOString()} is not after the last candle stepped (${new Date(lastTime).toISOString()})`);
    this.name = 'KernelOrderError';
  }
}

export function emptySkipCounts(): RiskSkipCounts {
  return { cooldown: 0, circuitBreaker: 0, atrCap: 0, limitExpired: 0, limitCancelled: 0 };
}

function finitePositive(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : null;
}

function closePosition(
  st: KernelState,
  c: KernelCandle,
  ctx: KernelContext,
  out: KernelSink,
  price: number,
  kind: ExitKind,
  reason: string,
  at: 'open' | 'intrabar' | 'close',
  liq: Liquidity,
  exitSignalTime: number,
): void {
  const p = st.position!;
  const bars = at === 'open' ? st.seq - p.entrySeq : st.seq - p.entrySeq + 1;
  const gross = p.dir * (price / p.entryPrice - 1);
  const exitTime = at === 'close' ? c.openTime + ctx.timeframeMs : c.openTime;
  const exitAtrPct = at === 'close' ? ctx.atrAt() : ctx.atrBefore();
  const trade: RawTrade = {
    side: p.side,
    signalTime: p.signalTime,
    entryTime: p.entryTime,
    entryPrice: p.entryPrice,
    entryLiquidity: p.entryLiquidity,
    entryReason: p.entryReason,
    exitTime,
    exitPrice: price,
    exitLiquidity: liq,
    exitKind: kind,
    exitReason: reason,
    bars,
    grossReturn: gross,
    entryAtrPct: p.entryAtrPct,
    exitAtrPct,
  };
  out.trades.push(trade);
  if (out.fills || out.events) {
    const fill: Fill = {
      effect: 'close',
      side: p.dir === 1 ? 'sell' : 'buy',
      positionSide: p.side,
      time: exitTime,
      price,
      liquidity: liq,
      signalTime: exitSignalTime,
      reason,
      atrPct: exitAtrPct,
      exitKind: kind,
    };
    out.fills?.push(fill);
    out.events?.push({ type: 'exit', fill, trade });
  }
  const risk = ctx.risk;
  const cb = risk.circuitBreaker;
  const t = c.openTime;
  const carry = st.carry;
  if (risk.cooldownAfter === 'exit' && risk.cooldownCandles > 0) {
    carry.cooldownUntil = Math.max(carry.cooldownUntil, t + risk.cooldownCandles * ctx.timeframeMs);
  }
  if (cb) {
    if (gross * 1e4 < cb.lossBelowBps) {
      carry.consecutiveLosses++;
      if (carry.consecutiveLosses >= cb.losses) {
        carry.pausedUntil = Math.max(carry.pausedUntil, t + cb.pauseCandles * ctx.timeframeMs);
        carry.consecutiveLosses = 0;
      }
    } else carry.consecutiveLosses = 0;
  }
  st.position = null;
}

function openPosition(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink, pe: PendingEntry, price: number, liq: Liquidity, intrabar: boolean): void {
  const trailPct = pe.trailPct;
  const p: KernelPosition = {
    side: pe.side,
    dir: pe.dir,
    signalTime: pe.signalTime,
    entryTime: c.openTime,
    entrySeq: st.seq,
    entryPrice: price,
    entryLiquidity: liq,
    entryReason: pe.reason,
    entryAtrPct: ctx.atrBefore(),
    intrabar,
    stopLoss: pe.stopLoss,
    takeProfit: pe.takeProfit,
    trailPct,
    best: price,
    trail: trailPct !== null ? price * (1 - pe.dir * trailPct) : 0,
  };
  st.position = p;
  st.pending = null;
  if (out.fills || out.events) {
    const fill: Fill = {
      effect: 'open',
      side: pe.dir === 1 ? 'buy' : 'sell',
      positionSide: pe.side,
      time: c.openTime,
      price,
      liquidity: liq,
      signalTime: pe.signalTime,
      reason: pe.reason,
      atrPct: p.entryAtrPct,
    };
    out.fills?.push(fill);
    out.events?.push({ type: 'entry', fill, stopLoss: p.stopLoss, takeProfit: p.takeProfit, trailPct });
  }
}

/** Stops and target inside the candle (rule 3). */
function checkStops(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink): void {
  const p = st.position!;
  const o = c.open;
  const h = c.high;
  const l = c.low;
  const t = c.openTime;
  const entryBarIntrabar = p.intrabar && p.entrySeq === st.seq;
  if (p.dir === 1) {
    const fixed = p.stopLoss ?? -Infinity;
    const trail = p.trailPct !== null ? p.trail : -Infinity;
    const level = Math.max(fixed, trail);
    const kind: ExitKind = trail > fixed ? 'trailing' : 'stop';
    const tp = p.takeProfit ?? Infinity;
    if (entryBarIntrabar) {
      if (level >= p.entryPrice) closePosition(st, c, ctx, out, p.entryPrice, kind, kind, 'intrabar', 'taker', t);
      else if (l <= level) closePosition(st, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    } else if (o <= level) closePosition(st, c, ctx, out, o, kind, kind, 'intrabar', 'taker', t);
    else if (o >= tp) closePosition(st, c, ctx, out, o, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    else if (l <= level) closePosition(st, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    else if (h >= tp) closePosition(st, c, ctx, out, tp, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    if (st.position === null) return;
    p.best = Math.max(p.best, entryBarIntrabar ? c.close : h);
    if (p.trailPct !== null) p.trail = p.best * (1 - p.trailPct);
  } else {
    const fixed = p.stopLoss ?? Infinity;
    const trail = p.trailPct !== null ? p.trail : Infinity;
    const level = Math.min(fixed, trail);
    const kind: ExitKind = trail < fixed ? 'trailing' : 'stop';
    const tp = p.takeProfit ?? -Infinity;
    if (entryBarIntrabar) {
      if (level <= p.entryPrice) closePosition(st, c, ctx, out, p.entryPrice, kind, kind, 'intrabar', 'taker', t);
      else if (h >= level) closePosition(st, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    } else if (o >= level) closePosition(st, c, ctx, out, o, kind, kind, 'intrabar', 'taker', t);
    else if (o <= tp) closePosition(st, c, ctx, out, o, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    else if (h >= level) closePosition(st, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    else if (l <= tp) closePosition(st, c, ctx, out, tp, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    if (st.position === null) return;
    p.best = Math.min(p.best, entryBarIntrabar ? c.close : l);
    if (p.trailPct !== null) p.trail = p.best * (1 + p.trailPct);
  }
}

/**
 * Rules 1–3 for candle `c`, in place: advance the counter, fill a queued exit and a pending entry, check stops.
 * The caller feeds candles in time order (`step` checks it and records `lastTime`).
 */
export function advance(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink): void {
  st.seq++;
  if (st.position === null && st.pending === null) return; // flat, nothing ordered (a queued exit needs a position)
  // (1) signal exit queued on the previous close fills at this open.
  if (st.exitPending !== null && st.position !== null) {
    closePosition(st, c, ctx, out, c.open, 'signal', st.exitPending, 'open', 'taker', st.exitSignalTime ?? c.openTime);
    st.exitPending = null;
    st.exitSignalTime = null;
  }
  // (2) pending entry.
  const pe = st.pending;
  if (pe !== null && st.position === null) {
    const lim = pe.limitPrice;
    const o = c.open;
    if (lim === null) {
      openPosition(st, c, ctx, out, pe, o, 'taker', false);
    } else {
      const first = st.seq === pe.signalSeq + 1;
      const tt = ctx.limitTradeThrough ?? 0;
      // Through the limit at the open (by limitTradeThrough: an open AT the limit only joins the queue there).
      const gapped = pe.dir === 1 ? o <= lim - tt : o >= lim + tt;
      const touched = pe.dir === 1 ? c.low <= lim - tt : c.high >= lim + tt;
      if (first && gapped) {
        // Marketable on arrival (first candle) is a taker fill.
        openPosition(st, c, ctx, out, pe, o, 'taker', false);
      } else if (gapped) {
        // A resting order the open gapped through (by limitTradeThrough) fills at the open as maker.
        openPosition(st, c, ctx, out, pe, o, 'maker', false);
      } else if (touched) {
        openPosition(st, c, ctx, out, pe, lim, 'maker', true);
      } else if (st.seq - pe.signalSeq >= ctx.limitExpiryCandles) {
        out.skipped.limitExpired++;
        out.events?.push({ type: 'skip', time: c.openTime, rule: 'limitExpired' });
        st.pending = null;
      }
    }
  }
  // (3) stops inside the candle.
  if (st.position !== null) checkStops(st, c, ctx, out);
}

function skipEntry(out: KernelSink, time: number, rule: keyof RiskSkipCounts): void {
  out.skipped[rule] = (out.skipped[rule] ?? 0) + 1;
  out.events?.push({ type: 'skip', time, rule });
}

/**
 * Rule 4, in place: what the signal of the closed candle `c` queues for the next candle. Entry risk rules, in
 * order: busy (a previous chunk's position), circuit-breaker pause, cooldown, ATR/price cap, minimum volume.
 */
export function decide(st: KernelState, c: KernelCandle, sig: Signal, ctx: KernelContext, out: KernelSink): void {
  const act = sig.action;
  if (act === 'HOLD') return; // changes nothing in any state
  const pos = st.position;
  if (pos !== null) {
    if (st.exitPending === null && (act === 'EXIT' || (pos.dir === 1 ? act === 'SELL' : act === 'BUY'))) {
      st.exitPending = sig.reason;
      st.exitSignalTime = c.openTime;
      out.events?.push({ type: 'exit-order', time: c.openTime, reason: sig.reason });
    }
    return;
  }
  const pending = st.pending;
  if (pending !== null) {
    if (act === 'EXIT' || (pending.dir === 1 ? act === 'SELL' : act === 'BUY')) {
      out.skipped.limitCancelled++;
      out.events?.push({ type: 'skip', time: c.openTime, rule: 'limitCancelled' });
      st.pending = null;
    }
    return;
  }
  if (!ctx.entriesOpen) return;
  let dir: 1 | -1 | 0 = 0;
  if (act === 'BUY') dir = 1;
  else if (act === 'SELL' && ctx.allowShort) dir = -1;
  if (dir === 0) return;
  const t = c.openTime;
  const carry = st.carry;
  const risk = ctx.risk;
  if (t < carry.busyUntil) return;
  if (t < carry.pausedUntil) return skipEntry(out, t, 'circuitBreaker');
  if (t < carry.cooldownUntil) return skipEntry(out, t, 'cooldown');
  if (risk.maxAtrPct !== undefined) {
    const ap = ctx.atrAt();
    if (ap === null || ap > risk.maxAtrPct) return skipEntry(out, t, 'atrCap');
  }
  if (risk.minVolume !== undefined && !((c.volume ?? NaN) >= risk.minVolume)) return skipEntry(out, t, 'minVolume');
  const side: Side = dir === 1 ? 'long' : 'short';
  const limitPrice = finitePositive(sig.limitPrice);
  st.pending = {
    side,
    dir,
    signalTime: t,
    signalSeq: st.seq,
    reason: sig.reason,
    stopLoss: finitePositive(sig.stopLoss),
    takeProfit: finitePositive(sig.takeProfit),
    trailPct: finitePositive(sig.trailingStop),
    limitPrice,
  };
  out.events?.push({ type: 'order', time: t, side, reason: sig.reason, limitPrice });
  if (risk.cooldownAfter === 'entry' && risk.cooldownCandles > 0) {
    carry.cooldownUntil = Math.max(carry.cooldownUntil, t + (risk.cooldownCandles + 1) * ctx.timeframeMs);
  }
}

/** Close an open position at candle `c`'s close (`end-of-data`: the data ends here), in place. */
export function closeAtEnd(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink, kind: ExitKind = 'end-of-data'): void {
  if (st.position === null) return;
  closePosition(st, c, ctx, out, c.close, kind, kind, 'close', 'taker', c.openTime);
}

export interface StepResult {
  state: KernelState;
  fills: Fill[];
  events: KernelEvent[];
  /** Closed trades (raw prices) this step produced. */
  trades: RawTrade[];
}

/**
 * One candle through the kernel, purely: rules 1–3, then the decision on `signal` (the strategy's evaluation of
 * this closed candle; null = no decision, e.g. the last candle of the data). The input state is not mutated.
 */
export function step(state: KernelState, candle: KernelCandle, signal: Signal | null, ctx: KernelContext): StepResult {
  if (state.lastTime !== null && !(candle.openTime > state.lastTime)) throw new KernelOrderError(state.lastTime, candle.openTime);
  const st = cloneKernelState(state);
  st.lastTime = candle.openTime;
  const out: KernelSink & { fills: Fill[]; events: KernelEvent[] } = { trades: [], skipped: emptySkipCounts(), fills: [], events: [] };
  advance(st, candle, ctx, out);
  if (signal !== null) decide(st, candle, signal, ctx, out);
  return { state: st, fills: out.fills, events: out.events, trades: out.trades };
}
