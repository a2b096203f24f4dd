/**
 * ATR/price for the engine's risk cap and fill records: the simple mean of true range over the last `period`
 * candles divided by the close, computed directly at one index in a fixed summation order. It depends only on
 * candles i−period..i, so a chunk given that warm-up gets bit-identical values to a whole run.
 */
import type { CandleSeries } from '../candles/candle';

/** ATR(period)/close at index i of `s`, or null when fewer than period+1 candles precede it (inclusive). */
export function atrPctAt(s: CandleSeries, i: number, period: number): number | null {
  if (i - period < 0 || i >= s.length) return null;
  const { high, low, close } = s;
  let sum = 0;
  for (let j = i - period + 1; j <= i; j++) {
    const h = high[j]!;
    const l = low[j]!;
    const pc = close[j - 1]!;
    sum += Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
  }
  const c = close[i]!;
  return c > 0 ? sum / period / c : null;
}
