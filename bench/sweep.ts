/**
 * Sweep benchmark (issue 14), all rows in one run and side by side:
 *
 * 1. our sweep chunk (`runSweepChunk`: every combo through the engine's loop and the execution kernel, then its
 *    summary with every cost view from the trades — sweep mode, shared/sweep/trade-summary.ts — and its combo
 *    hash) on the 80-combo `dsta-sma-crossover` grid over the real BTC/USDT 1h candles 2018-01 → 2022-10, with
 *    shared work (the fast path) and without (the reference path, each combo from scratch); beside them the
 *    sweep-summary/1.x path the chunk used before (a full `runBacktest` result per combo, summarised and hashed
 *    whole, with the prepare cache), on the same grid, for the before/after in one run;
 * 2. the same on a 1,000-combo seeded random sweep of `nexara-baseline-5m` over the real 2022 BTC/USDT 5m file;
 * 3. the JS-limit reference: a bare hand-written Float64Array loop of the dsta rules (SMA cross entry at the next
 *    open, ATR stop checked inside each candle, exit at the next open while fast < slow; each distinct SMA/ATR
 *    computed once) — no kernel, no costs, no metrics: what one core can do at all;
 * 4. the ratio of each to the bare loop.
 *
 * Throughput is combo-candles per second = combos × candles in the trading window / seconds. The machine is shared,
 * so each row prints CPU time (this process's user + system) beside wall time, and the rate from CPU time: the
 * wall figure moves with the load average (printed), the CPU figure much less. Needs ../shared/data (skips the
 * real-data rows and says so without it). `npm run bench -- sweep` (also prints the one-year 1m backtest row).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toSeries, type CandleSeries } from '../shared/candles/candle';
import { atr } from '../shared/indicators/atr';
import { sma } from '../shared/indicators/sma';
import { lowerBound } from '../shared/backtest/version';
import { canonicalJson } from '../shared/backtest/hash';
import { gridCombos, randomCombos, runSweepChunk, type ChunkOutput } from '../shared/research/sweep';
import { dstaSmaCrossover, type DstaSmaCrossoverParams } from '../shared/strategies/dsta-sma-crossover';
import { runBacktest } from '../shared/backtest/engine';
import { summarizeResult, type ComboSummary } from '../shared/research/summary';
import { fastSweepOrder } from '../shared/sweep/order';
import { PrepareCache } from '../shared/sweep/prepare-cache';
import { nexaraBaseline5m } from '../shared/strategies/nexara-baseline-5m';
import type { Params, Strategy } from '../shared/strategies/types';
import { timed } from './stats';

const DATA = process.env.SHARED_DATA_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');

/** Issue 14's targets. */
export const SWEEP_GOAL_RATE = 20e6;
export const SWEEP_GOAL_RATIO = 5;

/** Freqtrade-format candles from ../shared/data as a series (null when the data is absent). */
export function loadFreqtradeSeries(dir: string, file: string, symbol: string, timeframe: '1h' | '5m'): CandleSeries | null {
  const path = join(DATA, 'freqtrade-binance-spot', dir, file);
  if (!existsSync(path)) return null;
  const rows = JSON.parse(readFileSync(path, 'utf8')) as number[][];
  return toSeries(rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })), timeframe, symbol);
}

export interface Timed {
  wallMs: number;
  cpuMs: number;
}

export interface SweepBenchRow extends Timed {
  name: string;
  combos: number;
  candles: number;
  /** combo-candles per second of CPU time, and of wall time. */
  rateCpu: number;
  rateWall: number;
  note: string;
}

function row(name: string, combos: number, candles: number, t: Timed, note = ''): SweepBenchRow {
  const cc = combos * candles;
  return { name, combos, candles, ...t, rateCpu: cc / (t.cpuMs / 1000), rateWall: cc / (t.wallMs / 1000), note };
}

/** Best of `reps` runs (after one warm-up run) by CPU time. */
function best<T>(reps: number, f: () => T): { value: T } & Timed {
  let out = timed(f);
  for (let r = 0; r < reps; r++) {
    const t = timed(f);
    if (t.cpuMs < out.cpuMs) out = t;
  }
  return out;
}

/**
 * The bare loop: the dsta rules on Float64Arrays, one combo at a time, indicators shared by period. Returns a
 * checksum (trades and summed gross return) so the work cannot be optimised away.
 */
export function bareDstaLoop(s: CandleSeries, combos: readonly DstaSmaCrossoverParams[], a: number, b: number): { trades: number; sum: number } {
  const { open, high, low, close } = s;
  const n = s.length;
  const smas = new Map<number, Float64Array>();
  const atrs = new Map<number, Float64Array>();
  const smaOf = (p: number) => smas.get(p) ?? smas.set(p, sma(close, p)).get(p)!;
  const atrOf = (p: number) => atrs.get(p) ?? atrs.set(p, atr(high, low, close, p)).get(p)!;
  let trades = 0;
  let sum = 0;
  for (const c of combos) {
    const f = smaOf(c.fastPeriod);
    const sl = smaOf(c.slowPeriod);
    const at = atrOf(c.atrPeriod);
    let inPos = false;
    let entry = 0;
    let stop = 0;
    let pendingEntry = false;
    let pendingStop = 0;
    let pendingExit = false;
    for (let i = a; i < n; i++) {
      if (pendingExit) {
        sum += open[i]! / entry - 1;
        trades++;
        inPos = false;
        pendingExit = false;
      }
      if (pendingEntry) {
        inPos = true;
        entry = open[i]!;
        stop = pendingStop;
        pendingEntry = false;
      }
      if (inPos && low[i]! <= stop) {
        sum += Math.min(open[i]!, stop) / entry - 1;
        trades++;
        inPos = false;
      }
      if (i >= b && !inPos) break;
      const fi = f[i]!;
      const si = sl[i]!;
      if (!(fi === fi && si === si)) continue;
      if (fi < si) {
        if (inPos) pendingExit = true;
        continue;
      }
      if (inPos || i >= b) continue;
      const f0 = f[i - 1]!;
      const s0 = sl[i - 1]!;
      if (f0 <= s0 && fi > si && at[i]! === at[i]!) {
        pendingEntry = true;
        pendingStop = close[i]! - c.stopAtr * at[i]!;
      }
    }
  }
  return { trades, sum };
}

function chunkOf<P extends Params>(strategy: Strategy<P>, series: CandleSeries, combos: readonly Params[], window: { from: number; to: number }, shareWork: boolean): ChunkOutput {
  return runSweepChunk(series, strategy, { index: 0, of: 1, combos: [...combos] }, { mode: 'single', backtest: window, shareWork });
}

/** The 1.x chunk path: a full result per combo (all curves, priced trades, full-result hash), then its summary. */
function fullResultChunk<P extends Params>(strategy: Strategy<P>, series: CandleSeries, combos: readonly P[], window: { from: number; to: number }): ComboSummary[] {
  const runner = new PrepareCache(strategy).strategyView();
  const out: ComboSummary[] = [];
  for (const k of fastSweepOrder(combos)) out[k] = summarizeResult(runBacktest(series, runner, combos[k]!, window), combos[k]!);
  return out;
}

export async function runSweepBench(opts: { reps?: number; log?: (line: string) => void } = {}): Promise<{ rows: SweepBenchRow[]; skipped?: string }> {
  const reps = opts.reps ?? 1;
  const log = opts.log ?? (() => {});
  const h1 = loadFreqtradeSeries('djienne-3EMA_SRSI_ATR', 'BTC_USDT-1h.json', 'BTC/USDT', '1h');
  const m5 = loadFreqtradeSeries('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json', 'BTC/USDT', '5m');
  if (!h1 || !m5) return { rows: [], skipped: `real candles not found under ${DATA}` };
  const rows: SweepBenchRow[] = [];

  // 1. The 80-combo dsta grid, BTC/USDT 1h 2018-01 → 2022-10.
  const w1 = { from: Date.UTC(2018, 0, 1), to: h1.openTime[h1.length - 1]! + 3_600_000 };
  const grid = gridCombos(dstaSmaCrossover).combos;
  const c1 = lowerBound(h1.openTime, w1.to) - lowerBound(h1.openTime, w1.from);
  log(`grid: ${grid.length} combos × ${c1} candles`);
  const fast1 = best(reps, () => chunkOf(dstaSmaCrossover, h1, grid, w1, true));
  rows.push(row('dsta-sma-crossover grid, fast path', grid.length, c1, fast1, `hash ${fast1.value.combos[0]!.resultHash.slice(0, 12)}`));
  const ref1 = best(reps, () => chunkOf(dstaSmaCrossover, h1, grid, w1, false));
  rows.push(row('dsta-sma-crossover grid, reference path', grid.length, c1, ref1, `hash ${ref1.value.combos[0]!.resultHash.slice(0, 12)}`));
  const old1 = best(reps, () => fullResultChunk(dstaSmaCrossover, h1, grid, w1));
  const same = old1.value.every((c, k) => canonicalJson({ ...c, resultHash: '' }) === canonicalJson({ ...fast1.value.combos[k]!, resultHash: '' }));
  rows.push(row('same grid, full result per combo (1.x path)', grid.length, c1, old1, `summaries ${same ? '==' : '!='} fast path's`));
  const a = lowerBound(h1.openTime, w1.from);
  const b = lowerBound(h1.openTime, w1.to);
  const bare = best(Math.max(10, reps), () => bareDstaLoop(h1, grid, a, b)); // a few ms a run: more runs for a steady best
  rows.push(row('bare Float64Array loop, same rules (JS limit)', grid.length, c1, bare, `${bare.value.trades} trades`));

  // 2. 1,000 seeded random combos of the 5m baseline over the 2022 5m file.
  const w2 = { from: m5.openTime[0]!, to: m5.openTime[m5.length - 1]! + 300_000 };
  const rand = randomCombos(nexaraBaseline5m, 1000, 14).combos;
  const c2 = m5.length;
  log(`random: ${rand.length} combos × ${c2} candles`);
  const fast2 = best(0, () => chunkOf(nexaraBaseline5m, m5, rand, w2, true));
  rows.push(row('nexara-baseline-5m random 1,000, fast path', rand.length, c2, fast2));
  // The 1.x path on the first 100 of those combos (the whole 1,000 would take half a minute).
  const some = rand.slice(0, 100);
  const old2 = best(0, () => fullResultChunk(nexaraBaseline5m, m5, some, w2));
  rows.push(row('  first 100 of them, full result per combo (1.x)', some.length, c2, old2));
  return { rows };
}

export function formatSweepBench(r: { rows: SweepBenchRow[]; skipped?: string }): string {
  if (r.skipped) return `\nSweep: skipped (${r.skipped})`;
  const bare = r.rows.find((x) => x.name.startsWith('bare'))!;
  const lines = [
    `\nSweeps (combo-candles/s; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${2} cores shared):`,
    `  ${'row'.padEnd(48)} ${'combos'.padStart(6)} ${'candles'.padStart(7)} ${'cpu ms'.padStart(8)} ${'wall ms'.padStart(8)} ${'M/s cpu'.padStart(8)} ${'M/s wall'.padStart(8)} ${'× bare'.padStart(7)}`,
  ];
  for (const x of r.rows) {
    lines.push(
      `  ${x.name.padEnd(48)} ${String(x.combos).padStart(6)} ${String(x.candles).padStart(7)} ${x.cpuMs.toFixed(0).padStart(8)} ${x.wallMs.toFixed(0).padStart(8)} ` +
        `${(x.rateCpu / 1e6).toFixed(2).padStart(8)} ${(x.rateWall / 1e6).toFixed(2).padStart(8)} ${(bare.rateCpu / x.rateCpu).toFixed(1).padStart(7)}  ${x.note}`,
    );
  }
  const fast = r.rows[0]!;
  lines.push(
    `  goal: ≥ ${SWEEP_GOAL_RATE / 1e6}M combo-candles/s and within ${SWEEP_GOAL_RATIO}× of the bare loop: ` +
      `${fast.rateCpu >= SWEEP_GOAL_RATE && bare.rateCpu / fast.rateCpu <= SWEEP_GOAL_RATIO ? 'met' : 'NOT met'} (fast path ${(fast.rateCpu / 1e6).toFixed(2)}M/s, ${(bare.rateCpu / fast.rateCpu).toFixed(1)}× the bare loop)`,
  );
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSweepBench({ log: (l) => console.log(l) })
    .then((r) => console.log(formatSweepBench(r)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
