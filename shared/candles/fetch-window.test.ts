import { describe, expect, it } from 'vitest';
import { planFetchWindow } from './fetch-window';

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
