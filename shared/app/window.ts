/**
 * Loading exactly one date window of a stored series for research: the candles with from ≤ openTime < to, plus
 * the `warmup` candles immediately before `from` (indicator history only — the engine never trades before
 * `from`), the sha256 of the canonical rows, and the sources the rows came from. A timeframe with no stored candle
 * in the window is derived from a stored base (5m, 1h, 1m, 15m: `seriesSource`, the same choice and the same
 * `aggregateCandles` as `/api/candles`, complete buckets only); `derivedFrom` and `dataSource` say so, and the
 * hash is over the derived candles. No Node or Workers-only APIs: the Worker jobs and the CLI share it.
 */
import type { Candle, SeriesKey } from '../candles/candle';
import { loadDerivedCandles, loadRecentDerivedCandles, seriesSource } from '../db/queries/candles';
import type { Timeframe } from '../candles/timeframe';
import { windowSources, type SourceCount } from '../db/queries/research';
import type { Database } from '../db/database';
import { hashCanonical } from '../backtest/hash';

export interface LoadedWindow {
  key: SeriesKey;
  from: number;
  to: number;
  /** Warm-up candles (before `from`) followed by the window's candles. */
  candles: Candle[];
  warmup: number;
  /** Candles inside [from, to). */
  windowCount: number;
  /** sha256 hex of the canonical JSON of [[openTime, open, high, low, close, volume], …] over `candles`. */
  dataHash: string;
  /** Row counts per source inside the window and the warm-up. */
  sources: SourceCount[];
  /** One line: the sources, abbreviated when many (and the base timeframe when derived). */
  dataSource: string;
  /** The stored timeframe the candles were aggregated from; absent when the timeframe is stored itself. */
  derivedFrom?: Timeframe;
}

export function candleHash(candles: readonly Candle[]): string {
  return hashCanonical(candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]));
}

/** `freqtrade:BTC_USDT-4h.json`, or `archive:BTCUSDT-1h-2021-01.zip … archive:BTCUSDT-1h-2021-12.zip (12 sources)`. */
export function summariseSources(sources: readonly SourceCount[]): string {
  if (sources.length === 0) return 'none';
  const list = sources.map((s) => `${s.source} (${s.count})`);
  if (list.length <= 4) return list.join(', ');
  return `${list[0]} … ${list[list.length - 1]} (${sources.length} sources, ${sources.reduce((a, s) => a + s.count, 0)} rows)`;
}

export async function loadWindow(db: Database, key: SeriesKey, from: number, to: number, warmup: number): Promise<LoadedWindow> {
  const source = (await seriesSource(db, key, from, to)) ?? key.timeframe;
  const before = warmup > 0 ? await loadRecentDerivedCandles(db, key, source, from, warmup) : [];
  const inside = await loadDerivedCandles(db, key, source, from, to);
  const candles = before.concat(inside);
  const warmFrom = before.length ? before[0]!.openTime : from;
  const sources = await windowSources(db, { ...key, timeframe: source }, warmFrom, to);
  const derived = source !== key.timeframe;
  return {
    key,
    from,
    to,
    candles,
    warmup: before.length,
    windowCount: inside.length,
    dataHash: candleHash(candles),
    sources,
    dataSource: `${key.venue}:${key.symbol}:${key.timeframe}${derived ? ` (aggregated from ${source}, complete buckets)` : ''} ← ${summariseSources(sources)}`,
    ...(derived ? { derivedFrom: source } : {}),
  };
}
