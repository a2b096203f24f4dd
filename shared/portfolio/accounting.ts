/**
 * Shared-cash accounting of a portfolio's trades, one pass per cost view (gross, then each cost model): the
 * kernel pass fixed WHICH trades happen at raw prices; here each trade commits capital out of the common cash
 * and the book is marked to market at every step's close.
 *
 * At a step, fills are booked in this order: exits of positions opened at an earlier step (universe order), then
 * entries (universe order), then exits of positions opened at this very step (a limit filled and stopped in one
 * candle). An entry commits `min(cash, target)` where target = equity / maxPositions (equal weight) or
 * fraction × equity (fixed fraction), equity = cash + the open positions marked at their symbols' last close,
 * taken once per step after its exits (so the entries of one step are sized from the same equity). The
 * cash-account cost convention and the open-position mark are shared/costs' (`netReturnOfCosts`,
 * `openPositionPnl`, `notionalOfCapital`); a symbol without a candle at a step keeps its last mark.
 */
import { openPositionPnl, netReturnOfCosts, notionalOfCapital } from '../costs';
import { CurveAccumulator, stepsPerYear, tradeStats } from '../backtest/metrics';
import { lowerBound } from '../backtest/version';
import type { EquityCurve, Metrics, RawTrade } from '../backtest/types';
import type { PortfolioConfig } from './config';

/** A trade placed on the timeline, with its symbol's index. */
export interface PlacedTrade {
  leg: number;
  trade: RawTrade;
  entryStep: number;
  exitStep: number;
}

export interface ViewResult {
  metrics: Metrics;
  curve: EquityCurve;
  /** Quote PnL per symbol (universe order). */
  pnl: number[];
}

/** Timeline step of a trade's exit candle (`end-of-data` exits are stamped at the candle's close time). */
export function placeTrades(legs: readonly { trades: readonly RawTrade[] }[], timeline: Float64Array, tf: number): PlacedTrade[] {
  const out: PlacedTrade[] = [];
  legs.forEach((l, leg) => {
    for (const trade of l.trades) {
      const exitOpen = trade.exitKind === 'end-of-data' ? trade.exitTime - tf : trade.exitTime;
      out.push({ leg, trade, entryStep: lowerBound(timeline, trade.entryTime), exitStep: lowerBound(timeline, exitOpen) });
    }
  });
  out.sort((a, b) => a.entryStep - b.entryStep || a.leg - b.leg);
  return out;
}

/**
 * Book the trades on the shared cash for one cost view. `costs[k]` = the entry / exit side cost (fractions) of
 * `placed[k]` under this view (0 for gross); `returns[k]` its per-trade return (gross or net) for the trade stats.
 */
export function bookView(
  placed: readonly PlacedTrade[],
  costs: readonly { entry: number; exit: number }[] | null,
  returns: readonly number[],
  closes: readonly { close: Float64Array; at: Int32Array }[],
  timeline: Float64Array,
  tf: number,
  window: { w0: number; w1: number },
  config: PortfolioConfig,
): ViewResult {
  const { w0, w1 } = window;
  const legsN = closes.length;
  const P = placed.length;
  // `placed` is in entry-step order; exits are walked in (exit step, entry order) order.
  const byExit = Array.from({ length: P }, (_, k) => k).sort((a, b) => placed[a]!.exitStep - placed[b]!.exitStep || a - b);
  const perYear = stepsPerYear(tf);
  const acc = new CurveAccumulator(config.initialEquity, perYear, Math.max(0, w1 - w0), config.equityPoints);
  const capital = new Float64Array(P);
  const open = new Set<number>();
  const lastMark = new Float64Array(legsN).fill(NaN);
  const pnl = new Array<number>(legsN).fill(0);
  let cash = config.initialEquity;
  let traded = 0;
  let heldSteps = 0;
  const ec = (k: number): number => (costs ? costs[k]!.entry : 0);
  const xc = (k: number): number => (costs ? costs[k]!.exit : 0);
  const value = (k: number): number => {
    const p = placed[k]!;
    const dir = p.trade.side === 'long' ? 1 : -1;
    const mark = Number.isNaN(lastMark[p.leg]!) ? p.trade.entryPrice : lastMark[p.leg]!;
    // `mark × (1 / entry)`, written as the single-series curve writes it (bit-identical marks for one symbol).
    return capital[k]! + openPositionPnl(capital[k]!, ec(k), dir, mark * (1 / p.trade.entryPrice));
  };
  const book = (k: number): void => {
    const t = placed[k]!.trade;
    const ratio = t.exitPrice / t.entryPrice;
    const r = netReturnOfCosts(t.grossReturn, ec(k), xc(k), ratio);
    cash += capital[k]! + capital[k]! * r;
    pnl[placed[k]!.leg]! += capital[k]! * r;
    traded += notionalOfCapital(capital[k]!, ec(k)) * (1 + ratio);
    open.delete(k);
  };
  const maxPos = config.maxPositions;
  const sizing = config.sizing;
  const T = timeline.length;
  let oi = 0;
  let xi = 0;
  const exits: number[] = [];
  for (let j = 0; j < T; ) {
    if (open.size === 0) {
      // Flat until the next entry: the equity is the cash (pushed in bulk, as the single-series curve does).
      const next = oi < P ? placed[oi]!.entryStep : T;
      if (next > j) {
        acc.pushConst(timeline, Math.max(j, w0), Math.min(next, w1), cash);
        j = next;
        continue;
      }
    }
    exits.length = 0;
    while (xi < P && placed[byExit[xi]!]!.exitStep === j) exits.push(byExit[xi++]!);
    for (const k of exits) if (placed[k]!.entryStep < j) book(k);
    if (oi < P && placed[oi]!.entryStep === j) {
      // One equity snapshot sizes every entry of the step (entries of one step are sized alike).
      let snapshot = cash;
      for (const o of open) snapshot += value(o);
      for (; oi < P && placed[oi]!.entryStep === j; oi++) {
        const target = sizing.kind === 'equal-weight' ? snapshot / maxPos : sizing.fraction * snapshot;
        capital[oi] = Math.max(0, Math.min(cash, target));
        cash -= capital[oi]!;
        open.add(oi);
        lastMark[placed[oi]!.leg] = NaN;
      }
    }
    for (const k of exits) if (placed[k]!.entryStep === j) book(k);
    let equity = cash;
    for (const o of open) {
      const l = placed[o]!.leg;
      const i = closes[l]!.at[j]!;
      if (i >= 0) lastMark[l] = closes[l]!.close[i]!;
      equity += value(o);
    }
    if (j >= w0 && j < w1) {
      if (open.size > 0 || exits.length > 0) heldSteps++;
      acc.push(timeline[j]!, open.size === 0 ? cash : equity);
    }
    j++;
  }
  const { stats, curve } = acc.finish();
  const bars = Math.max(0, w1 - w0);
  const years = bars / perYear;
  let barsHeld = 0;
  let holdMs = 0;
  for (const p of placed) {
    barsHeld += p.trade.bars;
    holdMs += p.trade.exitTime - p.trade.entryTime;
  }
  return {
    metrics: {
      ...tradeStats(returns),
      ...stats,
      exposure: bars > 0 ? heldSteps / bars : 0,
      meanHoldingMs: placed.length > 0 ? holdMs / placed.length : null,
      meanBarsHeld: placed.length > 0 ? barsHeld / placed.length : null,
      turnover: traded / config.initialEquity,
      turnoverPerYear: years > 0 ? traded / config.initialEquity / years : 0,
    },
    curve,
    pnl,
  };
}
