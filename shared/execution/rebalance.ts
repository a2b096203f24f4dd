/**
 * The execution arithmetic of a rebalanced portfolio (ranking mode, shared/backtest/ranking.ts): a holding's
 * return over a period (a round trip at raw prices, the kernel's `grossReturnOf`), its weight drifted to the
 * period's end, and the period's net return once the rebalance turnover is charged at the cost model's side cost.
 * Kept here with the kernel so fill and cost arithmetic lives in one module; the side costs themselves come from
 * shared/costs (`sideCostBps`).
 */
import { grossReturnOf } from './kernel';

/** A long holding's return from its entry fill to its exit price (raw prices). */
export function holdingReturn(entryPrice: number, exitPrice: number): number {
  return grossReturnOf(1, entryPrice, exitPrice);
}

/** A holding's weight at the period's end: it grew by its own return, the portfolio by `grossReturn`. */
export function driftedWeight(weight: number, ret: number, grossReturn: number): number {
  return (weight * (1 + ret)) / (1 + grossReturn);
}

/**
 * Net period return: gross minus the entry turnover (fraction of equity) at the entry side cost and the exit
 * turnover (the final liquidation) at the exit side cost, both in bps.
 */
export function rebalanceNetReturn(grossReturn: number, turnover: number, entrySideBps: number, exitTurnover: number, exitSideBps: number): number {
  return grossReturn - (turnover * entrySideBps + exitTurnover * exitSideBps) / 1e4;
}
