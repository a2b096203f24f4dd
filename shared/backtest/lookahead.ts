/**
 * Lookahead guards as code, for any single-series Strategy:
 *
 * (a) `checkTruncation`: `prepare` on a prefix [0, c] must give, at c, the same signal as `prepare` on the full
 *     series gives at c. A strategy reading any candle after c (e.g. close[i+1]) fails. Every prefix is checked
 *     for small series; otherwise a deterministic sample of cut points that always includes the candles where the
 *     full run signals something (up to half the budget), since that is where peeking shows.
 * (b) `checkWarmup`: `prepare` over only [c − startupCandles, c] must give the same action at c as `prepare` over
 *     the full history: a strategy needing more history than it declares fails. Numeric fields compare with a
 *     relative tolerance (recursive indicators converge, they do not match bit for bit); reasons are not compared.
 *
 * Both return a report with the mismatches (capped) instead of throwing; `assertNoLookahead` throws.
 */
import { sliceSeries, type CandleSeries } from '../candles/candle';
import type { Params, Signal, Strategy } from '../strategies/types';
import { mulberry32 } from './prng';

export interface LookaheadMismatch {
  index: number;
  openTime: number;
  full: Signal;
  other: Signal;
}

export interface LookaheadReport {
  check: 'truncation' | 'warmup';
  ok: boolean;
  /** Indices compared. */
  checked: number;
  mismatchCount: number;
  /** The first mismatches (at most 20). */
  mismatches: LookaheadMismatch[];
}

export interface LookaheadOptions {
  /** Check every cut point when the series has at most this many candles. Default 400. */
  exhaustiveUpTo?: number;
  /** Cut points sampled otherwise. Default 200. */
  samples?: number;
  seed?: number;
  /** First index to check (default: startupCandles). */
  fromIndex?: number;
  /** Relative tolerance for numeric fields. Default 0 for truncation, 1e-6 for warm-up. */
  tolerance?: number;
}

function numEq(a: number | undefined, b: number | undefined, tol: number): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));
}

export function sameSignal(a: Signal, b: Signal, tol = 0, compareReason = true): boolean {
  return (
    a.action === b.action &&
    (!compareReason || a.reason === b.reason) &&
    numEq(a.stopLoss, b.stopLoss, tol) &&
    numEq(a.takeProfit, b.takeProfit, tol) &&
    numEq(a.trailingStop, b.trailingStop, tol) &&
    numEq(a.limitPrice, b.limitPrice, tol)
  );
}

/** Cut points to check: all of [lo, hi) when small, else signal candles (≤ half) plus a seeded uniform sample. */
function cutPoints(lo: number, hi: number, fullSignals: (i: number) => Signal, o: LookaheadOptions): number[] {
  const span = hi - lo;
  if (span <= 0) return [];
  if (span <= (o.exhaustiveUpTo ?? 400)) return Array.from({ length: span }, (_, k) => lo + k);
  const budget = o.samples ?? 200;
  const signalIdx: number[] = [];
  for (let i = lo; i < hi; i++) if (fullSignals(i).action !== 'HOLD') signalIdx.push(i);
  const picked = new Set<number>();
  const half = Math.floor(budget / 2);
  const stride = Math.max(1, signalIdx.length / half);
  for (let k = 0; k < signalIdx.length && picked.size < half; k += stride) picked.add(signalIdx[Math.floor(k)]!);
  const rng = mulberry32(o.seed ?? 12345);
  picked.add(hi - 1);
  let guard = 0;
  while (picked.size < Math.min(budget, span) && guard++ < budget * 20) picked.add(rng.int(lo, hi));
  return [...picked].sort((a, b) => a - b);
}

function report(check: LookaheadReport['check'], checked: number, mismatches: LookaheadMismatch[]): LookaheadReport {
  return { check, ok: mismatches.length === 0, checked, mismatchCount: mismatches.length, mismatches: mismatches.slice(0, 20) };
}

export function checkTruncation<P extends Params, S>(
  strategy: Strategy<P, S>,
  series: CandleSeries,
  params: P,
  opts: LookaheadOptions = {},
): LookaheadReport {
  const full = strategy.prepare(series, params);
  const fullSig = (i: number): Signal => strategy.evaluate(full, i, params);
  const lo = Math.max(0, opts.fromIndex ?? strategy.startupCandles(params));
  const cuts = cutPoints(lo, series.length, fullSig, opts);
  const tol = opts.tolerance ?? 0;
  const mismatches: LookaheadMismatch[] = [];
  for (const c of cuts) {
    const prefix = strategy.prepare(sliceSeries(series, 0, c + 1), params);
    const other = strategy.evaluate(prefix, c, params);
    const f = fullSig(c);
    if (!sameSignal(f, other, tol, true)) mismatches.push({ index: c, openTime: series.openTime[c]!, full: f, other });
  }
  return report('truncation', cuts.length, mismatches);
}

export function checkWarmup<P extends Params, S>(
  strategy: Strategy<P, S>,
  series: CandleSeries,
  params: P,
  opts: LookaheadOptions = {},
): LookaheadReport {
  const startup = strategy.startupCandles(params);
  const full = strategy.prepare(series, params);
  const fullSig = (i: number): Signal => strategy.evaluate(full, i, params);
  // Only candles with more history than the declared startup say anything.
  const lo = Math.max(startup + 1, opts.fromIndex ?? 0);
  const cuts = cutPoints(lo, series.length, fullSig, opts);
  const tol = opts.tolerance ?? 1e-6;
  const mismatches: LookaheadMismatch[] = [];
  for (const c of cuts) {
    const start = c - startup;
    const p = strategy.prepare(sliceSeries(series, start, c + 1), params);
    const other = strategy.evaluate(p, c - start, params);
    const f = fullSig(c);
    if (!sameSignal(f, other, tol, false)) mismatches.push({ index: c, openTime: series.openTime[c]!, full: f, other });
  }
  return report('warmup', cuts.length, mismatches);
}

export function checkLookahead<P extends Params, S>(
  strategy: Strategy<P, S>,
  series: CandleSeries,
  params: P,
  opts: LookaheadOptions = {},
): { ok: boolean; truncation: LookaheadReport; warmup: LookaheadReport } {
  const truncation = checkTruncation(strategy, series, params, opts);
  const warmup = checkWarmup(strategy, series, params, opts);
  return { ok: truncation.ok && warmup.ok, truncation, warmup };
}

export function assertNoLookahead<P extends Params, S>(strategy: Strategy<P, S>, series: CandleSeries, params: P, opts: LookaheadOptions = {}): void {
  const r = checkLookahead(strategy, series, params, opts);
  if (!r.ok) {
    const first = r.truncation.mismatches[0] ?? r.warmup.mismatches[0]!;
    throw new Error(
      `${strategy.id}: lookahead check failed (truncation ${r.truncation.mismatchCount}/${r.truncation.checked}, warm-up ${r.warmup.mismatchCount}/${r.warmup.checked}); first at index ${first.index}: full ${first.full.action} vs ${first.other.action}`,
    );
  }
}
