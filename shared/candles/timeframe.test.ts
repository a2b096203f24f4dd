import { describe, expect, it } from 'vitest';
import { floorToGrid, isClosed, isOnGrid, lastClosedOpenTime, TIMEFRAME_MS } from './timeframe';

describe('timeframe grid', () => {
  it('knows the grid and closedness', () => {
    expect(TIMEFRAME_MS['4h']).toBe(14_400_000);
    expect(isOnGrid(Date.UTC(2022, 0, 1, 4), '4h')).toBe(true);
    expect(isOnGrid(1518168494789, '1h')).toBe(false); // a real off-grid Binance row (2018-02-09)
    expect(floorToGrid(Date.UTC(2022, 0, 1, 5, 7), '5m')).toBe(Date.UTC(2022, 0, 1, 5, 5));
    const now = Date.UTC(2022, 0, 1, 5, 7);
    expect(lastClosedOpenTime('5m', now)).toBe(Date.UTC(2022, 0, 1, 5, 0));
    expect(isClosed(Date.UTC(2022, 0, 1, 5, 5), '5m', now)).toBe(false);
    expect(isClosed(Date.UTC(2022, 0, 1, 5, 0), '5m', now)).toBe(true);
  });
});
