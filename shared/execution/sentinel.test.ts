import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runChunked } from '../backtest/chunking';
import { runBacktest } from '../backtest/engine';
import { flatRows, mkSeries, scripted, T0 } from '../backtest/fixtures.test-util';
import type { CandleSeries } from '../candles/candle';
import { runPortfolio } from '../portfolio/run';
import type { Params, Signal, Strategy } from '../strategies/types';
import { SentinelReferenceError, sentinelProbe } from './sentinel';

const H = 3_600_000;
const buy = (reason = 'buy'): Signal => ({ action: 'BUY', reason });
const named = (s: CandleSeries, symbol: string): CandleSeries => ({ ...s, symbol });

/** 12 flat hourly BTC candles at 100, candle `at` falling from 100 to 100·(1 − fall). */
function btc(at: number, fall: number, n = 12): CandleSeries {
  const rows = flatRows(n, 100);
  rows[at] = [100, 100.5, 100 * (1 - fall) - 0.5, 100 * (1 - fall)];
  return named(mkSeries(rows), 'BTC/USDT');
}

/** 12 hourly ETH candles whose open is 50 + i (so every fill price names its candle). */
function eth(n = 12): CandleSeries {
  return named(
    mkSeries(Array.from({ length: n }, (_, i) => [50 + i, 50 + i + 0.4, 50 + i - 0.4, 50 + i + 0.2] as [number, number, number, number])),
    'ETH/USDT',
  );
}

const SENTINEL = { risk: { sentinel: { dropPct: 0.05 } }, costs: ['binance-taker' as const] };

describe('Sentinel black-swan overlay (risk.sentinel)', () => {
  it('exits a long at the next open after BTC/USDT falls more than dropPct in one candle (single-series, reference input)', () => {
    const e = eth();
    const strat = scripted(e, { 1: buy() });
    const r = runBacktest(e, strat, {}, { ...SENTINEL, from: T0 }, { reference: btc(5, 0.08) });
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    // Entry at candle 2's open; BTC's candle 5 closed −8 % at the close of ETH candle 5 → exit at candle 6's open.
    expect(t).toMatchObject({ entryTime: T0 + 2 * H, entryPrice: 52, exitTime: T0 + 6 * H, exitPrice: 56, exitKind: 'signal' });
    expect(t.exitReason).toBe(`sentinel: BTC/USDT fell 8.00% in the candle opened ${new Date(T0 + 5 * H).toISOString()} (open 100 → close 92), more than 5.00%: exit every long`);
  });

  it('does not fire on a fall at or below dropPct, and without the rule the same fall changes nothing', () => {
    const e = eth();
    const strat = scripted(e, { 1: buy() });
    const small = runBacktest(e, strat, {}, { ...SENTINEL, from: T0 }, { reference: btc(5, 0.049) });
    expect(small.trades[0]).toMatchObject({ exitKind: 'end-of-data' });
    const off = runBacktest(e, strat, {}, { costs: ['binance-taker'], from: T0 }, { reference: btc(5, 0.5) });
    expect(off.trades[0]).toMatchObject({ exitKind: 'end-of-data' });
  });

  it('no lookahead: the decision on a candle sees only reference candles closed by its close', () => {
    const probe = sentinelProbe(btc(5, 0.08), { dropPct: 0.05, symbol: 'BTC/USDT' }, H);
    expect(probe(T0 + 4 * H)).toBeNull(); // BTC's candle 5 has not closed when ETH candle 4 closes
    expect(probe(T0 + 5 * H)).toMatch(/^sentinel: BTC\/USDT fell 8\.00%/);
    expect(probe(T0 + 6 * H)).toBeNull(); // each reference candle is seen by exactly one decision
    // A coarser decision (4h) sees every 1h reference candle that closed inside it, none from after its close.
    const p4 = sentinelProbe(btc(5, 0.08), { dropPct: 0.05, symbol: 'BTC/USDT' }, 4 * H);
    expect(p4(T0)).toBeNull(); // candles 0..3
    expect(p4(T0 + 4 * H)).not.toBeNull(); // candles 4..7 include 5
  });

  it('refuses a new long on the candle it fires, and counts it', () => {
    const e = eth();
    const strat = scripted(e, { 5: buy() });
    const r = runBacktest(e, strat, {}, { ...SENTINEL, from: T0 }, { reference: btc(5, 0.1) });
    expect(r.trades).toHaveLength(0);
    expect(r.skipped.sentinel).toBe(1);
  });

  it('leaves shorts alone', () => {
    const e = eth();
    const strat = scripted(e, { 1: { action: 'SELL', reason: 'short' } }, { allowShort: true });
    const r = runBacktest(e, strat, {}, { ...SENTINEL, from: T0 }, { reference: btc(5, 0.1) });
    expect(r.trades[0]).toMatchObject({ side: 'short', exitKind: 'end-of-data' });
  });

  it('a run of another symbol without the BTC/USDT reference is refused with the reason', () => {
    const e = eth();
    expect(() => runBacktest(e, scripted(e, { 1: buy() }), {}, SENTINEL)).toThrow(SentinelReferenceError);
    expect(() => runBacktest(e, scripted(e, { 1: buy() }), {}, SENTINEL)).toThrow(/ETH\/USDT needs the BTC\/USDT series as its reference input/);
    expect(() => runBacktest(e, scripted(e, { 1: buy() }), {}, SENTINEL, { reference: named(btc(5, 0.1), 'SOL/USDT') })).toThrow(/reference series is SOL\/USDT/);
  });

  it('a BTC/USDT run watches itself; chunked = whole with the overlay', () => {
    const rows = flatRows(60, 100);
    rows[20] = [100, 100.5, 89.5, 90];
    const b = named(mkSeries(rows), 'BTC/USDT');
    const sigs: Record<number, Signal> = {};
    for (let k = 2; k < 58; k += 7) sigs[k] = buy(`buy ${k}`);
    for (let k = 7; k < 58; k += 7) sigs[k] = { action: 'EXIT', reason: `exit ${k}` };
    const strat = scripted(b, sigs);
    const whole = runBacktest(b, strat, {}, { ...SENTINEL, from: T0 });
    expect(whole.trades.find((t) => t.exitReason.startsWith('sentinel'))).toMatchObject({ exitTime: T0 + 21 * H, exitPrice: 100 });
    for (const chunkCandles of [5, 11]) {
      expect(runChunked(b, strat, {}, { ...SENTINEL, from: T0 }, { chunkCandles }).result.resultHash).toBe(whole.resultHash);
    }
    // Another symbol with the reference input: chunked = whole too.
    const e = named(mkSeries(rows.map(([o, h, l, c]) => [o / 2, h / 2, l / 2, c / 2] as [number, number, number, number])), 'ETH/USDT');
    const es = scripted(e, sigs);
    const ew = runBacktest(e, es, {}, { ...SENTINEL, from: T0 }, { reference: b });
    expect(ew.trades.some((t) => t.exitReason.startsWith('sentinel'))).toBe(true);
    expect(runChunked(e, es, {}, { ...SENTINEL, from: T0 }, { chunkCandles: 7, reference: b }).result.resultHash).toBe(ew.resultHash);
  });

  it('is sweepable like any declared risk rule: a strategy maps a param to risk.sentinel', () => {
    const e = eth();
    const base = scripted(e, { 1: buy() });
    const schema = z.object({ drop: z.number() });
    const declared = { ...base, paramsSchema: schema as unknown as z.ZodType<Params>, risk: (p: Params) => ({ sentinel: { dropPct: p.drop as number } }) } as Strategy<Params, unknown>;
    const ref = btc(5, 0.08);
    const tight = runBacktest(e, declared, { drop: 0.05 }, { from: T0 }, { reference: ref });
    const loose = runBacktest(e, declared, { drop: 0.1 }, { from: T0 }, { reference: ref });
    expect(tight.config.risk.sentinel).toEqual({ dropPct: 0.05, symbol: 'BTC/USDT' });
    expect(tight.trades[0]!.exitKind).toBe('signal');
    expect(loose.trades[0]!.exitKind).toBe('end-of-data');
  });

  it('portfolio mode: the universe’s own BTC/USDT leg is watched, every leg’s long exits', () => {
    const e = eth();
    const b = btc(5, 0.08);
    const strat = scripted(e, { 1: buy('enter') }); // keyed by open time: both legs BUY on candle 1
    const r = runPortfolio([b, e], { kind: 'single', strategy: strat }, {}, { ...SENTINEL, from: T0, maxPositions: 2 });
    expect(r.trades.map((t) => [t.symbol, t.exitTime, t.exitKind])).toEqual([
      ['BTC/USDT', T0 + 6 * H, 'signal'],
      ['ETH/USDT', T0 + 6 * H, 'signal'],
    ]);
    expect(r.trades.every((t) => t.exitReason.startsWith('sentinel: BTC/USDT fell 8.00%'))).toBe(true);
  });
});
