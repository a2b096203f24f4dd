import { describe, expect, it } from 'vitest';
import {
  dailySummaryKey,
  dailySummaryText,
  drawdownFrom,
  isDemotionOrStop,
  isNotificationKind,
  notificationKindOf,
  summaryDay,
} from './notifications';
import { mergeIncrements } from '../db/queries/ops-counters';

describe('notification kinds', () => {
  it('maps dedupe keys to their kind: heartbeat alerts are `service`, signals and unknown prefixes none', () => {
    expect(notificationKindOf('heartbeat-stale:ingest:123')).toBe('service');
    expect(notificationKindOf('heartbeat-ok-again:ingest:binance:1')).toBe('service');
    expect(notificationKindOf('paper-divergence:4:1650000000000')).toBe('paper-divergence');
    expect(notificationKindOf(dailySummaryKey(Date.UTC(2022, 3, 15)))).toBe('paper-daily');
    expect(notificationKindOf('signal:17')).toBeNull();
    expect(notificationKindOf('service:x')).toBeNull();
    expect(isNotificationKind('constructor')).toBe(false);
  });
});

describe('daily summary', () => {
  it('is about the previous UTC day, one key per day', () => {
    expect(summaryDay(Date.UTC(2022, 3, 16, 0, 5))).toBe(Date.UTC(2022, 3, 15));
    expect(summaryDay(Date.UTC(2022, 3, 16, 23, 55))).toBe(Date.UTC(2022, 3, 15));
    expect(dailySummaryKey(Date.UTC(2022, 3, 15))).toBe('paper-daily:2022-04-15');
    const text = dailySummaryText(Date.UTC(2022, 3, 15), [
      { label: 'a binance BTC/USDT 5m', equity: 10_050, pnl: 50, initialEquity: 10_000, fills: 2, divergences: 0 },
      { label: 'b kraken BTC/USDT 5m', equity: 9_900, pnl: -100, initialEquity: 10_000, fills: 1, divergences: 2 },
    ]);
    expect(text.split('\n')).toEqual([
      '📒 Paper PnL 2022-04-15: −50.00 over 2 account(s)',
      '• a binance BTC/USDT 5m: +50.00 (0.50%), equity 10050.00, 2 fill(s)',
      '• b kraken BTC/USDT 5m: −100.00 (-1.00%), equity 9900.00, 1 fill(s), 2 divergence(s)',
    ]);
  });
});

describe('drawdownFrom', () => {
  it('measures from the earliest highest point; a new high is a new peak (a new episode key)', () => {
    const h = [
      { at: 1, equity: 100 },
      { at: 2, equity: 120 },
      { at: 3, equity: 120 },
      { at: 4, equity: 90 },
    ];
    expect(drawdownFrom(h, 96)).toEqual({ peak: { at: 2, equity: 120 }, equity: 96, pct: 20 });
    expect(drawdownFrom([...h, { at: 5, equity: 130 }], 130)!.pct).toBe(0);
    expect(drawdownFrom([...h, { at: 5, equity: 130 }], 117)!.peak.at).toBe(5);
    expect(drawdownFrom([], 10)).toBeNull();
    expect(drawdownFrom([{ at: 1, equity: 0 }], 10)).toBeNull();
  });
});

// The lifecycle: research → watch → paper, or rejected (stopped).
const moves: [string, string, boolean][] = [
  ['paper', 'watch', true],
  ['paper', 'research', true],
  ['watch', 'research', true],
  ['watch', 'rejected', true],
  ['paper', 'rejected', true],
  ['research', 'watch', false],
  ['watch', 'paper', false],
  ['paper', 'paper', false],
  ['rejected', 'research', false],
];

describe('isDemotionOrStop', () => {
  it.each(moves)('%s → %s: %s', (from, to, want) => {
    expect(isDemotionOrStop(from, to)).toBe(want);
  });
});

describe('mergeIncrements', () => {
  it('sums one name and label set (key order ignored) and refuses negative or non-finite increments', () => {
    expect(
      mergeIncrements([
        { name: 'c', labels: { b: '1', a: '2' }, by: 2 },
        { name: 'c', labels: { a: '2', b: '1' }, by: 3 },
        { name: 'c', by: 0 },
      ]),
    ).toEqual([
      { name: 'c', labels: { a: '2', b: '1' }, by: 5 },
      { name: 'c', labels: {}, by: 0 },
    ]);
    expect(() => mergeIncrements([{ name: 'c', by: -1 }])).toThrow(/≥ 0/);
    expect(() => mergeIncrements([{ name: 'c', by: NaN }])).toThrow(/finite/);
  });
});
