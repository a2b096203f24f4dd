/**
 * The one Candle shape every venue, archive and strategy agrees on (open time in ms UTC, OHLCV as numbers), and
 * its columnar twin `CandleSeries` (Float64Arrays) that indicators, strategies and the backtester run on.
 */
import type { Timeframe } from './timeframe';

export interface Candle {
  /** Open time, milliseconds since the Unix epoch, UTC. */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
}

/** Identity of a stored series. `symbol` is canonical `BASE/QUOTE` (e.g. `BTC/USDT`). */
export interface SeriesKey {
  venue: string;
  symbol: string;
  timeframe: Timeframe;
}

/** Columnar candles, oldest first, strictly increasing open times. */
export interface CandleSeries {
  readonly timeframe: Timeframe;
  readonly symbol: string;
  readonly length: number;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export function toSeries(candles: readonly Candle[], timeframe: Timeframe, symbol = ''): CandleSeries {
  const n = candles.length;
  const s = {
    timeframe,
    symbol,
    length: n,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    s.openTime[i] = c.openTime;
    s.open[i] = c.open;
    s.high[i] = c.high;
    s.low[i] = c.low;
    s.close[i] = c.close;
    s.volume[i] = c.volume;
  }
  return s;
}

export function candleAt(s: CandleSeries, i: number): Candle {
  return {
    openTime: s.openTime[i]!,
    open: s.open[i]!,
    high: s.high[i]!,
    low: s.low[i]!,
    close: s.close[i]!,
    volume: s.volume[i]!,
  };
}

export function fromSeries(s: CandleSeries): Candle[] {
  const out: Candle[] = new Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = candleAt(s, i);
  return out;
}

/** A view of candles [start, end) sharing the underlying buffers (no copy). */
export function sliceSeries(s: CandleSeries, start: number, end: number): CandleSeries {
  const a = Math.max(0, start);
  const b = Math.min(s.length, end);
  return {
    timeframe: s.timeframe,
    symbol: s.symbol,
    length: Math.max(0, b - a),
    openTime: s.openTime.subarray(a, b),
    open: s.open.subarray(a, b),
    high: s.high.subarray(a, b),
    low: s.low.subarray(a, b),
    close: s.close.subarray(a, b),
    volume: s.volume.subarray(a, b),
  };
}
