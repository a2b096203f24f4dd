/**
 * The Sentinel's reference series for a single-series run (shared/execution/sentinel.ts): which series a run needs
 * as its `reference` input (the rule's symbol — BTC/USDT by default — on the run's venue and timeframe, and only
 * when `risk.sentinel` is on and the run trades another symbol), loading it from the stored candles over the run's
 * window (`loadSeriesCandles`: a timeframe not ingested itself is derived from its base, as for the run's own
 * series), and — for the live alert stage and the paper stage, which step candles as they close — how many of the
 * candles about to be stepped the stored reference already covers. One place for the live loop, the paper
 * account, its daily replay, the stored backtest run, sweeps (one reference for all of a chunk's combos) and
 * walk-forwards.
 *
 * Coverage (no lookahead, no silent blind spot): the decision on the candle opened at t reads the reference
 * candles that closed in (t, t + tf]. A decision is ready once such a candle is stored, or once the reference
 * holds a candle closing `graceCandles` candles later (a hole that old is a venue gap: the probe simply does not
 * fire there, exactly as a backtest of the stored candles does). Candles are stepped in order, so the ready ones
 * are a prefix; the rest wait for a later cycle.
 */
import { parseBacktestConfig, withStrategyRisk, type RiskConfig } from '../backtest/config';
import { toSeries, type Candle, type CandleSeries, type SeriesKey } from '../candles/candle';
import { TIMEFRAME_MS } from '../candles/timeframe';
import type { Database } from '../db/database';
import { loadSeriesCandles } from '../db/queries/candles';
import { RunInputError } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { SentinelReferenceError } from '../execution/sentinel';
import { candleHash, type LoadedWindow } from './window';

/** The series a run of `key` under `risk` needs as its Sentinel reference, or null when it needs none. */
export function sentinelReferenceKey(risk: Pick<RiskConfig, 'sentinel'>, key: SeriesKey): SeriesKey | null {
  const rule = risk.sentinel;
  if (rule === undefined || rule.symbol === key.symbol) return null;
  return { venue: key.venue, symbol: rule.symbol, timeframe: key.timeframe };
}

export interface LoadedReference {
  key: SeriesKey;
  candles: Candle[];
  series: CandleSeries;
}

/**
 * The stored reference candles with open time in [from, to) for a run of `key` under `risk`, or null when the run
 * needs no reference. An empty window is returned as such (the caller decides whether that is a wait or a refusal).
 */
export async function loadSentinelReference(db: Database, risk: Pick<RiskConfig, 'sentinel'>, key: SeriesKey, from: number, to: number): Promise<LoadedReference | null> {
  const ref = sentinelReferenceKey(risk, key);
  if (ref === null) return null;
  const candles = await loadSeriesCandles(db, ref, from, to);
  return { key: ref, candles, series: toSeries(candles, ref.timeframe, ref.symbol) };
}

/**
 * The reference a stored run over `win` needs (its whole span: warm-up through the window's end), or null; a run
 * whose reference has no stored candle there is refused with the reason (RunInputError: the run ends `failed`).
 */
export async function loadWindowReference(db: Database, risk: Pick<RiskConfig, 'sentinel'>, win: Pick<LoadedWindow, 'key' | 'candles' | 'from' | 'to'>): Promise<LoadedReference | null> {
  const from = win.candles.length > 0 ? Math.min(win.candles[0]!.openTime, win.from) : win.from;
  const ref = await loadSentinelReference(db, risk, win.key, from, win.to);
  if (ref !== null && ref.candles.length === 0) {
    throw new RunInputError(
      `risk.sentinel watches ${ref.key.symbol}: no stored ${seriesName(ref.key)} candles in [${new Date(from).toISOString()}, ${new Date(win.to).toISOString()}) for the reference (import them first)`,
    );
  }
  return ref;
}

/** The risk rules a run of `strategy` with `params` applies: its declared rules on the defaults (as every run does). */
export function declaredRisk(strategy: Strategy<Params, unknown>, params: Params): RiskConfig {
  return parseBacktestConfig(withStrategyRisk(strategy, params, {})).risk;
}

/** Per combo list (a sweep plan's) and symbol: the first combo's risk that watches another symbol, or null. */
const comboRiskMemo = new WeakMap<readonly Params[], Map<string, RiskConfig | null>>();

function comboReferenceRisk(strategy: Strategy<Params, unknown>, combos: readonly Params[], key: SeriesKey): RiskConfig | null {
  let bySymbol = comboRiskMemo.get(combos);
  if (!bySymbol) comboRiskMemo.set(combos, (bySymbol = new Map()));
  const memo = bySymbol.get(key.symbol);
  if (memo !== undefined) return memo;
  let risk: RiskConfig | null = null;
  const watched = new Set<string>();
  for (const p of combos) {
    const r = declaredRisk(strategy, p);
    const ref = sentinelReferenceKey(r, key);
    if (ref === null) continue;
    watched.add(ref.symbol);
    risk ??= r;
  }
  if (watched.size > 1) throw new RunInputError(`the combos' risk.sentinel watch different series (${[...watched].sort().join(', ')}): one reference per sweep, sweep them separately`);
  bySymbol.set(key.symbol, risk);
  return risk;
}

/**
 * The reference the combos of a sweep (or a walk-forward: its in-sample family and its out-of-sample runs) over
 * `win` need: the Sentinel's series when any combo's declared risk watches another symbol (`combos`: every combo
 * the sweep may run — a TPE sweep's whole grid), loaded once for all of them over the window's whole span; null
 * when none does or in slices mode (no risk rules). A reference with no stored candle there is refused with the
 * reason (RunInputError: the sweep ends `failed`, no retry).
 */
export async function loadSweepReference(
  db: Database,
  strategy: Strategy<Params, unknown>,
  combos: readonly Params[],
  mode: 'portfolio' | 'slices',
  win: Pick<LoadedWindow, 'key' | 'candles' | 'from' | 'to'>,
): Promise<LoadedReference | null> {
  if (mode === 'slices' || !strategy.risk) return null;
  const risk = comboReferenceRisk(strategy, combos, win.key);
  return risk === null ? null : loadWindowReference(db, risk, win);
}

/**
 * A run refusing its Sentinel input (no reference, or one of another symbol: `SentinelReferenceError`) as the
 * RunInputError it is — bad input, so the job ends `failed` with the reason instead of being retried; else null.
 */
export function sentinelInputError(err: unknown): RunInputError | null {
  return err instanceof SentinelReferenceError ? new RunInputError(err.message) : null;
}

/** `compute()`, with a Sentinel input refusal thrown as a RunInputError (`sentinelInputError`). */
export function asRunInput<T>(compute: () => T): T {
  try {
    return compute();
  } catch (err) {
    throw sentinelInputError(err) ?? err;
  }
}

/** What a run's provenance records of the reference it was given. */
export function referenceProvenance(ref: LoadedReference): { series: string; candleCount: number; dataHash: string } {
  return { series: `${ref.key.venue}:${ref.key.symbol}:${ref.key.timeframe}`, candleCount: ref.candles.length, dataHash: candleHash(ref.candles) };
}

/**
 * For a stage stepping `candles` (ascending, of `key`) as they close, up to open time `until` (exclusive): the
 * reference those decisions need (absent when none is needed), the candles it covers (a prefix of `candles`) and,
 * when some must wait, why. The live alert stage and the paper account call this before stepping the kernel.
 */
export async function referenceForStep<C extends { openTime: number }>(
  db: Database,
  risk: Pick<RiskConfig, 'sentinel'>,
  key: SeriesKey,
  candles: readonly C[],
  until: number,
  graceCandles: number,
): Promise<{ candles: C[]; reference?: CandleSeries; waiting: string | null }> {
  if (candles.length === 0) return { candles: [], waiting: null };
  const ref = await loadSentinelReference(db, risk, key, candles[0]!.openTime, until);
  if (ref === null) return { candles: [...candles], waiting: null };
  const cov = referenceCoverage(ref, TIMEFRAME_MS[key.timeframe], candles.map((c) => c.openTime), graceCandles);
  return { candles: candles.slice(0, cov.ready), reference: ref.series, waiting: cov.reason };
}

/** Human name of a series, for reasons: `binance BTC/USDT 5m`. */
export function seriesName(k: SeriesKey): string {
  return `${k.venue} ${k.symbol} ${k.timeframe}`;
}

/**
 * How many of `decisionTimes` (ascending open times of candles of `key`'s timeframe, about to be stepped) the
 * reference covers, as a prefix; and when not all, the reason naming the first decision that waits.
 */
export function referenceCoverage(
  ref: Pick<LoadedReference, 'key' | 'candles'>,
  tfMs: number,
  decisionTimes: readonly number[],
  graceCandles: number,
): { ready: number; reason: string | null } {
  const refTf = TIMEFRAME_MS[ref.key.timeframe];
  const closes = ref.candles.map((c) => c.openTime + refTf);
  const newest = closes.length > 0 ? closes[closes.length - 1]! : -Infinity;
  let j = 0;
  for (let k = 0; k < decisionTimes.length; k++) {
    const t = decisionTimes[k]!;
    const end = t + tfMs;
    while (j < closes.length && closes[j]! <= t) j++;
    const seen = j < closes.length && closes[j]! <= end;
    if (seen || newest >= end + graceCandles * tfMs) continue;
    const stored = closes.length > 0 ? `its newest stored candle closed ${new Date(newest).toISOString()}` : 'no candle of it is stored for the window';
    return {
      ready: k,
      reason:
        `sentinel reference ${seriesName(ref.key)} not ready: the decision on the ${new Date(t).toISOString()} candle needs a reference candle closed by ` +
        `${new Date(end).toISOString()} and ${stored}; ${decisionTimes.length - k} candle(s) wait for a later cycle`,
    };
  }
  return { ready: decisionTimes.length, reason: null };
}
