/**
 * Test fixtures for the backtester: hand-built candle series, a scripted strategy (signals keyed by candle open
 * time, so it survives slicing), an exact SMA-cross strategy, an EMA-cross strategy and a seeded random walk.
 */
import { z } from 'zod';
import type { CandleSeries } from '../candles/candle';
import { timeframeMs, type Timeframe } from '../candles/timeframe';
import { HOLD, type Params, type Signal, type Strategy } from '../strategies/types';
import { mulberry32 } from './prng';

export const T0 = Date.UTC(2024, 0, 1);

/** Series from [open, high, low, close] rows. */
export function mkSeries(rows: readonly (readonly [number, number, number, number])[], tf: Timeframe = '1h', start = T0): CandleSeries {
  const n = rows.length;
  const ms = timeframeMs(tf);
  const s = {
    timeframe: tf,
    symbol: 'TEST/USDT',
    length: n,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n).fill(1),
  };
  rows.forEach(([o, h, l, c], i) => {
    s.openTime[i] = start + i * ms;
    s.open[i] = o;
    s.high[i] = h;
    s.low[i] = l;
    s.close[i] = c;
  });
  return s;
}

/** n flat-ish candles around `price` (open = close = price, ±0.5 range). */
export function flatRows(n: number, price = 100): [number, number, number, number][] {
  return Array.from({ length: n }, () => [price, price + 0.5, price - 0.5, price] as [number, number, number, number]);
}

const EMPTY = z.object({});

function meta(id: string, startup: number) {
  return {
    id,
    version: '0.0.1',
    family: 'test',
    origin: 'test' as const,
    title: id,
    description: 'test strategy',
    timeframes: ['1h'] as const,
    paramsSchema: EMPTY as unknown as z.ZodType<Params>,
    defaults: {},
    paramSpace: {},
    startupCandles: () => startup,
  };
}

/** Signals keyed by candle index of the series given to the factory (mapped to open times). */
export function scripted(
  series: CandleSeries,
  signals: Record<number, Signal>,
  opts: { allowShort?: boolean; startup?: number } = {},
): Strategy<Params, Float64Array> {
  const byTime = new Map<number, Signal>();
  for (const [k, v] of Object.entries(signals)) byTime.set(series.openTime[Number(k)]!, v);
  return {
    ...meta('scripted', opts.startup ?? 0),
    kind: 'single',
    allowShort: opts.allowShort ?? false,
    prepare: (s) => s.openTime,
    evaluate: (ot, i) => byTime.get(ot[i]!) ?? HOLD,
  };
}

/** Trailing simple moving average by direct window sums (exact: depends only on the last `p` values). */
export function smaExact(x: Float64Array, p: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  for (let i = p - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - p + 1; j <= i; j++) s += x[j]!;
    out[i] = s / p;
  }
  return out;
}

export function ema(x: Float64Array, p: number): Float64Array {
  const out = new Float64Array(x.length).fill(NaN);
  if (x.length < p) return out;
  let s = 0;
  for (let i = 0; i < p; i++) s += x[i]!;
  let e = s / p;
  out[p - 1] = e;
  const k = 2 / (p + 1);
  for (let i = p; i < x.length; i++) {
    e += k * (x[i]! - e);
    out[i] = e;
  }
  return out;
}

interface CrossState {
  fast: Float64Array;
  slow: Float64Array;
  close: Float64Array;
}

/**
 * Moving-average cross: fast crosses above slow → BUY (stop `stopPct` below close, optional trailing), crosses
 * below → SELL (opens a short when `allowShort`).
 */
export function maCross(opts: {
  fast: number;
  slow: number;
  kind?: 'sma' | 'ema';
  stopPct?: number;
  takePct?: number;
  trailPct?: number;
  allowShort?: boolean;
  startup?: number;
  /** Deliberate bug for the lookahead tests: compare close[i+1] instead of close[i]. */
  peek?: boolean;
}): Strategy<Params, CrossState> {
  const f = opts.kind === 'ema' ? ema : smaExact;
  return {
    ...meta(`${opts.kind ?? 'sma'}-cross${opts.peek ? '-peek' : ''}`, opts.startup ?? opts.slow + 1),
    kind: 'single',
    allowShort: opts.allowShort ?? false,
    prepare: (s) => {
      let src = s.close;
      if (opts.peek) {
        // BIASED: value at i uses close[i+1] (the next candle), unknown at i's close.
        src = new Float64Array(s.length);
        for (let i = 0; i < s.length; i++) src[i] = s.close[i + 1] ?? NaN;
      }
      return { fast: f(src, opts.fast), slow: f(src, opts.slow), close: s.close };
    },
    evaluate: (st, i) => {
      if (i < 1) return HOLD;
      const f0 = st.fast[i - 1]!;
      const s0 = st.slow[i - 1]!;
      const f1 = st.fast[i]!;
      const s1 = st.slow[i]!;
      if (!(f0 === f0 && s0 === s0 && f1 === f1 && s1 === s1)) return HOLD;
      const c = st.close[i]!;
      if (f0 <= s0 && f1 > s1) {
        return {
          action: 'BUY',
          reason: 'fast crossed above slow',
          stopLoss: opts.stopPct !== undefined ? c * (1 - opts.stopPct) : undefined,
          takeProfit: opts.takePct !== undefined ? c * (1 + opts.takePct) : undefined,
          trailingStop: opts.trailPct,
        };
      }
      if (f0 >= s0 && f1 < s1) {
        return {
          action: 'SELL',
          reason: 'fast crossed below slow',
          stopLoss: opts.stopPct !== undefined ? c * (1 + opts.stopPct) : undefined,
          takeProfit: opts.takePct !== undefined ? c * (1 - opts.takePct) : undefined,
          trailingStop: opts.trailPct,
        };
      }
      return HOLD;
    },
  };
}

/** Seeded geometric random walk with realistic-ish high/low. */
export function randomWalk(n: number, seed: number, tf: Timeframe = '1h', vol = 0.004, start = T0): CandleSeries {
  const rng = mulberry32(seed);
  const rows: [number, number, number, number][] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    const c = o * Math.exp(vol * rng.normal());
    const h = Math.max(o, c) * (1 + Math.abs(vol * 0.5 * rng.normal()));
    const l = Math.min(o, c) * (1 - Math.abs(vol * 0.5 * rng.normal()));
    rows.push([o, h, l, c]);
    // occasional gap between close and next open
    p = rng.next() < 0.05 ? c * (1 + vol * rng.normal()) : c;
  }
  return mkSeries(rows, tf, start);
}

/**
 * The planted sparse bias of issue 13: an honest SMA 3/10 cross whose BUY is vetoed when the close 24 candles later
 * is more than 2 % lower — known only in hindsight. The full run shows HOLD at a vetoed candle, a prefix ending
 * before the future is known shows BUY; the full run never acts there, so checks that cut only where the full run
 * acts (and a few random places) see it only by luck.
 */
export function sparseVeto(): Strategy<Params, { inner: unknown; close: Float64Array }> {
  const inner = maCross({ fast: 3, slow: 10 });
  return {
    ...inner,
    id: 'planted-sparse-veto',
    prepare: (s, p) => ({ inner: inner.prepare(s, p), close: s.close }),
    evaluate: (st, i, p): Signal => {
      const sig = inner.evaluate(st.inner as never, i, p);
      const later = st.close[i + 24];
      if (sig.action === 'BUY' && later !== undefined && later < st.close[i]! * 0.98) return HOLD;
      return sig;
    },
  } as Strategy<Params, { inner: unknown; close: Float64Array }>;
}
