/**
 * Nexus Sentinel, the black-swan overlay: a risk rule any strategy can enable (`risk.sentinel`, declared and
 * swept like the other risk rules) that exits every long when the reference series — BTC/USDT by default — falls
 * more than `dropPct` inside one candle (close below open by more than that fraction). It is cross-series: the
 * portfolio pass reads the reference from its own universe when the symbol is in it; a single-series run of any
 * other symbol is handed the reference series as an input (`runBacktest(…, { reference })`, `stepSeries` option
 * `reference`), loaded by the caller for the same venue and timeframe over the same window.
 *
 * No lookahead: the decision on a candle with open time t (closed at t + tf) sees only reference candles that
 * CLOSED in (t, t + tf] — at or before the decision time, and each seen by exactly one decision. A reference
 * candle missing there simply does not fire. The rule is a pure function of the candle's time, so chunked runs
 * equal whole runs. What firing does (exit every long at the next open, cancel long orders and lot bids, refuse new
 * longs) is the kernel's `decide`.
 */
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';

export interface SentinelRule {
  dropPct: number;
  symbol: string;
}

/** Why the overlay fires on the decision candle with this open time, or null. */
export type SentinelProbe = (decisionOpenTime: number) => string | null;

/** A run enabled the Sentinel but was given no (or the wrong) reference series. */
export class SentinelReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SentinelReferenceError';
  }
}

/** Every reason the overlay gives starts with this (a fill it caused carries it: `Fill.reason`). */
export const SENTINEL_REASON_PREFIX = 'sentinel: ';

/** True when a fill's or order's reason is the Sentinel's (the exit it ordered, not the strategy's signal). */
export function isSentinelReason(reason: string | undefined): boolean {
  return reason !== undefined && reason.startsWith(SENTINEL_REASON_PREFIX) && reason.includes(' fell ');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/**
 * The probe for decisions on candles of `timeframeMsOfRun` duration, reading `reference` (its own timeframe may
 * differ, e.g. a 5m BTC/USDT reference for a 1h run: every reference candle that closed inside the decision
 * candle is checked). Lookups are a binary search on the reference's close times.
 */
export function sentinelProbe(reference: CandleSeries, rule: SentinelRule, timeframeMsOfRun: number): SentinelProbe {
  if (reference.symbol !== rule.symbol) throw new SentinelReferenceError(`sentinel: the reference series is ${reference.symbol}, the rule watches ${rule.symbol}`);
  const refTf = timeframeMs(reference.timeframe);
  const { openTime, open, close } = reference;
  const n = reference.length;
  // First reference index whose close time (open + refTf) is > t.
  const firstClosedAfter = (t: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (openTime[mid]! + refTf <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (t) => {
    const end = t + timeframeMsOfRun;
    for (let j = firstClosedAfter(t); j < n && openTime[j]! + refTf <= end; j++) {
      const fall = 1 - close[j]! / open[j]!;
      if (fall > rule.dropPct) {
        return (
          `${SENTINEL_REASON_PREFIX}${rule.symbol} fell ${pct(fall)} in the candle opened ${new Date(openTime[j]!).toISOString()} ` +
          `(open ${open[j]!} → close ${close[j]!}), more than ${pct(rule.dropPct)}: exit every long`
        );
      }
    }
    return null;
  };
}

/**
 * The probe a run of `series` uses under `rule`: the series itself when it is the watched symbol, else the
 * `reference` input (refused with a clear reason when absent or of another symbol).
 */
export function sentinelFor(series: CandleSeries, rule: SentinelRule | undefined, reference: CandleSeries | undefined): SentinelProbe | undefined {
  if (rule === undefined) return undefined;
  const tf = timeframeMs(series.timeframe);
  if (series.symbol === rule.symbol) return sentinelProbe(series, rule, tf);
  if (reference === undefined) {
    throw new SentinelReferenceError(`sentinel: a run of ${series.symbol} needs the ${rule.symbol} series as its reference input (risk.sentinel watches ${rule.symbol})`);
  }
  return sentinelProbe(reference, rule, tf);
}
