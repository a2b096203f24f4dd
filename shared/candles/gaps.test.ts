import { describe, expect, it } from 'vitest';
import { describeWithData } from '../testing/data';
import { coverage, findGaps } from './gaps';
import { iso, loadArchiveCandles } from './real-data.test-util';
import { validateCandles } from './validate';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const at = (...hours: number[]): number[] => hours.map((h) => T0 + h * H);

describe('findGaps / coverage', () => {
  it('finds interior runs of missing candles', () => {
    expect(findGaps(at(0, 1, 2, 5, 6, 8), '1h')).toEqual([
      { from: T0 + 3 * H, to: T0 + 5 * H, missing: 2 },
      { from: T0 + 7 * H, to: T0 + 8 * H, missing: 1 },
    ]);
    expect(findGaps([], '1h')).toEqual([]);
    expect(findGaps(at(3), '1h')).toEqual([]);
  });

  it('reports head and tail gaps against a window and ignores times outside it', () => {
    const w = { from: T0, to: T0 + 10 * H };
    expect(findGaps(at(-1, 2, 3, 7, 12), '1h', w)).toEqual([
      { from: T0, to: T0 + 2 * H, missing: 2 },
      { from: T0 + 4 * H, to: T0 + 7 * H, missing: 3 },
      { from: T0 + 8 * H, to: T0 + 10 * H, missing: 2 },
    ]);
    expect(findGaps([], '1h', w)).toEqual([{ from: T0, to: T0 + 10 * H, missing: 10 }]);
    expect(coverage(at(-1, 2, 3, 7, 12), '1h', w)).toEqual({ first: T0 + 2 * H, last: T0 + 7 * H, expected: 10, present: 3, missing: 7, ratio: 0.3 });
  });

  it('summarises coverage over first..last', () => {
    expect(coverage(at(0, 1, 3), '1h')).toEqual({ first: T0, last: T0 + 3 * H, expected: 4, present: 3, missing: 1, ratio: 0.75 });
    expect(coverage([], '1h')).toEqual({ first: null, last: null, expected: 0, present: 0, missing: 0, ratio: 1 });
  });

  it('refuses unsorted, duplicate or off-grid input', () => {
    expect(() => findGaps(at(0, 2, 1), '1h')).toThrow(/strictly increasing/);
    expect(() => findGaps(at(0, 0), '1h')).toThrow(/strictly increasing/);
    expect(() => findGaps([T0 + 1], '1h')).toThrow(/grid/);
    expect(() => coverage(at(0), '1h', { from: T0 + 1, to: T0 + H })).toThrow(/window/);
  });
});

describeWithData('gaps in the real BTCUSDT 1h archive 2017-08..2022-02', () => {
  it('finds the 26 true gaps plus the quarantined off-grid block as one gap', () => {
    const { valid } = validateCandles(loadArchiveCandles('BTCUSDT'), { timeframe: '1h', now: Date.UTC(2030, 0, 1) });
    const gaps = findGaps(valid.map((c) => c.openTime), '1h');
    // PROVENANCE counts 28 discontinuities in the raw hourly sequence: 26 true gaps + entry into and exit from the
    // off-grid block. Once the 43 off-grid rows are quarantined, the outage and the block are one gap: 27.
    expect(gaps).toHaveLength(27);
    const block = gaps.find((g) => g.from === Date.UTC(2018, 1, 8, 1))!;
    expect(block).toEqual({ from: Date.UTC(2018, 1, 8, 1), to: Date.UTC(2018, 1, 11, 4), missing: 75 });
    const starts = gaps.map((g) => iso(g.from));
    expect(starts).toContain('2021-02-11T04:00:00.000Z');
    expect(starts).toContain('2021-03-06T02:00:00.000Z');
    expect(gaps.reduce((s, g) => s + g.missing, 0)).toBe(169);
    // 2021-Q1 has 2158 rows, not 2160
    const q1 = coverage(valid.map((c) => c.openTime), '1h', { from: Date.UTC(2021, 0, 1), to: Date.UTC(2021, 3, 1) });
    expect(q1).toMatchObject({ expected: 2160, present: 2158, missing: 2 });
  });
});
