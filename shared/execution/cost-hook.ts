/**
 * The kernel's cost hook: how a cost model that depends on the fill (its time, the market around it, the order
 * size) prices the fills the kernel made. A `CostHook` answers for one fill — the entry or the exit of a closed
 * trade — with its cost in bps of the fill's notional, split into fee, half-spread and impact, and where each
 * component came from; `costTrade` asks it for both fills of a trade and turns the trade's gross return into its
 * net return with the one net-return convention (shared/costs `netReturn`, the cash account). The kernel itself
 * stays at raw prices, so one kernel run serves every cost view (the fee-only presets price trades with
 * shared/costs `tradeSideCostsBps`; the measured model, shared/costs/measured.ts, is a CostHook).
 */
import type { Liquidity, RawTrade } from '../backtest/types';
import { netReturn } from '../costs/cost-model';

/** One fill of a closed trade, as a cost hook sees it. */
export interface FillCostQuery {
  effect: 'open' | 'close';
  /** Fill time, ms UTC: the fill candle's open time (end-of-data: the last candle's close time). */
  time: number;
  side: 'buy' | 'sell';
  /** The kernel's liquidity flag for the fill (a hook may price every fill as taker). */
  liquidity: Liquidity;
  price: number;
  atrPct: number | null;
}

/** Cost of one fill in bps of its notional, by component, and the source of each component. */
export interface FillCost {
  feeBps: number;
  halfSpreadBps: number;
  impactBps: number;
  totalBps: number;
  /** Where each component came from (e.g. `fee: "binance VIP0 2025-01-01"`, `spread: "edge"`); one entry per leg. */
  sources: { fee: string; spread: string; impact: string }[];
}

export type CostHook = (fill: FillCostQuery) => FillCost;

export interface TradeCost {
  entry: FillCost;
  exit: FillCost;
  roundTripBps: number;
  /** Net return on the committed capital (cash-account convention, shared/costs/cost-model.ts). */
  net: number;
}

/** The entry and exit fills of a closed trade as cost queries. */
export function tradeFills(t: RawTrade): [FillCostQuery, FillCostQuery] {
  const long = t.side === 'long';
  return [
    { effect: 'open', time: t.entryTime, side: long ? 'buy' : 'sell', liquidity: t.entryLiquidity, price: t.entryPrice, atrPct: t.entryAtrPct },
    { effect: 'close', time: t.exitTime, side: long ? 'sell' : 'buy', liquidity: t.exitLiquidity, price: t.exitPrice, atrPct: t.exitAtrPct },
  ];
}

/** Price one closed trade through a cost hook: both fills costed, net by the cash-account convention. */
export function costTrade(t: RawTrade, hook: CostHook): TradeCost {
  const [e, x] = tradeFills(t);
  const entry = hook(e);
  const exit = hook(x);
  return { entry, exit, roundTripBps: entry.totalBps + exit.totalBps, net: netReturn(t.grossReturn, entry.totalBps, exit.totalBps, t.exitPrice / t.entryPrice) };
}
