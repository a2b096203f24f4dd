/**
 * The lookahead audit as part of every research run (issue 13): a backtest, a sweep's best combo and every combo
 * a walk-forward chose are audited on the exact candles they were computed on (warm-up included, comparisons from
 * the window's first candle), with a CPU budget fit for a queue message. The report goes into the run's
 * provenance; its evidence feeds the `noLookahead` gate (a failure rejects the run).
 */
import { toSeries } from '../candles/candle';
import { auditLookahead, lookaheadEvidence, type LookaheadAudit, type LookaheadAuditOptions } from '../backtest/lookahead-audit';
import type { LookaheadEvidence } from '../research/verdict';
import type { Params, Strategy } from '../strategies/types';
import type { LoadedWindow } from './window';

/**
 * The budget every run uses: cuts capped at 4,000 (decision points and the 16-candle stride first), 64 random cuts,
 * 100 recursive samples. Measured on the bundled strategies (real data): 0.2–5 s for 11k–20k candles.
 */
export const RUN_AUDIT_OPTIONS: LookaheadAuditOptions = Object.freeze({ stride: 16, maxCuts: 4000, randomCuts: 64, recursiveSamples: 100, seed: 20240601 });

export function auditRunWindow(strategy: Strategy<Params, unknown>, params: Params, win: LoadedWindow): LookaheadAudit {
  const series = toSeries(win.candles, win.key.timeframe, win.key.symbol);
  let first = 0;
  while (first < series.length && series.openTime[first]! < win.from) first++;
  return auditLookahead(strategy, series, params, { ...RUN_AUDIT_OPTIONS, fromIndex: Math.max(first, strategy.startupCandles(params)) });
}

/** One piece of gate evidence for several audits (a walk-forward's chosen combos): ok only if all are. */
export function combinedEvidence(audits: readonly LookaheadAudit[]): LookaheadEvidence | undefined {
  if (audits.length === 0) return undefined;
  const ev = audits.map(lookaheadEvidence);
  if (ev.length === 1) return ev[0]!;
  const bad = ev.filter((e) => !e.ok);
  return {
    ok: bad.length === 0,
    mismatches: ev.reduce((s, e) => s + e.mismatches, 0),
    detail: bad.length === 0 ? `lookahead audit passed for all ${ev.length} chosen combos` : `${bad.length}/${ev.length} chosen combos failed: ${bad[0]!.detail}`,
  };
}
