/**
 * Applying a cost model to fills and trades: the fee row in force at a fill's time, the per-side cost in bps
 * (fee + half-spread + slippage for taker fills, fee only for maker fills), the round-trip cost of a trade, and
 * the net return of a trade from its gross return.
 *
 * Net return convention: a cash account (research-log/methodology.md, "Fee convention"). The capital C committed
 * to a trade pays the entry fee out of itself, so the position's notional is N = C / (1 + f_entry); the exit fee
 * is charged on the exit notional N × r (r = exit / entry, both fills already spread/slippage-adjusted). The net
 * return on the committed capital is then
 *   net = (gross − f_entry − f_exit × r) / (1 + f_entry)
 * which for a long is r · (1 − f_exit) / (1 + f_entry) − 1, and for a short (proceeds N, buy back N × r plus fee)
 * (2 − r · (1 + f_exit)) / (1 + f_entry) − 1. f = side cost in bps / 1e4. (Until engine 1.1.0 the net was the
 * numerator alone, r(1 − f_exit) − f_entry − 1 for a long: slightly generous on every trade.)
 */
import { COST_PRESETS, isCostPresetId, type CostPresetId } from './presets';
import type { CostModel, FeeSchedule, FeeScheduleEntry } from './schema';

export type FillLiquidity = 'maker' | 'taker';

export interface FillCostInput {
  /** Fill time, ms UTC. */
  time: number;
  liquidity: FillLiquidity;
  /** ATR / price at the last closed candle before the fill (a fraction), for volatility-scaled slippage. */
  atrPct?: number | null;
}

export interface SideCost {
  feeBps: number;
  halfSpreadBps: number;
  slippageBps: number;
  totalBps: number;
}

export interface TradeCostInput {
  entryTime: number;
  exitTime: number;
  entryLiquidity: FillLiquidity;
  exitLiquidity: FillLiquidity;
  entryAtrPct?: number | null;
  exitAtrPct?: number | null;
}

function dateMs(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

const startsCache = new WeakMap<FeeSchedule, number[]>();

/** The rows' effectiveFrom as ms UTC, in row order (cached per schedule). */
export function feeRowStarts(schedule: FeeSchedule): readonly number[] {
  let starts = startsCache.get(schedule);
  if (!starts) {
    starts = schedule.entries.map((e) => dateMs(e.effectiveFrom));
    startsCache.set(schedule, starts);
  }
  return starts;
}

/** Index of the row in force at `time` among a schedule's `feeRowStarts` (the last with start <= time; else 0). */
export function feeRowIndex(starts: readonly number[], time: number): number {
  let k = 0;
  for (let j = 1; j < starts.length && starts[j]! <= time; j++) k = j;
  return k;
}

/** The schedule row in force at `time` (the last row with effectiveFrom <= time; the first row before that). */
export function feeEntryAt(schedule: FeeSchedule, time: number): FeeScheduleEntry {
  return schedule.entries[feeRowIndex(feeRowStarts(schedule), time)]!;
}

export function resolveCostModel(m: CostModel | CostPresetId): CostModel {
  if (typeof m === 'string') {
    if (!isCostPresetId(m)) throw new Error(`unknown cost preset ${m}`);
    return COST_PRESETS[m];
  }
  return m;
}

export function slippageBps(model: CostModel, atrPct: number | null | undefined): number {
  const s = model.slippage;
  if (s.kind === 'fixed') return s.bps;
  const raw = atrPct != null && Number.isFinite(atrPct) ? s.k * atrPct * 1e4 : 0;
  const lo = Math.max(s.minBps, raw);
  return s.maxBps !== undefined ? Math.min(s.maxBps, lo) : lo;
}

/** Cost of one fill in bps of its notional. */
export function sideCostBps(modelOrId: CostModel | CostPresetId, fill: FillCostInput): SideCost {
  const model = resolveCostModel(modelOrId);
  const liq = model.liquidity === 'as-filled' ? fill.liquidity : model.liquidity;
  const row = feeEntryAt(model.schedule, fill.time);
  if (liq === 'maker') return { feeBps: row.makerBps, halfSpreadBps: 0, slippageBps: 0, totalBps: row.makerBps };
  const slip = slippageBps(model, fill.atrPct);
  const feeBps = row.takerBps;
  return { feeBps, halfSpreadBps: model.halfSpreadBps, slippageBps: slip, totalBps: feeBps + model.halfSpreadBps + slip };
}

/** Entry and exit side costs of a trade, bps. */
export function tradeSideCostsBps(modelOrId: CostModel | CostPresetId, t: TradeCostInput): { entryBps: number; exitBps: number } {
  const entry = sideCostBps(modelOrId, { time: t.entryTime, liquidity: t.entryLiquidity, atrPct: t.entryAtrPct });
  const exit = sideCostBps(modelOrId, { time: t.exitTime, liquidity: t.exitLiquidity, atrPct: t.exitAtrPct });
  return { entryBps: entry.totalBps, exitBps: exit.totalBps };
}

/** Round-trip cost of a trade in bps (entry side + exit side) under a preset or model. */
export function roundTripBps(modelOrId: CostModel | CostPresetId, t: TradeCostInput): number {
  const { entryBps, exitBps } = tradeSideCostsBps(modelOrId, t);
  return entryBps + exitBps;
}

/** Net return on the committed capital from side costs as fractions (see module doc: the cash-account convention). */
export function netReturnOfCosts(grossReturn: number, entryCost: number, exitCost: number, exitOverEntry: number): number {
  return (grossReturn - entryCost - exitCost * exitOverEntry) / (1 + entryCost);
}

/** Net return of a trade on its committed capital from side costs in bps (see module doc). */
export function netReturn(grossReturn: number, entryBps: number, exitBps: number, exitOverEntry: number): number {
  return netReturnOfCosts(grossReturn, entryBps / 1e4, exitBps / 1e4, exitOverEntry);
}

/** The notional a committed capital buys (or sells short) once the entry fee is paid out of it: C / (1 + f_entry). */
export function notionalOfCapital(capital: number, entryCost: number): number {
  return capital / (1 + entryCost);
}

/**
 * Mark-to-market value of an open position relative to the equity before its entry: capital C committed, entry
 * fee paid, exit fee not yet charged: −N·f_entry + side × N × (mark / entry − 1) with N = C / (1 + f_entry).
 */
export function openPositionPnl(capital: number, entryCost: number, dir: 1 | -1, markOverEntry: number): number {
  const n = notionalOfCapital(capital, entryCost);
  return -n * entryCost + dir * n * (markOverEntry - 1);
}

/**
 * The two per-position terms of `openPositionPnl`, for marking one position at many candles: with them,
 * openPositionPnl(capital, entryCost, dir, m) = fee + dirNotional × (m − 1), the same operations in the same order
 * (fee = −N·f_entry, dirNotional = side × N), so the same value bit for bit.
 */
export function openPositionTerms(capital: number, entryCost: number, dir: 1 | -1): { fee: number; dirNotional: number } {
  const n = notionalOfCapital(capital, entryCost);
  return { fee: -n * entryCost, dirNotional: dir * n };
}

/**
 * Break-even round-trip cost in bps for a set of trades: the cost c (split evenly between the two sides) at which
 * the mean net return per trade is 0, i.e. c = 2·mean(gross) / (1 + mean(exit/entry)) × 1e4 (the cash-account
 * denominator 1 + c/2 is common to every trade, so it does not move the zero). Null without trades;
 * negative when the trades lose before costs.
 */
export function breakEvenRoundTripBps(gross: ArrayLike<number>, exitOverEntry: ArrayLike<number>): number | null {
  const n = gross.length;
  if (n === 0) return null;
  let g = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    g += gross[i]!;
    r += exitOverEntry[i]!;
  }
  return ((2 * (g / n)) / (1 + r / n)) * 1e4;
}
