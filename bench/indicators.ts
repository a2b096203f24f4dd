/**
 * Indicator benchmark: times our batch indicators (shared/indicators) against tulind (Tulip C via N-API/NAN),
 * technicalindicators and trading-signals v8 on 1,000,000 synthetic-but-realistic 1h candles (seeded GARCH-like
 * random walk; no Math.random), for EMA(20), RSI(14), ATR(14), BBANDS(20,2), MACD(12,26,9) and ADX(14).
 * Reports the median ms per full-series run over a few repetitions and each library's ratio to ours.
 * A pure-JS library that would take too long on 1M candles runs on a smaller n and is scaled linearly (marked).
 *
 * Like with like: the main table is the full output series in both columns — our batch function against each
 * library producing the same series (tulind and technicalindicators are batch APIs; trading-signals is streaming
 * only, so its column is its `update` loop writing every result into a Float64Array, as our batch does). A second
 * table times the streaming shape on both sides: our streaming class's `update` per value against
 * trading-signals' `update` per value, neither keeping the outputs. Ours and trading-signals are timed in
 * alternation, rep by rep, so machine load and GC debt fall on both alike (the ratio is what to read).
 *
 * Run standalone: `npx tsx bench/indicators.ts`; or call `runIndicatorBench()`.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ADX as TsADX, ATR as TsATR, BollingerBands as TsBB, EMA as TsEMA, MACD as TsMACD, RSI as TsRSI } from 'trading-signals';
import { ADX, ATR, BBands, EMA, MACD, RSI, adx, atr, bbands, ema, macd, rsi } from '../shared/indicators';

const require = createRequire(import.meta.url);

export interface BenchRow {
  suite: 'indicators';
  indicator: string;
  /** `*-streaming`: one `update` per value, outputs not kept; the others produce the whole output series. */
  impl: 'ours' | 'tulind' | 'technicalindicators' | 'trading-signals' | 'ours-streaming' | 'trading-signals-streaming';
  /** Candles in the series the figure refers to (always the full n). */
  n: number;
  /** Median ms per run over the full n (extrapolated linearly when `measuredN` < n). */
  msPerRun: number;
  /** Candles actually run (less than n when scaled). */
  measuredN: number;
  reps: number;
  /** msPerRun / ours' msPerRun of the same shape (batch: `ours`; streaming: `ours-streaming`). */
  ratioVsOurs: number;
}

export const BENCH_N = 1_000_000;

// ---------------------------------------------------------------- synthetic candles (seeded)

/** mulberry32: a tiny seeded 32-bit PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticCandles {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** 1h-like BTC candles: log-normal returns with GARCH(1,1)-style volatility clustering, wicks and volume. */
export function syntheticCandles(n: number, seed = 42): SyntheticCandles {
  const rnd = mulberry32(seed);
  const gauss = () => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let price = 30_000;
  let variance = 0.006 ** 2;
  let prevRet = 0;
  for (let i = 0; i < n; i++) {
    variance = 0.000002 + 0.08 * prevRet * prevRet + 0.9 * variance;
    const sigma = Math.sqrt(variance);
    const ret = sigma * gauss();
    const open = price;
    price = Math.max(1, open * Math.exp(ret));
    const top = Math.max(open, price);
    const bottom = Math.min(open, price);
    high[i] = Math.round(top * (1 + Math.abs(gauss()) * sigma * 0.5) * 100) / 100;
    low[i] = Math.round(bottom * (1 - Math.abs(gauss()) * sigma * 0.5) * 100) / 100;
    close[i] = Math.round(price * 100) / 100;
    volume[i] = Math.round(800 * Math.exp(0.6 * gauss() + 40 * Math.abs(ret)) * 1e4) / 1e4;
    prevRet = ret;
  }
  return { high, low, close, volume };
}

// ---------------------------------------------------------------- the libraries

type TulipCb = (err: unknown, res: number[][]) => void;
interface TulipIndicator {
  indicator(inputs: number[][], options: number[], cb: TulipCb): void;
}
const tulind = require('tulind') as { indicators: Record<string, TulipIndicator> };

interface TiInput {
  [k: string]: unknown;
}
type TiCalc = { calculate(input: TiInput): unknown[] };
const ti = require('technicalindicators') as Record<'EMA' | 'RSI' | 'ATR' | 'BollingerBands' | 'MACD' | 'ADX', TiCalc>;

function tulipRun(name: string, inputs: number[][], options: number[]): number[][] {
  let out: number[][] = [];
  tulind.indicators[name]!.indicator(inputs, options, (err, res) => {
    if (err) throw new Error(`tulind ${name}: ${String(err)}`);
    out = res;
  });
  return out;
}

interface Case {
  indicator: string;
  /** Full output series (batch). */
  ours: () => unknown;
  tulind: () => unknown;
  technicalindicators: (n: number) => unknown;
  /** trading-signals' update loop writing every result into Float64Arrays (the same series ours returns). */
  tradingSignals: (n: number) => unknown;
  /** One update per value, last value kept. */
  oursStreaming: () => unknown;
  tradingSignalsStreaming: (n: number) => unknown;
}

/** trading-signals returns null during warm-up where ours writes NaN. */
const num = (v: number | null | undefined): number => v ?? NaN;

function cases(c: SyntheticCandles, arr: { high: number[]; low: number[]; close: number[] }): Case[] {
  const { high, low, close } = c;
  const slice = (a: number[], n: number) => (n === a.length ? a : a.slice(0, n));
  return [
    {
      indicator: 'EMA(20)',
      ours: () => ema(close, 20),
      tulind: () => tulipRun('ema', [arr.close], [20]),
      technicalindicators: (n) => ti.EMA.calculate({ period: 20, values: slice(arr.close, n) }),
      tradingSignals: (n) => {
        const e = new TsEMA(20);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = e.update(close[i]!, false);
        return out;
      },
      oursStreaming: () => {
        const e = new EMA(20);
        let last = 0;
        for (let i = 0; i < close.length; i++) last = e.update(close[i]!);
        return last;
      },
      tradingSignalsStreaming: (n) => {
        const e = new TsEMA(20);
        let last = 0;
        for (let i = 0; i < n; i++) last = e.update(close[i]!, false);
        return last;
      },
    },
    {
      indicator: 'RSI(14)',
      ours: () => rsi(close, 14),
      tulind: () => tulipRun('rsi', [arr.close], [14]),
      technicalindicators: (n) => ti.RSI.calculate({ period: 14, values: slice(arr.close, n) }),
      tradingSignals: (n) => {
        const r = new TsRSI(14);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = num(r.update(close[i]!, false));
        return out;
      },
      oursStreaming: () => {
        const r = new RSI(14);
        let last = 0;
        for (let i = 0; i < close.length; i++) last = r.update(close[i]!);
        return last;
      },
      tradingSignalsStreaming: (n) => {
        const r = new TsRSI(14);
        let last: number | null = 0;
        for (let i = 0; i < n; i++) last = r.update(close[i]!, false);
        return last;
      },
    },
    {
      indicator: 'ATR(14)',
      ours: () => atr(high, low, close, 14),
      tulind: () => tulipRun('atr', [arr.high, arr.low, arr.close], [14]),
      technicalindicators: (n) =>
        ti.ATR.calculate({ period: 14, high: slice(arr.high, n), low: slice(arr.low, n), close: slice(arr.close, n) }),
      tradingSignals: (n) => {
        const a = new TsATR(14);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = num(a.update({ high: high[i]!, low: low[i]!, close: close[i]! }, false));
        return out;
      },
      oursStreaming: () => {
        const a = new ATR(14);
        let last = 0;
        for (let i = 0; i < close.length; i++) last = a.update(high[i]!, low[i]!, close[i]!);
        return last;
      },
      tradingSignalsStreaming: (n) => {
        const a = new TsATR(14);
        let last: number | null = 0;
        for (let i = 0; i < n; i++) last = a.update({ high: high[i]!, low: low[i]!, close: close[i]! }, false);
        return last;
      },
    },
    {
      indicator: 'BBANDS(20,2)',
      ours: () => bbands(close, 20, 2),
      tulind: () => tulipRun('bbands', [arr.close], [20, 2]),
      technicalindicators: (n) => ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: slice(arr.close, n) }),
      tradingSignals: (n) => {
        const b = new TsBB(20, 2);
        const bands = new Float64Array(3 * n); // upper, middle, lower of each value, interleaved
        for (let i = 0, o = 0; i < n; i++, o += 3) {
          const v = b.update(close[i]!, false);
          bands[o] = num(v?.upper);
          bands[o + 1] = num(v?.middle);
          bands[o + 2] = num(v?.lower);
        }
        return bands;
      },
      oursStreaming: () => {
        const b = new BBands(20, 2);
        let last: unknown = null;
        for (let i = 0; i < close.length; i++) last = b.update(close[i]!);
        return last;
      },
      tradingSignalsStreaming: (n) => {
        const b = new TsBB(20, 2);
        let last: unknown = null;
        for (let i = 0; i < n; i++) last = b.update(close[i]!, false);
        return last;
      },
    },
    {
      indicator: 'MACD(12,26,9)',
      ours: () => macd(close, 12, 26, 9),
      tulind: () => tulipRun('macd', [arr.close], [12, 26, 9]),
      technicalindicators: (n) =>
        ti.MACD.calculate({
          values: slice(arr.close, n),
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
        }),
      tradingSignals: (n) => {
        const m = new TsMACD(new TsEMA(12), new TsEMA(26), new TsEMA(9));
        const line = new Float64Array(n);
        const signal = new Float64Array(n);
        const histogram = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const v = m.update(close[i]!, false);
          line[i] = num(v?.macd);
          signal[i] = num(v?.signal);
          histogram[i] = num(v?.histogram);
        }
        return { line, signal, histogram };
      },
      oursStreaming: () => {
        const m = new MACD(12, 26, 9);
        let last: unknown = null;
        for (let i = 0; i < close.length; i++) last = m.update(close[i]!);
        return last;
      },
      tradingSignalsStreaming: (n) => {
        const m = new TsMACD(new TsEMA(12), new TsEMA(26), new TsEMA(9));
        let last: unknown = null;
        for (let i = 0; i < n; i++) last = m.update(close[i]!, false);
        return last;
      },
    },
    {
      indicator: 'ADX(14)',
      ours: () => adx(high, low, close, 14),
      tulind: () => tulipRun('adx', [arr.high, arr.low, arr.close], [14]),
      technicalindicators: (n) =>
        ti.ADX.calculate({ period: 14, high: slice(arr.high, n), low: slice(arr.low, n), close: slice(arr.close, n) }),
      tradingSignals: (n) => {
        const a = new TsADX(14);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = num(a.update({ high: high[i]!, low: low[i]!, close: close[i]! }, false));
        return out;
      },
      oursStreaming: () => {
        const a = new ADX(14);
        let last: unknown = null;
        for (let i = 0; i < close.length; i++) last = a.update(high[i]!, low[i]!, close[i]!);
        return last;
      },
      tradingSignalsStreaming: (n) => {
        const a = new TsADX(14);
        let last: number | null = 0;
        for (let i = 0; i < n; i++) last = a.update({ high: high[i]!, low: low[i]!, close: close[i]! }, false);
        return last;
      },
    },
  ];
}

// ---------------------------------------------------------------- timing

let _sink: unknown;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeIt(fn: () => unknown, reps: number): number {
  _sink = fn(); // warm-up (JIT, lazy init)
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    _sink = fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Times `run(n)` on the full n, or on a smaller n scaled linearly if a probe says the full run is too slow. */
function timeScaled(run: (n: number) => unknown, n: number, reps: number, budgetMs: number): { ms: number; measuredN: number } {
  const probeN = Math.min(n, 50_000);
  const t0 = performance.now();
  _sink = run(probeN);
  const projected = ((performance.now() - t0) * n) / probeN;
  let measuredN = n;
  while (measuredN > probeN && (projected * measuredN) / n > budgetMs) measuredN = Math.floor(measuredN / 2);
  const ms = timeIt(() => run(measuredN), reps);
  return { ms: (ms * n) / measuredN, measuredN };
}

/**
 * Ours and a peer of the same API shape timed rep by rep in alternation (order swapped every rep), medians of
 * each. A peer too slow for the full n within the budget is timed alone on fewer candles and scaled instead.
 */
function timePair(ours: () => unknown, other: (n: number) => unknown, n: number, reps: number, budgetMs: number): { ours: number; other: { ms: number; measuredN: number; reps: number } } {
  const probeN = Math.min(n, 50_000);
  const t0 = performance.now();
  _sink = other(probeN);
  if (((performance.now() - t0) * n) / probeN > budgetMs) {
    const r = Math.max(3, reps - 6);
    return { ours: timeIt(ours, reps), other: { ...timeScaled(other, n, r, budgetMs), reps: r } };
  }
  _sink = ours(); // warm-up (JIT, lazy init)
  _sink = other(n);
  const a: number[] = [];
  const b: number[] = [];
  const once = (f: () => unknown, into: number[]) => {
    const t = performance.now();
    _sink = f();
    into.push(performance.now() - t);
  };
  for (let r = 0; r < reps; r++) {
    if (r % 2 === 0) {
      once(ours, a);
      once(() => other(n), b);
    } else {
      once(() => other(n), b);
      once(ours, a);
    }
  }
  return { ours: median(a), other: { ms: median(b), measuredN: n, reps } };
}

export interface IndicatorBenchOptions {
  n?: number;
  /** Repetitions per measurement (median taken). */
  reps?: number;
  /** Max projected ms for one pure-JS library run before it is measured on a smaller n and scaled. */
  budgetMs?: number;
  log?: (line: string) => void;
}

export async function runIndicatorBench(opts: IndicatorBenchOptions = {}): Promise<BenchRow[]> {
  const n = opts.n ?? BENCH_N;
  const reps = opts.reps ?? 5;
  const budgetMs = opts.budgetMs ?? 1_500;
  const log = opts.log ?? (() => {});
  const candles = syntheticCandles(n);
  const arr = { high: Array.from(candles.high), low: Array.from(candles.low), close: Array.from(candles.close) };
  const rows: BenchRow[] = [];
  for (const c of cases(candles, arr)) {
    // Ours and trading-signals (same shape) are timed in alternation, so drift and GC debt fall on both alike.
    const batch = timePair(c.ours, c.tradingSignals, n, reps + 4, budgetMs);
    const ours = batch.ours;
    const add = (impl: BenchRow['impl'], ms: number, measuredN: number, r: number) =>
      rows.push({ suite: 'indicators', indicator: c.indicator, impl, n, msPerRun: ms, measuredN, reps: r, ratioVsOurs: ms / ours });
    add('ours', ours, n, reps + 4);
    add('tulind', timeIt(c.tulind, reps), n, reps);
    const t = timeScaled(c.technicalindicators, n, Math.max(3, reps - 2), budgetMs);
    add('technicalindicators', t.ms, t.measuredN, Math.max(3, reps - 2));
    add('trading-signals', batch.other.ms, batch.other.measuredN, batch.other.reps);
    const streaming = timePair(c.oursStreaming, c.tradingSignalsStreaming, n, reps + 4, budgetMs);
    rows.push({ suite: 'indicators', indicator: c.indicator, impl: 'ours-streaming', n, msPerRun: streaming.ours, measuredN: n, reps: reps + 4, ratioVsOurs: 1 });
    rows.push({
      suite: 'indicators',
      indicator: c.indicator,
      impl: 'trading-signals-streaming',
      n,
      msPerRun: streaming.other.ms,
      measuredN: streaming.other.measuredN,
      reps: streaming.other.reps,
      ratioVsOurs: streaming.other.ms / streaming.ours,
    });
    log(`  ${c.indicator} done`);
    await new Promise((r) => setTimeout(r, 0)); // let the event loop (and GC) breathe between indicators
  }
  return rows;
}

export function formatIndicatorTable(rows: BenchRow[]): string {
  const indicators = [...new Set(rows.map((r) => r.indicator))];
  const cell = (r: BenchRow | undefined) => {
    if (!r) return '—';
    const ms = r.msPerRun < 100 ? r.msPerRun.toFixed(1) : r.msPerRun.toFixed(0);
    const scaled = r.measuredN < r.n ? `*` : '';
    return r.impl === 'ours' || r.impl === 'ours-streaming' ? `${ms} ms` : `${ms} ms${scaled} (${r.ratioVsOurs.toFixed(1)}×)`;
  };
  const table = (impls: BenchRow['impl'][], header: string[]): string[] => {
    const body = indicators.map((ind) => [ind, ...impls.map((im) => cell(rows.find((r) => r.indicator === ind && r.impl === im)))]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  };
  const n = rows[0]?.n ?? 0;
  const scaledNotes = rows
    .filter((r) => r.measuredN < r.n)
    .map((r) => `${r.impl} ${r.indicator} on ${r.measuredN.toLocaleString('en-US')}`);
  const streaming = rows.some((r) => r.impl === 'ours-streaming');
  return [
    `Indicators, ${n.toLocaleString('en-US')} synthetic 1h candles, median ms per full-series run (× = time / ours):`,
    'Whole output series on both sides: our batch function; trading-signals = its update loop storing every result in a Float64Array.',
    ...table(['ours', 'tulind', 'technicalindicators', 'trading-signals'], ['indicator', 'ours (batch)', 'tulind', 'technicalindicators', 'trading-signals']),
    ...(streaming
      ? [
          '',
          'Streaming, one update per value on both sides (outputs not kept): our streaming class vs trading-signals:',
          ...table(['ours-streaming', 'trading-signals-streaming'], ['indicator', 'ours (update)', 'trading-signals (update)']),
        ]
      : []),
    ...(scaledNotes.length ? [`* measured on fewer candles and scaled linearly to ${n.toLocaleString('en-US')}: ${scaledNotes.join('; ')}`] : []),
    'tulind times include its JS-array → C → JS-array marshalling (its API takes and returns JS arrays).',
  ].join('\n');
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${BENCH_N.toLocaleString('en-US')} candles…`);
  const rows = await runIndicatorBench({ log: (l) => console.log(l) });
  console.log(formatIndicatorTable(rows));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
