import { describe, expect, it } from 'vitest';
import {
  notionalOfCapital,
  openPositionPnl,
  COST_PRESET_IDS,
  COST_PRESETS,
  STRESS_ROUND_TRIP_BPS,
  breakEvenRoundTripBps,
  costModelSchema,
  feeEntryAt,
  feeScheduleSchema,
  netReturn,
  roundTripBps,
  sideCostBps,
  withExecution,
  type CostModel,
  type TradeCostInput,
} from './index';

const T = Date.UTC(2024, 5, 1);
const taker: TradeCostInput = { entryTime: T, exitTime: T + 3_600_000, entryLiquidity: 'taker', exitLiquidity: 'taker' };
const limitIn: TradeCostInput = { ...taker, entryLiquidity: 'maker' };

describe('cost presets', () => {
  it('round trip per preset (base-tier spot fees; stress 31 per side = 62 round trip)', () => {
    const expected: Record<string, number> = {
      'binance-taker': 20,
      'binance-maker': 20,
      'kraken-taker': 80,
      'kraken-maker': 50,
      'coinbase-taker': 120,
      'coinbase-maker': 80,
      'okx-taker': 20,
      'okx-maker': 16,
      'bybit-taker': 20,
      'bybit-maker': 20,
      'stress-31': 62,
    };
    expect(Object.keys(expected).sort()).toEqual([...COST_PRESET_IDS].sort());
    for (const id of COST_PRESET_IDS) {
      expect(roundTripBps(id, taker)).toBe(expected[id]);
      expect(roundTripBps(id, limitIn)).toBe(expected[id]); // variants price every fill the same way
    }
    expect(STRESS_ROUND_TRIP_BPS).toBe(62);
    expect(sideCostBps('stress-31', { time: T, liquidity: 'maker' }).totalBps).toBe(31);
    for (const m of Object.values(COST_PRESETS)) expect(costModelSchema.parse(m)).toEqual(m);
  });

  it('as-filled liquidity uses each fill’s own side; spread and slippage only on taker fills', () => {
    const m = withExecution('kraken-taker', { id: 'kraken-real', liquidity: 'as-filled', halfSpreadBps: 2, slippage: { kind: 'fixed', bps: 3 } });
    expect(sideCostBps(m, { time: T, liquidity: 'taker' })).toEqual({ feeBps: 40, halfSpreadBps: 2, slippageBps: 3, totalBps: 45 });
    expect(sideCostBps(m, { time: T, liquidity: 'maker' })).toEqual({ feeBps: 25, halfSpreadBps: 0, slippageBps: 0, totalBps: 25 });
    expect(roundTripBps(m, limitIn)).toBe(70);
  });

  it('volatility-scaled slippage: k × ATR/price in bps, clamped', () => {
    const m = withExecution('binance-taker', { id: 'b-vol', slippage: { kind: 'atr', k: 0.1, minBps: 1, maxBps: 10 } });
    expect(sideCostBps(m, { time: T, liquidity: 'taker', atrPct: 0.02 }).slippageBps).toBe(10); // 0.1 × 200 bps = 20, capped at 10
    expect(sideCostBps(m, { time: T, liquidity: 'taker', atrPct: 0.005 }).slippageBps).toBeCloseTo(5, 12);
    expect(sideCostBps(m, { time: T, liquidity: 'taker', atrPct: null }).slippageBps).toBe(1);
  });

  it('picks the fee row in force at the fill time', () => {
    const schedule = feeScheduleSchema.parse({
      venue: 'x',
      product: 'spot',
      tier: 'base',
      entries: [
        { effectiveFrom: '2021-01-01', makerBps: 50, takerBps: 50, source: 'old' },
        { effectiveFrom: '2023-03-15', makerBps: 40, takerBps: 60, source: 'new' },
      ],
    });
    expect(feeEntryAt(schedule, Date.UTC(2020, 0, 1)).source).toBe('old'); // before the first row: first row
    expect(feeEntryAt(schedule, Date.UTC(2023, 2, 14, 23, 59)).source).toBe('old');
    expect(feeEntryAt(schedule, Date.UTC(2023, 2, 15)).source).toBe('new');
    const m: CostModel = costModelSchema.parse({ id: 'x-taker', label: 'x', schedule, liquidity: 'taker' });
    expect(roundTripBps(m, { ...taker, entryTime: Date.UTC(2022, 0, 1), exitTime: Date.UTC(2024, 0, 1) })).toBe(110);
    expect(() =>
      feeScheduleSchema.parse({ ...schedule, entries: [...schedule.entries].reverse() }),
    ).toThrow(/sorted/);
  });

  it('net return (cash account) and break-even', () => {
    // Issue 11 item 7: net ratio of a long round trip = r · (1 − f_exit) / (1 + f_entry).
    expect(netReturn(0.02, 10, 10, 1.02)).toBeCloseTo((1.02 * (1 - 0.001)) / (1 + 0.001) - 1, 15);
    // The same as a cash ledger: 1,000 committed, the 10 bps entry fee paid out of it, exit fee on the proceeds.
    const bought = 1000 / 1.001; // notional; fee = bought × 0.001, bought + fee = 1000
    const proceeds = bought * 1.02 * (1 - 0.001);
    expect(proceeds / 1000 - 1).toBeCloseTo(netReturn(0.02, 10, 10, 1.02), 15);
    expect(notionalOfCapital(1000, 0.001)).toBeCloseTo(bought, 12);
    // A short: sell N = C / (1 + f_entry), buy back at N × r plus the exit fee: (2 − r(1 + f_exit)) / (1 + f_entry).
    expect(netReturn(0.02, 10, 10, 0.98)).toBeCloseTo((2 - 0.98 * 1.001) / 1.001 - 1, 15);
    // Strictly below the pre-1.1.0 numerator on a winner, above it on a loser (it was a 1 + f_entry leverage).
    expect(netReturn(0.02, 10, 10, 1.02)).toBeLessThan(0.02 - 0.001 - 0.00102);
    expect(netReturn(-0.02, 10, 10, 0.98)).toBeGreaterThan(-0.02 - 0.001 - 0.00098);
    // Open position at a mark: −N·f_entry + side × N × (mark/entry − 1).
    expect(openPositionPnl(1000, 0.001, 1, 1.01)).toBeCloseTo(-bought * 0.001 + bought * 0.01, 12);
    expect(breakEvenRoundTripBps([0.01, 0.03], [1.01, 1.03])).toBeCloseTo(((2 * 0.02) / 2.02) * 1e4, 9);
    expect(breakEvenRoundTripBps([], [])).toBeNull();
  });
});
