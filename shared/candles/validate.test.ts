import { describe, expect, it } from 'vitest';
import { describeWithData } from '../testing/data';
import type { Candle } from './candle';
import { countIssues } from './issue';
import { loadArchiveFiles } from './real-data.test-util';
import { validateCandles } from './validate';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const NOW = Date.UTC(2030, 0, 1);
const c = (i: number, over: Partial<Candle> = {}): Candle => ({ openTime: T0 + i * H, open: 100, high: 110, low: 90, close: 105, volume: 1, ...over });

describe('validateCandles', () => {
  it('keeps good rows, quarantines each bad one with its reason', () => {
    const rows: Candle[] = [
      c(0),
      c(1, { high: Number.NaN }),
      c(2, { high: 80, low: 90, open: 85, close: 85 }), // high < low
      c(3, { high: 104 }), // high below close
      c(4, { low: 101 }), // low above open
      c(5, { volume: -1 }),
      c(6, { openTime: T0 + 6 * H + 1 }), // off-grid
      c(7, { open: 0, low: 0 }),
      c(8),
      c(9, { openTime: Number.POSITIVE_INFINITY }),
      c(10, { openTime: T0 + 10.5 * H + 0.5 }), // not an integer
    ];
    const { valid, issues } = validateCandles(rows, { timeframe: '1h', now: NOW });
    expect(valid.map((v) => v.openTime)).toEqual([T0, T0 + 8 * H]);
    expect(issues.map((i) => i.reason)).toEqual([
      'non-finite',
      'high-below-low',
      'high-below-body',
      'low-above-body',
      'negative-volume',
      'off-grid',
      'non-positive-price',
      'non-finite',
      'non-finite',
    ]);
    expect(issues[0]!).toMatchObject({ openTime: T0 + H, detail: 'high is NaN', raw: rows[1] });
    expect(issues[8]!.openTime).toBeNull();
    expect(issues[5]!.detail).toContain('off by 1 ms');
  });

  it('drops open and future candles against the passed-in clock', () => {
    const now = T0 + 3 * H + 30 * 60_000; // 03:30
    const { valid, issues } = validateCandles([c(0), c(1), c(2), c(3), c(4)], { timeframe: '1h', now });
    expect(valid.map((v) => v.openTime)).toEqual([T0, T0 + H, T0 + 2 * H]); // 02:00 closed at 03:00 ≤ 03:30
    expect(issues.map((i) => [i.reason, i.openTime])).toEqual([
      ['future', T0 + 3 * H], // still open
      ['future', T0 + 4 * H],
    ]);
    // exactly at the close instant the candle is closed
    expect(validateCandles([c(3)], { timeframe: '1h', now: T0 + 4 * H }).valid).toHaveLength(1);
  });

  it('never lets a duplicate through: identical → first kept, conflicting → none kept', () => {
    const rows = [c(2), c(0), c(1), c(0), c(1, { close: 106 }), c(0), c(3, { volume: -5 }), c(3)];
    const { valid, issues } = validateCandles(rows, { timeframe: '1h', now: NOW });
    expect(valid.map((v) => v.openTime)).toEqual([T0, T0 + 2 * H, T0 + 3 * H]); // sorted; 01:00 conflict dropped
    expect(countIssues(issues)).toEqual({ 'negative-volume': 1, duplicate: 2, 'duplicate-conflict': 2 });
    const conflict = issues.filter((i) => i.reason === 'duplicate-conflict');
    expect(conflict.map((i) => i.raw)).toEqual([rows[2], rows[4]]);
    const times = valid.map((v) => v.openTime);
    expect(new Set(times).size).toBe(times.length);
  });

  it('returns fresh candle objects with only the six fields', () => {
    const row = { ...c(0), closeTime: 123 } as Candle;
    const { valid } = validateCandles([row], { timeframe: '1h', now: NOW });
    expect(valid[0]).toEqual(c(0));
    expect(valid[0]).not.toBe(row);
  });

  it('refuses a non-finite clock', () => {
    expect(() => validateCandles([], { timeframe: '1h', now: Number.NaN })).toThrow(RangeError);
  });
});

describeWithData('validateCandles on the real 2018-02 archive (off-grid block)', () => {
  it('quarantines exactly the 43 off-grid rows and keeps the rest', () => {
    const feb = loadArchiveFiles('BTCUSDT').find((f) => f.file === 'BTCUSDT-1h-2018-02.csv')!;
    const { valid, issues } = validateCandles(feb.candles, { timeframe: '1h', now: NOW });
    expect(issues).toHaveLength(43);
    expect(issues.every((i) => i.reason === 'off-grid')).toBe(true);
    expect(issues[0]!.openTime).toBe(1518168494789); // 2018-02-09T09:28:14.789Z
    expect(issues[42]!.openTime).toBe(1518319694789);
    expect(valid).toHaveLength(feb.candles.length - 43);
    expect(valid.every((v) => v.openTime % 3_600_000 === 0)).toBe(true);
    expect(valid.some((v) => v.openTime === Date.UTC(2018, 1, 11, 4))).toBe(true); // back on the hour
  });
});
