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
 * Multi-lot (a grid): a BUY carrying `lots` places keyed resting limit bids instead of one entry. Each bid that
 * the range reaches becomes a lot with its own stop and target, checked like a single position (rule 3); several
 * lots are open at once; a signal exit closes every lot at the next open (one exit fill per lot). While lots or
 * bids are active the group is one "position" for the chunk carry: its later lot signals are taken even past a
 * window's end (a grid cycle that started inside the window runs until it is flat), and the next chunk is busy
 * until then. Single-lot strategies never touch the lot state, so their fills are unchanged.
 *
 * `step` is pure (the input state is copied). The backtest loop calls the in-place halves `advance` (1–3) and
 * `decide` (4) with a reused candle and context, which is the same code without the copy; `closeAtEnd` closes an
 * open position at a candle's close (end of data). Prices are raw (gross): costs are applied to the trades
 * afterwards by shared/costs, so one kernel run serves every cost model.
 */
import type { RiskConfig } from '../backtest/config';
import type { ExitKind, Liquidity, RawTrade, RiskSkipCounts, Side } from '../backtest/types';
import type { Signal } from '../strategies/types';
import type { SentinelProbe } from './sentinel';
import { cloneKernelState, type KernelLot, type KernelPosition, type KernelState, type PendingEntry, type PendingLot } from './state';

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
  /** The Sentinel overlay's probe (`risk.sentinel`, ./sentinel.ts): a reason when it fires on this decision. */
  sentinel?: SentinelProbe;
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
  /** The lot's key (multi-lot strategies only). */
  lot?: string;
}

export type KernelEvent =
  | { type: 'entry'; fill: Fill; stopLoss: number | null; takeProfit: number | null; trailPct: number | null }
  | { type: 'exit'; fill: Fill; trade: RawTrade }
  | { type: 'order'; time: number; side: Side; reason: string; limitPrice: number | null; lot?: string }
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

/** The gross return of a round trip at raw prices: side × (exit / entry − 1). Every caller's trade return is this. */
export function grossReturnOf(dir: 1 | -1, entryPrice: number, exitPrice: number): number {
  return dir * (exitPrice / entryPrice - 1);
}

/** Nothing open or resting: no position, entry order, lot or lot bid (the chunk carry's "free"). */
export function kernelFlat(st: KernelState): boolean {
  return st.position === null && st.pending === null && st.lots.length === 0 && st.pendingLots.length === 0;
}

/** Whether anything is open (a position or a lot). */
export function hasOpenPosition(st: KernelState): boolean {
  return st.position !== null || st.lots.length > 0;
}

function closePosition(
  st: KernelState,
  p: KernelPosition | KernelLot,
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
  const bars = at === 'open' ? st.seq - p.entrySeq : st.seq - p.entrySeq + 1;
  const gross = grossReturnOf(p.dir, p.entryPrice, price);
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
    if ('key' in p) fill.lot = p.key;
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
  if (p === st.position) st.position = null;
  else st.lots.splice(st.lots.indexOf(p as KernelLot), 1);
}

function openPosition(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink, pe: PendingEntry | PendingLot, price: number, liq: Liquidity, intrabar: boolean): void {
  const trailPct = pe.trailPct;
  const p: KernelPosition | KernelLot = {
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
  const lot = 'key' in pe ? pe.key : undefined;
  if (lot !== undefined) {
    (p as KernelLot).key = lot;
    st.lots.push(p as KernelLot);
  } else {
    st.position = p;
    st.pending = null;
  }
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
    if (lot !== undefined) fill.lot = lot;
    out.fills?.push(fill);
    out.events?.push({ type: 'entry', fill, stopLoss: p.stopLoss, takeProfit: p.takeProfit, trailPct });
  }
}

/** Stops and target of position (or lot) `p` inside the candle (rule 3). */
function checkStops(st: KernelState, p: KernelPosition | KernelLot, c: KernelCandle, ctx: KernelContext, out: KernelSink): void {
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
      if (level >= p.entryPrice) return closePosition(st, p, c, ctx, out, p.entryPrice, kind, kind, 'intrabar', 'taker', t);
      if (l <= level) return closePosition(st, p, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    } else if (o <= level) return closePosition(st, p, c, ctx, out, o, kind, kind, 'intrabar', 'taker', t);
    else if (o >= tp) return closePosition(st, p, c, ctx, out, o, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    else if (l <= level) return closePosition(st, p, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    else if (h >= tp) return closePosition(st, p, c, ctx, out, tp, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    p.best = Math.max(p.best, entryBarIntrabar ? c.close : h);
    if (p.trailPct !== null) p.trail = p.best * (1 - p.trailPct);
  } else {
    const fixed = p.stopLoss ?? Infinity;
    const trail = p.trailPct !== null ? p.trail : Infinity;
    const level = Math.min(fixed, trail);
    const kind: ExitKind = trail < fixed ? 'trailing' : 'stop';
    const tp = p.takeProfit ?? -Infinity;
    if (entryBarIntrabar) {
      if (level <= p.entryPrice) return closePosition(st, p, c, ctx, out, p.entryPrice, kind, kind, 'intrabar', 'taker', t);
      if (h >= level) return closePosition(st, p, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    } else if (o >= level) return closePosition(st, p, c, ctx, out, o, kind, kind, 'intrabar', 'taker', t);
    else if (o <= tp) return closePosition(st, p, c, ctx, out, o, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    else if (h >= level) return closePosition(st, p, c, ctx, out, level, kind, kind, 'intrabar', 'taker', t);
    else if (l <= tp) return closePosition(st, p, c, ctx, out, tp, 'take-profit', 'take-profit', 'intrabar', 'maker', t);
    p.best = Math.min(p.best, entryBarIntrabar ? c.close : l);
    if (p.trailPct !== null) p.trail = p.best * (1 + p.trailPct);
  }
}

/**
 * A resting entry order `pe` at candle `c` (rule 2): fills (market at the open; limit when the range reaches it),
 * expires, or keeps resting. Returns whether it is done (filled or expired).
 */
function fillOrder(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink, pe: PendingEntry | PendingLot): boolean {
  const lim = pe.limitPrice;
  const o = c.open;
  if (lim === null) {
    openPosition(st, c, ctx, out, pe, o, 'taker', false);
    return true;
  }
  const first = st.seq === pe.signalSeq + 1;
  const tt = ctx.limitTradeThrough ?? 0;
  // Through the limit at the open / inside the candle by limitTradeThrough (honest maker mode: a price merely AT the
  // limit only joins the queue there; 0 = touching fills, the default).
  const throughAtOpen = pe.dir === 1 ? o <= lim - tt : o >= lim + tt;
  const touched = pe.dir === 1 ? c.low <= lim - tt : c.high >= lim + tt;
  if (throughAtOpen) {
    // Marketable on arrival (first candle) is a taker fill; a resting order gapped through fills at the open as maker.
    openPosition(st, c, ctx, out, pe, o, first ? 'taker' : 'maker', false);
    return true;
  }
  if (touched) {
    openPosition(st, c, ctx, out, pe, lim, 'maker', true);
    return true;
  }
  if (st.seq - pe.signalSeq >= ctx.limitExpiryCandles) {
    out.skipped.limitExpired++;
    out.events?.push({ type: 'skip', time: c.openTime, rule: 'limitExpired' });
    return true;
  }
  return false;
}

/** Rules 1–3 for a multi-lot group: the queued exit closes every lot at the open, bids fill, each lot's stops. */
function advanceLots(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink): void {
  if (st.exitPending !== null && st.lots.length > 0) {
    for (const lot of [...st.lots]) closePosition(st, lot, c, ctx, out, c.open, 'signal', st.exitPending, 'open', 'taker', st.exitSignalTime ?? c.openTime);
    st.exitPending = null;
    st.exitSignalTime = null;
  }
  if (st.pendingLots.length > 0) {
    const resting: PendingLot[] = [];
    for (const pl of st.pendingLots) if (!fillOrder(st, c, ctx, out, pl)) resting.push(pl);
    st.pendingLots = resting;
  }
  for (const lot of [...st.lots]) checkStops(st, lot, c, ctx, out);
}

/**
 * Rules 1–3 for candle `c`, in place: advance the counter, fill a queued exit and a pending entry, check stops.
 * The caller feeds candles in time order (`step` checks it and records `lastTime`).
 */
export function advance(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink): void {
  st.seq++;
  if (st.position === null && st.pending === null) {
    if (st.lots.length > 0 || st.pendingLots.length > 0) advanceLots(st, c, ctx, out);
    return; // flat, nothing ordered (a queued exit needs a position)
  }
  // (1) signal exit queued on the previous close fills at this open.
  if (st.exitPending !== null && st.position !== null) {
    closePosition(st, st.position, c, ctx, out, c.open, 'signal', st.exitPending, 'open', 'taker', st.exitSignalTime ?? c.openTime);
    st.exitPending = null;
    st.exitSignalTime = null;
  }
  // (2) pending entry.
  const pe = st.pending;
  if (pe !== null && st.position === null && fillOrder(st, c, ctx, out, pe)) st.pending = null;
  // (3) stops inside the candle.
  if (st.position !== null) checkStops(st, st.position, c, ctx, out);
}

/** Count a skipped entry (and its event); returns false, for `return skipEntry(…)` in a rule check. */
function skipEntry(out: KernelSink, time: number, rule: keyof RiskSkipCounts): false {
  out.skipped[rule] = (out.skipped[rule] ?? 0) + 1;
  out.events?.push({ type: 'skip', time, rule });
  return false;
}

/** The entry risk rules after busy: circuit-breaker pause, cooldown, ATR/price cap, minimum volume. True = passed. */
function entryRiskPasses(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink): boolean {
  const t = c.openTime;
  const carry = st.carry;
  const risk = ctx.risk;
  if (t < carry.pausedUntil) return skipEntry(out, t, 'circuitBreaker');
  if (t < carry.cooldownUntil) return skipEntry(out, t, 'cooldown');
  if (risk.maxAtrPct !== undefined) {
    const ap = ctx.atrAt();
    if (ap === null || ap > risk.maxAtrPct) return skipEntry(out, t, 'atrCap');
  }
  if (risk.minVolume !== undefined && !((c.volume ?? NaN) >= risk.minVolume)) return skipEntry(out, t, 'minVolume');
  return true;
}

function startEntryCooldown(st: KernelState, t: number, ctx: KernelContext): void {
  const risk = ctx.risk;
  if (risk.cooldownAfter === 'entry' && risk.cooldownCandles > 0) {
    st.carry.cooldownUntil = Math.max(st.carry.cooldownUntil, t + (risk.cooldownCandles + 1) * ctx.timeframeMs);
  }
}

/** A lot signal's bids replace the resting ones (keys already open are skipped; bad prices dropped). */
function placeLots(st: KernelState, c: KernelCandle, sig: Signal, ctx: KernelContext, out: KernelSink): void {
  const t = c.openTime;
  const held = st.lots;
  const next: PendingLot[] = [];
  for (const o of sig.lots!) {
    const limitPrice = finitePositive(o.limitPrice);
    if (limitPrice === null || held.some((l) => l.key === o.key) || next.some((l) => l.key === o.key)) continue;
    next.push({
      key: o.key,
      side: 'long',
      dir: 1,
      signalTime: t,
      signalSeq: st.seq,
      reason: o.reason,
      stopLoss: finitePositive(o.stopLoss),
      takeProfit: finitePositive(o.takeProfit),
      trailPct: null,
      limitPrice,
    });
    out.events?.push({ type: 'order', time: t, side: 'long', reason: o.reason, limitPrice, lot: o.key });
  }
  st.pendingLots = next;
  startEntryCooldown(st, t, ctx);
}

/** Rule 4 while a multi-lot group is active: exit every lot (cancelling the bids), or refresh the bids. */
function decideLots(st: KernelState, c: KernelCandle, sig: Signal, ctx: KernelContext | null, out: KernelSink): void {
  const act = sig.action;
  if (act === 'EXIT' || act === 'SELL') {
    if (st.lots.length > 0 && st.exitPending === null) {
      st.exitPending = sig.reason;
      st.exitSignalTime = c.openTime;
      out.events?.push({ type: 'exit-order', time: c.openTime, reason: sig.reason });
    }
    for (let k = st.pendingLots.length; k > 0; k--) skipEntry(out, c.openTime, 'limitCancelled');
    st.pendingLots = [];
    return;
  }
  if (ctx === null || act !== 'BUY' || sig.lots === undefined || st.exitPending !== null) return;
  if (entryRiskPasses(st, c, ctx, out)) placeLots(st, c, sig, ctx, out);
}

/**
 * The Sentinel fired on this decision: every long exits at the next open (a queued exit, lots included), resting
 * long orders and lot bids are cancelled, a long entry signal is refused. Returns false when nothing long is
 * involved (a short position or order, or a signal that opens no long), so the signal is decided as usual.
 */
function sentinelFires(st: KernelState, c: KernelCandle, sig: Signal, why: string, ctx: KernelContext, out: KernelSink): boolean {
  const t = c.openTime;
  if (st.position !== null) {
    if (st.position.dir !== 1) return false;
    if (st.exitPending === null) {
      st.exitPending = why;
      st.exitSignalTime = t;
      out.events?.push({ type: 'exit-order', time: t, reason: why });
    }
    return true;
  }
  if (st.pending !== null) {
    if (st.pending.dir !== 1) return false;
    skipEntry(out, t, 'limitCancelled');
    st.pending = null;
    return true;
  }
  if (st.lots.length > 0 || st.pendingLots.length > 0) {
    decideLots(st, c, { action: 'EXIT', reason: why }, null, out);
    return true;
  }
  if (sig.action !== 'BUY') return false;
  // Counted only where the entry could have been taken (inside the window, not busy with a previous chunk's position).
  if (ctx.entriesOpen && t >= st.carry.busyUntil) skipEntry(out, t, 'sentinel');
  return true;
}

/**
 * Rule 4, in place: what the signal of the closed candle `c` queues for the next candle. Entry risk rules, in
 * order: busy (a previous chunk's position), circuit-breaker pause, cooldown, ATR/price cap, minimum volume.
 */
export function decide(st: KernelState, c: KernelCandle, sig: Signal, ctx: KernelContext, out: KernelSink): void {
  if (ctx.sentinel !== undefined) {
    const why = ctx.sentinel(c.openTime);
    if (why !== null && sentinelFires(st, c, sig, why, ctx, out)) return;
  }
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
  if (st.lots.length > 0 || st.pendingLots.length > 0) return decideLots(st, c, sig, ctx, out);
  if (!ctx.entriesOpen) return;
  let dir: 1 | -1 | 0 = 0;
  if (act === 'BUY') dir = 1;
  else if (act === 'SELL' && ctx.allowShort) dir = -1;
  if (dir === 0) return;
  const t = c.openTime;
  if (t < st.carry.busyUntil) return;
  if (!entryRiskPasses(st, c, ctx, out)) return;
  if (dir === 1 && sig.lots !== undefined) return placeLots(st, c, sig, ctx, out);
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
  startEntryCooldown(st, t, ctx);
}

/**
 * Whether `decide(st, c, sig, ctx, …)` would change nothing and record nothing, for any candle: a HOLD, or, with
 * nothing open or resting (`kernelFlat`), a signal that cannot open anything (EXIT, or SELL when shorts are not
 * allowed). Never true with the Sentinel overlay, which acts on its own. Pure: a driver may skip the call when it
 * holds (the backtest loop does; the kernel still decides what a no-op is).
 */
export function decideIsNoOp(st: KernelState, sig: Signal, ctx: KernelContext): boolean {
  if (ctx.sentinel !== undefined) return false;
  const act = sig.action;
  return act === 'HOLD' || ((act === 'EXIT' || (act === 'SELL' && !ctx.allowShort)) && kernelFlat(st));
}

/** Close an open position (and every open lot) at candle `c`'s close (`end-of-data`: the data ends here), in place. */
export function closeAtEnd(st: KernelState, c: KernelCandle, ctx: KernelContext, out: KernelSink, kind: ExitKind = 'end-of-data'): void {
  if (st.position !== null) closePosition(st, st.position, c, ctx, out, c.close, kind, kind, 'close', 'taker', c.openTime);
  for (const lot of [...st.lots]) closePosition(st, lot, c, ctx, out, c.close, kind, kind, 'close', 'taker', c.openTime);
  st.pendingLots = [];
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
