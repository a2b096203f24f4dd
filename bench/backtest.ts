/**
 * Backtest benchmark: a full single-series backtest of one year of 1m candles (525,600; seeded synthetic random
 * walk with volatility clustering and occasional gaps) with an EMA(50/200) crossover strategy whose entries carry
 * a 2×ATR(14) stop and a 3×ATR trailing stop, indicators computed inside `prepare`. "Full" means everything a
 * caller gets: prepare, the event loop, pricing every trade under all 11 cost presets, gross and per-preset
 * metrics and equity curves, and the sha256 result hash. Reports the median over several runs (after a warm-up
 * run), plus the split between strategy prepare, event loop and result building, and the hash on its own. Goal: < 60 ms (issue 14; 250 ms before).
 *
 * Run standalone: `npx tsx bench/backtest.ts`; or call `runBacktestBench()`.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { CandleSeries } from '../shared/candles/candle';
import { atr, ema } from '../shared/indicators';
import { INITIAL_CARRY, resolveWindow, runBacktest, runChunk } from '../shared/backtest/engine';
import { parseBacktestConfig } from '../shared/backtest/config';
import { hashCanonical } from '../shared/backtest/hash';
import { mulberry32 } from '../shared/backtest/prng';
import { HOLD, type Strategy } from '../shared/strategies/types';

export const BACKTEST_BENCH_N = 525_600;
export const BACKTEST_GOAL_MS = 60;

export interface BacktestBenchResult {
  suite: 'backtest';
  n: number;
  reps: number;
  trades: number;
  /** Median ms of a full `runBacktest` (prepare + loop + costs + metrics + hash). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median ms of `prepare` alone, and of prepare + event loop (`runChunk`) without result building. */
  prepareMs: number;
  loopMs: number;
  /** Median ms of the result hash alone (canonical JSON + sha256 of the result), part of `medianMs`. */
  hashMs: number;
  goalMs: number;
  pass: boolean;
  resultHash: string;
}

/** Seeded 1m BTC-like candles: log returns with GARCH-style volatility clustering, wicks, rare gaps. */
export function syntheticMinuteSeries(n = BACKTEST_BENCH_N, seed = 2024): CandleSeries {
  const rng = mulberry32(seed);
  const start = Date.UTC(2023, 0, 1);
  const s = {
    timeframe: '1m' as const,
    symbol: 'SYN/USDT',
    length: n,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let price = 30_000;
  let variance = 0.0008 ** 2;
  let prevRet = 0;
  for (let i = 0; i < n; i++) {
    variance = 2e-8 + 0.08 * prevRet * prevRet + 0.9 * variance;
    const sigma = Math.sqrt(variance);
    const ret = sigma * rng.normal();
    const open = rng.next() < 0.002 ? price * (1 + sigma * rng.normal()) : price;
    const close = open * Math.exp(ret);
    s.openTime[i] = start + i * 60_000;
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = Math.max(open, close) * (1 + Math.abs(rng.normal()) * sigma * 0.5);
    s.low[i] = Math.min(open, close) * (1 - Math.abs(rng.normal()) * sigma * 0.5);
    s.volume[i] = 10 * Math.exp(0.5 * rng.normal());
    price = close;
    prevRet = ret;
  }
  return s;
}

const paramsSchema = z.object({ fast: z.number().int(), slow: z.number().int(), atrPeriod: z.number().int(), stopAtr: z.number(), trailAtr: z.number() });
type P = z.infer<typeof paramsSchema>;
interface Prepared {
  fast: Float64Array;
  slow: Float64Array;
  atr: Float64Array;
  close: Float64Array;
}

/** EMA crossover with ATR stops, long and short. */
export const emaCrossAtr: Strategy<P, Prepared> = {
  id: 'bench-ema-cross-atr',
  version: '1.0.0',
  family: 'bench',
  origin: 'test',
  title: 'EMA cross + ATR stop (benchmark)',
  description: 'EMA(fast) crosses above EMA(slow) → BUY with a stopAtr×ATR stop and trailAtr×ATR trailing stop; crosses below → SELL (short).',
  timeframes: ['1m'],
  paramsSchema,
  defaults: { fast: 50, slow: 200, atrPeriod: 14, stopAtr: 2, trailAtr: 3 },
  paramSpace: {},
  startupCandles: (p) => 5 * p.slow,
  kind: 'single',
  allowShort: true,
  prepare: (s, p) => ({ fast: ema(s.close, p.fast), slow: ema(s.close, p.slow), atr: atr(s.high, s.low, s.close, p.atrPeriod), close: s.close }),
  evaluate: (st, i, p) => {
    if (i < 1) return HOLD;
    const f0 = st.fast[i - 1]!;
    const s0 = st.slow[i - 1]!;
    const f1 = st.fast[i]!;
    const s1 = st.slow[i]!;
    const up = f0 <= s0 && f1 > s1;
    const down = f0 >= s0 && f1 < s1;
    if (!up && !down) return HOLD;
    const c = st.close[i]!;
    const a = st.atr[i]!;
    if (!(a > 0)) return HOLD;
    return up
      ? { action: 'BUY', reason: 'EMA fast crossed above slow', stopLoss: c - p.stopAtr * a, trailingStop: (p.trailAtr * a) / c }
      : { action: 'SELL', reason: 'EMA fast crossed below slow', stopLoss: c + p.stopAtr * a, trailingStop: (p.trailAtr * a) / c };
  },
};

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
}

export async function runBacktestBench(opts: { reps?: number; n?: number; log?: (line: string) => void } = {}): Promise<BacktestBenchResult> {
  const reps = opts.reps ?? 7;
  const n = opts.n ?? BACKTEST_BENCH_N;
  const log = opts.log ?? (() => {});
  const series = syntheticMinuteSeries(n);
  const params = emaCrossAtr.defaults;
  const config = parseBacktestConfig({});
  const window = resolveWindow(series, emaCrossAtr, params, config);

  let result = runBacktest(series, emaCrossAtr, params, config); // warm-up (JIT)
  const full: number[] = [];
  const prep: number[] = [];
  const loop: number[] = [];
  const hash: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    emaCrossAtr.prepare(series, params);
    prep.push(performance.now() - t0);
    t0 = performance.now();
    runChunk(series, emaCrossAtr, params, config, window, INITIAL_CARRY);
    loop.push(performance.now() - t0);
    t0 = performance.now();
    result = runBacktest(series, emaCrossAtr, params, config);
    full.push(performance.now() - t0);
    const { resultHash: _, ...body } = result;
    t0 = performance.now();
    hashCanonical(body);
    hash.push(performance.now() - t0);
    log(`rep ${r + 1}/${reps}: full ${full[r]!.toFixed(1)} ms (prepare ${prep[r]!.toFixed(1)}, prepare+loop ${loop[r]!.toFixed(1)})`);
  }
  const medianMs = median(full);
  return {
    suite: 'backtest',
    n,
    reps,
    trades: result.trades.length,
    medianMs,
    minMs: Math.min(...full),
    maxMs: Math.max(...full),
    prepareMs: median(prep),
    loopMs: median(loop),
    hashMs: median(hash),
    goalMs: BACKTEST_GOAL_MS,
    pass: medianMs < BACKTEST_GOAL_MS,
    resultHash: result.resultHash,
  };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${BACKTEST_BENCH_N.toLocaleString('en-US')} 1m candles, EMA(50/200) cross + ATR stops, 11 cost presets…`);
  const r = await runBacktestBench({ log: (l) => console.log(l) });
  console.log(
    `full backtest median ${r.medianMs.toFixed(1)} ms (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}, ${r.reps} runs); ` +
      `prepare ${r.prepareMs.toFixed(1)} ms, prepare+loop ${r.loopMs.toFixed(1)} ms, result hash ${r.hashMs.toFixed(1)} ms; ${r.trades} trades; ` +
      `goal < ${r.goalMs} ms: ${r.pass ? 'PASS' : 'FAIL'}; hash ${r.resultHash.slice(0, 16)}…`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
