import { describe, expect, it } from 'vitest';
import { MAX_RANGES_PER_CYCLE, planFetches, planFetchWindow, REPAIR_HORIZON_MS, unansweredRanges } from './fetch-window';

const T = Date.UTC(2022, 3, 16, 13, 47, 30);

describe('planFetchWindow', () => {
  it('fetches from the candle after the last stored one to the newest closed', () => {
    const w = planFetchWindow(Date.UTC(2022, 3, 16, 13, 30), '5m', T, 2000)!;
    expect(w.since).toBe(Date.UTC(2022, 3, 16, 13, 35));
    expect(w.until).toBe(Date.UTC(2022, 3, 16, 13, 45)); // 13:40 is the newest closed; 13:45 is still open
    expect(w.expected).toBe(2);
    expect(w.skipped).toBe(0);
  });
  it('returns null when up to date', () => {
    expect(planFetchWindow(Date.UTC(2022, 3, 16, 13, 40), '5m', T, 2000)).toBeNull();
  });
  it('bounds the backfill and reports what it skipped', () => {
    const w = planFetchWindow(Date.UTC(2022, 3, 1), '1h', T, 24)!;
    expect(w.expected).toBe(24);
    expect(w.skipped).toBeGreaterThan(0);
    expect(planFetchWindow(null, '4h', T, 10)!.expected).toBe(10);
  });
});

describe('planFetches (from the stored coverage)', () => {
  const M5 = 300_000;
  const newest = Date.UTC(2022, 3, 16, 13, 40);
  const gap = (from: number, to: number) => ({ from, to, missing: (to - from) / M5 });

  it('plans the tail and every hole inside the stored range, newest first, within the budget', () => {
    const last = newest - 2 * M5;
    const holes = [gap(newest - 100 * M5, newest - 90 * M5), gap(newest - 50 * M5, newest - 49 * M5)];
    const p = planFetches({ last, holes }, '5m', T, 2000);
    expect(p.ranges).toEqual([
      { since: newest - M5, until: newest + M5 },
      { since: newest - 50 * M5, until: newest - 49 * M5 },
      { since: newest - 100 * M5, until: newest - 90 * M5 },
    ]);
    expect(p).toMatchObject({ expected: 13, skipped: 0 });
  });

  it('a tail longer than the budget takes its newest part; the rest is counted, and later cycles fill it as a hole', () => {
    const last = newest - 1000 * M5;
    const p1 = planFetches({ last, holes: [] }, '5m', T, 300);
    expect(p1.ranges).toEqual([{ since: newest - 299 * M5, until: newest + M5 }]);
    expect(p1).toMatchObject({ expected: 300, skipped: 700 });
    // Next cycle: the store has the newest 300, so the remainder is a hole inside the stored range.
    const p2 = planFetches({ last: newest, holes: [gap(last + M5, newest - 299 * M5)] }, '5m', T, 300);
    expect(p2.ranges).toEqual([{ since: newest - 599 * M5, until: newest - 299 * M5 }]);
    expect(p2.skipped).toBe(400);
  });

  it('skips ranges the venue already answered with nothing, and holes before the repair horizon', () => {
    const holes = [gap(newest - 20 * M5, newest - 10 * M5), gap(T - REPAIR_HORIZON_MS - 10 * M5, T - REPAIR_HORIZON_MS + 5 * M5)];
    const p = planFetches({ last: newest, holes, venueGaps: [{ from: newest - 20 * M5, to: newest - 15 * M5 }] }, '5m', T, 2000);
    const horizonStart = Math.ceil((T - REPAIR_HORIZON_MS) / M5) * M5;
    expect(p.ranges).toEqual([
      { since: newest - 15 * M5, until: newest - 10 * M5 },
      { since: horizonStart, until: T - REPAIR_HORIZON_MS + 5 * M5 },
    ]);
  });

  it('bounds the number of ranges per cycle', () => {
    const holes = Array.from({ length: 20 }, (_, i) => gap(newest - (100 - 4 * i) * M5, newest - (99 - 4 * i) * M5));
    const p = planFetches({ last: newest, holes }, '5m', T, 2000);
    expect(p.ranges).toHaveLength(MAX_RANGES_PER_CYCLE);
    expect(p.skipped).toBe(20 - MAX_RANGES_PER_CYCLE);
  });
});

describe('unansweredRanges', () => {
  it('merges the closed open times the venue did not return, leaving recent ones to be asked again', () => {
    const H = 3_600_000;
    const t0 = Date.UTC(2022, 0, 1);
    const now = t0 + 10 * H;
    const got = [t0 + H, t0 + 4 * H];
    // 1h settle = max(1h, 3 × 1h) = 3h: candles closing after now − 3h (opens ≥ t0 + 7h) are not final yet.
    expect(unansweredRanges({ since: t0, until: t0 + 10 * H }, got, '1h', now)).toEqual([
      { from: t0, to: t0 + H },
      { from: t0 + 2 * H, to: t0 + 4 * H },
      { from: t0 + 5 * H, to: t0 + 7 * H },
    ]);
  });
});
