import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPaperAccount, paperKernelOptions, stepPaper } from '../research/paper';
import type { Params, Signal, Strategy } from '../strategies/types';
import { runChunked } from './chunking';
import { runBacktest } from './engine';
import { maCross, mkSeries, randomWalk, scripted, T0 } from './fixtures.test-util';

/** Issue 11 item 2: risk rules travel with the strategy (declared from its params), every run applies them. */
describe('risk rules declared by the strategy', () => {
  const s = randomWalk(1200, 5, '1h');
  const base = maCross({ fast: 5, slow: 20, stopPct: 0.01 });
  const paramsSchema = z.object({ cooldown: z.number().int().min(0) });
  const withRisk = <P extends Params>(strategy: Strategy<P, unknown>, risk: (p: Params) => Record<string, unknown>): Strategy<Params, unknown> =>
    ({ ...strategy, paramsSchema: paramsSchema as unknown as z.ZodType<Params>, risk }) as unknown as Strategy<Params, unknown>;
  const declared = withRisk(base, (p) => ({ cooldownCandles: p.cooldown as number, circuitBreaker: { losses: 2, pauseCandles: 12 } }));

  it('a run with no risk in its config applies the declared rules (a risk knob in params is swept like a param)', () => {
    const plain = runBacktest(s, base, {}, {});
    const r6 = runBacktest(s, declared, { cooldown: 6 }, {});
    const r0 = runBacktest(s, declared, { cooldown: 0 }, {});
    expect(r6.config.risk).toMatchObject({ cooldownCandles: 6, circuitBreaker: { losses: 2, pauseCandles: 12, lossBelowBps: 0 } });
    expect(r6.skipped.cooldown).toBeGreaterThan(0);
    expect(r6.skipped.circuitBreaker).toBeGreaterThan(0);
    expect(r6.trades.length).toBeLessThan(plain.trades.length);
    expect(r0.skipped.cooldown).toBe(0);
    expect(r6.resultHash).not.toBe(r0.resultHash);
    // A config naming its own risk overrides the declaration.
    const explicit = runBacktest(s, declared, { cooldown: 6 }, { risk: {} });
    expect(explicit.trades).toEqual(plain.trades);
  });

  it('chunked runs and paper apply the same declared rules as the whole run', () => {
    const whole = runBacktest(s, declared, { cooldown: 6 }, { costs: ['binance-taker'] });
    const split = runChunked(s, declared, { cooldown: 6 }, { costs: ['binance-taker'] }, { chunkCandles: 97 });
    expect(split.result.resultHash).toBe(whole.resultHash);
    const prepared = declared.prepare(s, { cooldown: 6 });
    const from = s.openTime.indexOf(whole.series.from);
    const p = stepPaper(createPaperAccount({ costModel: 'binance-taker' }), s, { from, to: s.length }, (i) => (i === s.length - 1 ? null : declared.evaluate(prepared, i, { cooldown: 6 })), paperKernelOptions(declared, { cooldown: 6 }));
    const closed = whole.trades.filter((t) => t.exitKind !== 'end-of-data');
    expect(p.trades.map((t) => [t.entryTime, t.exitTime, t.exitPrice])).toEqual(closed.map((t) => [t.entryTime, t.exitTime, t.exitPrice]));
    expect(p.events.filter((e) => e.type === 'skip' && e.rule === 'cooldown').length).toBe(whole.skipped.cooldown);
  });

  it('an invalid declaration is refused with the strategy and the field named', () => {
    const bad = withRisk(base, () => ({ cooldownCandles: -1 }));
    expect(() => runBacktest(s, bad, { cooldown: 0 }, {})).toThrow(/ma-cross.*cooldownCandles/);
  });

  it('minVolume (the 4h platform liquidity floor) skips an entry whose signal candle traded too little', () => {
    const rows = Array.from({ length: 30 }, () => [100, 100.5, 99.5, 100] as [number, number, number, number]);
    const series = mkSeries(rows);
    series.volume[18] = 0.4; // the first BUY's candle is thin
    series.volume[21] = 5;
    const buy: Signal = { action: 'BUY', reason: 'go' };
    const strat = scripted(series, { 18: buy, 21: buy, 24: { action: 'SELL', reason: 'out' } });
    const r = runBacktest(series, { ...strat, risk: () => ({ minVolume: 1, maxAtrPct: 0.05 }) }, {}, { from: T0 });
    expect(r.config.risk).toMatchObject({ minVolume: 1, maxAtrPct: 0.05 });
    expect(r.skipped).toMatchObject({ minVolume: 1, atrCap: 0 });
    expect(r.trades.map((t) => t.signalTime)).toEqual([series.openTime[21]]);
    // Without the rule the thin candle's BUY trades (and the second BUY finds the position open).
    expect(runBacktest(series, strat, {}, { from: T0 }).trades.map((t) => t.signalTime)).toEqual([series.openTime[18]]);
  });
});
