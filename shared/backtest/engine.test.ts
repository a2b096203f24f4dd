import { describe, expect, it } from 'vitest';
import type { BacktestConfigInput } from './config';
import { runBacktest } from './engine';
import { flatRows, mkSeries, scripted, T0 } from './fixtures.test-util';
import type { CandleSeries } from '../candles/candle';
import type { Params, Signal, Strategy } from '../strategies/types';

const H = 3_600_000;
type Row = [number, number, number, number];

function run(series: CandleSeries, strat: Strategy<Params, Float64Array>, cfg: BacktestConfigInput = {}) {
  return runBacktest(series, strat, {}, { from: T0, costs: ['stress-31', 'binance-taker', 'binance-maker'], ...cfg });
}

const buy = (extra: Partial<Signal> = {}): Signal => ({ action: 'BUY', reason: 'test buy', ...extra });
const sell = (extra: Partial<Signal> = {}): Signal => ({ action: 'SELL', reason: 'test sell', ...extra });

describe('fills: a signal on candle t fills at t+1 open at the earliest', () => {
  it('market entry at the next open, never at the signal close', () => {
    const rows = flatRows(10);
    rows[3] = [100, 101.5, 99.5, 101]; // signal candle closes at 101
    rows[4] = [102, 103, 101.5, 102.5]; // next open gaps to 102
    rows[7] = [104, 104.5, 103, 103.5];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 3: buy(), 6: sell() }));
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect(t.signalTime).toBe(T0 + 3 * H);
    expect(t.entryTime).toBe(T0 + 4 * H);
    expect(t.entryPrice).toBe(102);
    expect(t.entryPrice).not.toBe(101);
    expect(t.entryLiquidity).toBe('taker');
    expect(t.exitTime).toBe(T0 + 7 * H);
    expect(t.exitPrice).toBe(104);
    expect(t.exitKind).toBe('signal');
    expect(t.exitReason).toBe('test sell');
    expect(t.entryReason).toBe('test buy');
    expect(t.bars).toBe(3);
    expect(t.grossReturn).toBeCloseTo(104 / 102 - 1, 15);
    expect(r.series.bars).toBe(10);
    expect(r.gross.exposure).toBeCloseTo(0.3, 15);
    expect(r.gross.meanHoldingMs).toBe(3 * H);
  });

  it('for every trade on a random series, entry and exit happen strictly after their signal candle', () => {
    // Each candle's close differs from the next open, so a same-candle fill would be visible.
    const rows: Row[] = [];
    let p = 100;
    for (let i = 0; i < 200; i++) {
      const o = p;
      const c = o + Math.sin(i * 0.7) * 2;
      rows.push([o, Math.max(o, c) + 1, Math.min(o, c) - 1, c]);
      p = c + 0.3;
    }
    const s = mkSeries(rows);
    const sig: Record<number, Signal> = {};
    for (let i = 5; i < 195; i += 7) sig[i] = i % 2 ? buy() : sell();
    const r = run(s, scripted(s, sig));
    expect(r.trades.length).toBeGreaterThan(5);
    for (const t of r.trades) {
      const si = (t.signalTime - T0) / H;
      expect(t.entryTime).toBeGreaterThan(t.signalTime);
      expect(t.entryPrice).toBe(rows[si + 1]![0]);
      expect(t.entryPrice).not.toBe(rows[si]![3]);
      if (t.exitKind === 'signal') expect(t.exitPrice).toBe(rows[(t.exitTime - T0) / H]![0]);
    }
  });

  it('a signal on the last candle cannot fill; an open position closes at the last close (end-of-data)', () => {
    const rows = flatRows(6);
    rows[5] = [100, 101, 99, 100.7];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy(), 5: buy() }));
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]!.exitKind).toBe('end-of-data');
    expect(r.trades[0]!.exitPrice).toBe(100.7);
    expect(r.trades[0]!.exitTime).toBe(T0 + 6 * H);
    expect(r.trades[0]!.bars).toBe(3);
  });
});

describe('stops', () => {
  it('pessimistic ordering: stop and take-profit touched in one candle → the stop fills', () => {
    const rows = flatRows(8);
    rows[4] = [100, 106, 94, 100]; // touches both 95 stop and 105 TP
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ stopLoss: 95, takeProfit: 105 }) }));
    expect(r.trades[0]!.exitKind).toBe('stop');
    expect(r.trades[0]!.exitPrice).toBe(95);
    expect(r.trades[0]!.exitTime).toBe(T0 + 4 * H);
    expect(r.trades[0]!.exitLiquidity).toBe('taker');
    expect(r.trades[0]!.bars).toBe(2);
  });

  it('a gap through the stop fills at the (worse) open', () => {
    const rows = flatRows(8);
    rows[5] = [90, 91, 88, 89];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ stopLoss: 95 }) }));
    expect(r.trades[0]!.exitKind).toBe('stop');
    expect(r.trades[0]!.exitPrice).toBe(90);
  });

  it('take-profit fills at the limit, or at a better gapped open', () => {
    const rows = flatRows(8);
    rows[4] = [100, 105.5, 99.8, 105];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ stopLoss: 95, takeProfit: 105 }) }));
    expect(r.trades[0]!.exitKind).toBe('take-profit');
    expect(r.trades[0]!.exitPrice).toBe(105);
    expect(r.trades[0]!.exitLiquidity).toBe('maker');
    const rows2 = flatRows(8);
    rows2[4] = [107, 108, 106, 107];
    const s2 = mkSeries(rows2);
    const r2 = run(s2, scripted(s2, { 2: buy({ stopLoss: 95, takeProfit: 105 }) }));
    expect(r2.trades[0]!.exitPrice).toBe(107);
  });

  it('the stop is live in the entry candle itself', () => {
    const rows = flatRows(8);
    rows[3] = [100, 100.2, 96, 97];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ stopLoss: 97.5 }) }));
    expect(r.trades[0]!.entryTime).toBe(T0 + 3 * H);
    expect(r.trades[0]!.exitTime).toBe(T0 + 3 * H);
    expect(r.trades[0]!.exitPrice).toBe(97.5);
    expect(r.trades[0]!.bars).toBe(1);
  });

  it('trailing stop ratchets with the high after each candle and fills at the trail level', () => {
    const rows = flatRows(10);
    rows[3] = [100, 104, 99.8, 103.5]; // best 104 → trail 104 × 0.98 = 101.92 from candle 4
    rows[4] = [103.5, 110, 103, 109]; // low 103 > 101.92; best → 110, trail 107.8
    rows[5] = [109, 109.5, 107, 107.5]; // low 107 < 107.8 → trailing exit at 107.8
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ trailingStop: 0.02, stopLoss: 90 }) }));
    const t = r.trades[0]!;
    expect(t.exitKind).toBe('trailing');
    expect(t.exitTime).toBe(T0 + 5 * H);
    expect(t.exitPrice).toBeCloseTo(107.8, 10);
  });

  it('trailing stop does not use the same candle high before checking its low', () => {
    const rows = flatRows(8);
    rows[3] = [100, 110, 98.5, 100]; // entry candle: level is 98 (100 × 0.98), low 98.5 → no exit
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ trailingStop: 0.02 }) }));
    // candle 4 low 99.5 < 110 × 0.98 = 107.8 → exit at the open 100 (gap below the ratcheted trail)
    expect(r.trades[0]!.exitTime).toBe(T0 + 4 * H);
    expect(r.trades[0]!.exitPrice).toBe(100);
    expect(r.trades[0]!.exitKind).toBe('trailing');
  });
});

describe('limit entries', () => {
  it('fill at the limit when a later candle reaches it (maker), then stops apply pessimistically', () => {
    const rows = flatRows(10);
    rows[4] = [100, 100.4, 98.7, 99.5]; // reaches 99 → fill at 99
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ limitPrice: 99, stopLoss: 97, takeProfit: 100.2 }), 7: sell() }));
    const t = r.trades[0]!;
    expect(t.entryPrice).toBe(99);
    expect(t.entryLiquidity).toBe('maker');
    expect(t.entryTime).toBe(T0 + 4 * H);
    // TP 100.2 is inside candle 4's range but may have come before the fill: not taken in the entry candle.
    expect(t.exitKind).toBe('take-profit');
    expect(t.exitTime).toBe(T0 + 5 * H);
    expect(r.net['binance-maker']).toBeDefined();
    expect(t.roundTripBps['binance-maker']).toBe(20);
  });

  it('expires after limitExpiryCandles', () => {
    const rows = flatRows(12);
    rows[6] = [100, 100.4, 98.7, 99.5]; // reaches 99 only on the 4th candle after the signal
    const s = mkSeries(rows);
    const strat = scripted(s, { 2: buy({ limitPrice: 99 }) });
    const r3 = run(s, strat, { limitExpiryCandles: 3 });
    expect(r3.trades).toHaveLength(0);
    expect(r3.skipped.limitExpired).toBe(1);
    const r4 = run(s, strat, { limitExpiryCandles: 4 });
    expect(r4.trades).toHaveLength(1);
    expect(r4.trades[0]!.entryTime).toBe(T0 + 6 * H);
  });

  it('a limit already through the price on arrival fills at the open as taker', () => {
    const rows = flatRows(8);
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ limitPrice: 101 }), 5: sell() }));
    expect(r.trades[0]!.entryPrice).toBe(100);
    expect(r.trades[0]!.entryLiquidity).toBe('taker');
  });

  it('an EXIT signal cancels a pending limit', () => {
    const rows = flatRows(10);
    rows[5] = [100, 100.4, 98.7, 99.5];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy({ limitPrice: 99 }), 3: { action: 'EXIT', reason: 'x' } }), { limitExpiryCandles: 5 });
    expect(r.trades).toHaveLength(0);
    expect(r.skipped.limitCancelled).toBe(1);
  });
});

describe('shorts', () => {
  it('SELL opens a short only when the strategy allows shorts; BUY closes it', () => {
    const rows = flatRows(10);
    rows[3] = [100, 100.5, 99, 99];
    rows[6] = [95, 95.5, 94.5, 95];
    const s = mkSeries(rows);
    const sig = { 2: sell({ stopLoss: 103 }), 5: buy() };
    const longOnly = run(s, scripted(s, sig));
    expect(longOnly.trades).toHaveLength(1); // the BUY at 5 opens a long instead
    expect(longOnly.trades[0]!.side).toBe('long');
    const r = run(s, scripted(s, sig, { allowShort: true }));
    const t = r.trades[0]!;
    expect(t.side).toBe('short');
    expect(t.entryPrice).toBe(100);
    expect(t.exitPrice).toBe(95);
    expect(t.grossReturn).toBeCloseTo(0.05, 15);
  });

  it('short stop fills on the high, gap-through at the open', () => {
    const rows = flatRows(10);
    rows[4] = [100, 103.5, 99, 101];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: sell({ stopLoss: 103, takeProfit: 99.2 }) }, { allowShort: true }));
    expect(r.trades[0]!.exitKind).toBe('stop'); // both touched: stop first
    expect(r.trades[0]!.exitPrice).toBe(103);
    const rows2 = flatRows(10);
    rows2[4] = [104, 105, 103.8, 104];
    const s2 = mkSeries(rows2);
    const r2 = run(s2, scripted(s2, { 2: sell({ stopLoss: 103 }) }, { allowShort: true }));
    expect(r2.trades[0]!.exitPrice).toBe(104);
    expect(r2.trades[0]!.grossReturn).toBeCloseTo(-0.04, 15);
  });
});

describe('risk rules', () => {
  it('ATR/price cap skips entries in volatile conditions', () => {
    const rows: Row[] = Array.from({ length: 40 }, (_, i) => (i < 20 ? [100, 101, 99, 100] : [100, 110, 90, 100]));
    const s = mkSeries(rows);
    const strat = scripted(s, { 16: buy(), 18: sell(), 30: buy(), 33: sell() });
    const r = run(s, strat, { risk: { maxAtrPct: 0.05 }, atrPeriod: 5 });
    expect(r.trades).toHaveLength(1); // ATR/price 2 % at 16, 20 % at 30
    expect(r.trades[0]!.signalTime).toBe(T0 + 16 * H);
    expect(r.trades[0]!.entryAtrPct).toBeCloseTo(0.02, 12);
    expect(r.skipped.atrCap).toBe(1);
  });

  it('cooldown ignores entry signals for N candles from the exit candle', () => {
    const s = mkSeries(flatRows(20));
    const strat = scripted(s, { 2: buy(), 4: sell(), 5: buy(), 7: sell(), 8: buy(), 10: sell() });
    expect(run(s, strat).trades).toHaveLength(3);
    const r = run(s, strat, { risk: { cooldownCandles: 2 } }); // exit at candle 5 → signals at 5, 6 ignored
    expect(r.trades.map((t) => (t.signalTime - T0) / H)).toEqual([2, 8]);
    expect(r.skipped.cooldown).toBe(1);
  });

  it('circuit breaker pauses after K consecutive losses', () => {
    const rows = flatRows(40);
    for (const k of [4, 8]) rows[k] = [99, 99.5, 98.5, 99]; // exit at 99 → loss
    const s = mkSeries(rows);
    const strat = scripted(s, { 1: buy(), 3: sell(), 5: buy(), 7: sell(), 9: buy(), 11: sell(), 20: buy(), 22: sell() });
    const r = run(s, strat, { risk: { circuitBreaker: { losses: 2, pauseCandles: 5 } } });
    // two losses (exits at 4 and 8) → signals on candles 8..12 ignored; 20 trades again
    expect(r.trades.map((t) => (t.signalTime - T0) / H)).toEqual([1, 5, 20]);
    expect(r.skipped.circuitBreaker).toBe(1);
  });

  it('sizing: fixed notional moves equity additively, percent-of-equity compounds', () => {
    const rows = flatRows(12);
    for (const k of [4, 5, 6, 7]) rows[k] = [110, 110.5, 109.5, 110];
    rows[8] = [121, 121.5, 120.5, 121];
    const s = mkSeries(rows);
    const strat = scripted(s, { 2: buy(), 3: sell(), 6: buy(), 7: sell() });
    // trade 1: 100 → 110 (+10 %); trade 2: 110 → 121 (+10 %)
    const fixed = run(s, strat, { sizing: { kind: 'fixed-notional', notional: 1000 }, initialEquity: 10_000 });
    expect(fixed.gross.totalReturn).toBeCloseTo(0.02, 12);
    const pct = run(s, strat, { sizing: { kind: 'percent-equity', fraction: 0.5 }, initialEquity: 10_000 });
    expect(pct.gross.totalReturn).toBeCloseTo(1.05 * 1.05 - 1, 12);
    expect(pct.gross.compoundedReturn).toBeCloseTo(0.21, 12);
  });
});

describe('costs per preset', () => {
  it('every trade carries gross and per-preset net; break-even is the round trip zeroing mean net', () => {
    const rows = flatRows(12);
    rows[4] = [101, 101.5, 100.5, 101];
    const s = mkSeries(rows);
    const r = run(s, scripted(s, { 2: buy(), 3: sell() }));
    const t = r.trades[0]!;
    expect(t.grossReturn).toBeCloseTo(0.01, 15);
    expect(t.roundTripBps['stress-31']).toBe(62);
    // Cash account (methodology.md, fee convention): r · (1 − f_exit) / (1 + f_entry) − 1.
    expect(t.net['stress-31']).toBeCloseTo((1.01 * (1 - 0.0031)) / (1 + 0.0031) - 1, 15);
    expect(t.net['binance-taker']).toBeCloseTo((1.01 * (1 - 0.001)) / (1 + 0.001) - 1, 15);
    expect(r.net['stress-31']!.meanReturn).toBeCloseTo(t.net['stress-31']!, 15);
    // break-even c: (0.01 − c/2 − c/2 × 1.01) / (1 + c/2) = 0 → c = 0.02 / 2.01
    expect(r.breakEvenRoundTripBps).toBeCloseTo((0.02 / 2.01) * 1e4, 9);
  });
});

describe('determinism', () => {
  it('two runs give the same hash and byte-identical JSON', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 300; i++) {
      const c = 100 + 10 * Math.sin(i / 9);
      rows.push([c - 0.2, c + 1, c - 1, c]);
    }
    const s = mkSeries(rows);
    const sig: Record<number, Signal> = {};
    for (let i = 3; i < 290; i += 11) sig[i] = i % 2 ? buy({ stopLoss: rows[i]![3] * 0.97, trailingStop: 0.03 }) : sell();
    const a = run(s, scripted(s, sig), { costs: undefined });
    const b = run(s, scripted(s, sig), { costs: undefined });
    expect(a.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.resultHash).toBe(b.resultHash);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a.net)).toHaveLength(11);
    const c = run(s, scripted(s, { ...sig, 290: sell() }), { costs: undefined });
    expect(c.resultHash).not.toBe(a.resultHash);
  });
});
