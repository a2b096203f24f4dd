/**
 * Chunked backtests: split the trading window into time chunks, run each with `runChunk` (its warm-up candles
 * before it, entries only inside its window, an open position allowed to run past the window end until it
 * closes), then merge deterministically so that the merged result equals the whole run.
 *
 * Chunks are independent given their carry-in state (busy-until from a position or order still open from the
 * previous chunk, cooldown and circuit-breaker pause ends, the consecutive-loss count). They can run in parallel
 * speculatively from the initial carry; `mergeChunks` checks each chunk's carry-in against the previous chunk's
 * carry-out (times before the chunk start normalised away) and names the first chunk that must be re-run with the
 * correct carry. `runChunked` does exactly that, re-running in order, and prepares every chunk's strategy from the
 * whole run's first warm-up candle, so its result is byte-identical to `runBacktest` for every causal strategy
 * (tested for every bundled strategy at two chunk sizes). A chunk prepared from its own warm-up only (the
 * `runChunk` default, for a job that loads just its window) agrees with the whole run within the warm-up
 * tolerance of the strategy's seeded indicators, not bit for bit.
 */
import type { CandleSeries } from '../candles/candle';
import { timeframeMs } from '../candles/timeframe';
import type { Params, Strategy } from '../strategies/types';
import { parseBacktestConfig, withStrategyRisk, type BacktestConfig, type BacktestConfigInput } from './config';
import { INITIAL_CARRY, emptySkips, resolveWindow, runChunk, wholeRunPrepareFrom } from './engine';
import { buildResult } from './result';
import type { BacktestResult, ChunkCarry, ChunkResult, RawTrade, RiskSkipCounts } from './types';

export interface ChunkSpec {
  from: number;
  to: number;
}

/** Consecutive time windows of `chunkCandles` candles each covering [window.from, window.to). */
export function planChunks(series: CandleSeries, window: { from: number; to: number }, chunkCandles: number): ChunkSpec[] {
  if (!(chunkCandles >= 1)) throw new Error('chunkCandles must be >= 1');
  const step = chunkCandles * timeframeMs(series.timeframe);
  const out: ChunkSpec[] = [];
  for (let f = window.from; f < window.to; f += step) out.push({ from: f, to: Math.min(window.to, f + step) });
  return out;
}

/** Carry as seen from a chunk starting at `start`: times at or before the start no longer block anything. */
export function normalizeCarry(c: ChunkCarry, start: number): ChunkCarry {
  return {
    busyUntil: c.busyUntil > start ? c.busyUntil : 0,
    cooldownUntil: c.cooldownUntil > start ? c.cooldownUntil : 0,
    pausedUntil: c.pausedUntil > start ? c.pausedUntil : 0,
    consecutiveLosses: c.consecutiveLosses,
  };
}

export function sameCarry(x: ChunkCarry, y: ChunkCarry): boolean {
  return x.busyUntil === y.busyUntil && x.cooldownUntil === y.cooldownUntil && x.pausedUntil === y.pausedUntil && x.consecutiveLosses === y.consecutiveLosses;
}

export type MergeOutcome =
  | { ok: true; trades: RawTrade[]; skipped: RiskSkipCounts }
  | { ok: false; /** Index of the first chunk to re-run. */ rerun: number; carryIn: ChunkCarry };

/** Check the carry chain of chunks in time order and concatenate their trades and skip counts. */
export function mergeChunks(chunks: readonly ChunkResult[]): MergeOutcome {
  const trades: RawTrade[] = [];
  const skipped = emptySkips();
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!;
    if (k > 0) {
      const prev = chunks[k - 1]!;
      if (prev.to !== c.from) throw new Error(`chunks not contiguous at ${k}: ${prev.to} != ${c.from}`);
      const expected = normalizeCarry(prev.carryOut, c.from);
      if (!sameCarry(expected, normalizeCarry(c.carryIn, c.from))) return { ok: false, rerun: k, carryIn: expected };
    }
    trades.push(...c.trades);
    for (const key of Object.keys(c.skipped) as (keyof RiskSkipCounts)[]) skipped[key] = (skipped[key] ?? 0) + c.skipped[key]!;
  }
  return { ok: true, trades, skipped };
}

/**
 * Split into chunks of `chunkCandles`, run them all from the initial carry (as parallel workers would), then
 * merge, re-running any chunk whose carry-in was wrong, and build the result.
 */
export function runChunked<P extends Params, S>(
  series: CandleSeries,
  strategy: Strategy<P, S>,
  params: P,
  configInput: BacktestConfigInput | BacktestConfig,
  opts: { chunkCandles: number; /** The Sentinel overlay's watched series (risk.sentinel) for a run of another symbol. */ reference?: CandleSeries },
): { result: BacktestResult; chunks: number; reruns: number } {
  const config = parseBacktestConfig(withStrategyRisk(strategy, params, configInput));
  const window = resolveWindow(series, strategy, params, config);
  const specs = planChunks(series, window, opts.chunkCandles);
  // Every chunk prepares the strategy from where the whole run does, so recursive indicators (EMA, Wilder RSI/ATR)
  // and running sums give bit-identical values, stop prices and reason strings in every chunk.
  const prepareFrom = wholeRunPrepareFrom(series, strategy, params, config, window);
  const chunkOpts = { prepareFrom, ...(opts.reference ? { reference: opts.reference } : {}) };
  const chunks = specs.map((w) => runChunk(series, strategy, params, config, w, INITIAL_CARRY, chunkOpts));
  let reruns = 0;
  for (;;) {
    const m = mergeChunks(chunks);
    if (m.ok) {
      const result = buildResult(series, strategy, params, config, window, m.trades, m.skipped);
      return { result, chunks: chunks.length, reruns };
    }
    chunks[m.rerun] = runChunk(series, strategy, params, config, specs[m.rerun]!, m.carryIn, chunkOpts);
    reruns++;
  }
}
