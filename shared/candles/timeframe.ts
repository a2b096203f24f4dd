/**
 * Timeframes: the closed set of candle intervals the platform stores or derives, their length in milliseconds,
 * and grid arithmetic (is an open time on the grid, the open of the candle containing a time, is it closed).
 */
export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export function isTimeframe(x: string): x is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(x);
}

export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAME_MS[tf];
}

/** True when `openTime` (ms UTC) is on the timeframe's grid (UTC-aligned, as every venue here aligns them). */
export function isOnGrid(openTime: number, tf: Timeframe): boolean {
  return openTime % TIMEFRAME_MS[tf] === 0;
}

/** Open time of the candle of timeframe `tf` that contains instant `t`. */
export function floorToGrid(t: number, tf: Timeframe): number {
  const ms = TIMEFRAME_MS[tf];
  return Math.floor(t / ms) * ms;
}

/** A candle opening at `openTime` is closed at instant `now` when its whole interval has elapsed. */
export function isClosed(openTime: number, tf: Timeframe, now: number): boolean {
  return openTime + TIMEFRAME_MS[tf] <= now;
}

/** Open time of the newest candle that is closed at instant `now`. */
export function lastClosedOpenTime(tf: Timeframe, now: number): number {
  return floorToGrid(now, tf) - TIMEFRAME_MS[tf];
}
