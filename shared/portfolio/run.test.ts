/**
 * Portfolio mode on hand-built candles: shared cash across two symbols, the max-positions cap (a second entry is
 * refused while the slot is taken; same-step candidates in symbol order), equal-weight and fixed-fraction sizing,
 * cash-account fees, a missing candle, determinism, and a universe of one symbol equal to the single-series run.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mkSeries, flatRows, maCross, randomWalk } from '../backtest/fixtures.test-util';
import { runBacktest } from '../backtest/engine';
import type { CandleSeries } from '../candles/candle';
import { HOLD, type Params, type Signal, type Strategy } from '../strategies/types';
import { platform4hMomentumRank } from '../strategies/platform4h-momentum-rank';
import { PortfolioInputError } from './config';
import { runPortfolio } from './run';

const H = 3_600_000;

function named(rows: [number, number, number, number][], symbol: string): CandleSeries {
  return { ...mkSeries(rows), symbol };
}

/** Signals keyed by symbol and candle index (the same for every series of the test: they share open times). */
function perSymbol(script: Record<string, Record<number, Signal>>): Strategy<Params, { symbol: string; openTime: Float64Array }> {
  const t0 = mkSeries(flatRows(1)).openTime[0]!;
  return {
    id: 'per-symbol-script',
    version: '0.0.1',
    family: 'test',
    origin: 'test',
    title: 'per-symbol script',
    description: 'test strategy',
    timeframes: ['1h'],
    paramsSchema: z.object({}) as unknown as z.ZodType<Params>,
    defaults: {},
    paramSpace: {},
    startupCandles: () => 0,
    kind: 'single',
    allowShort: false,
    prepare: (s) => ({ symbol: s.symbol, openTime: s.openTime }),
    evaluate: (p, i) => script[p.symbol]?.[Math.round((p.openTime[i]! - t0) / H)] ?? HOLD,
  };
}

const BUY: Signal = { action: 'BUY', reason: 'buy' };
const EXIT: Signal = { action: 'EXIT', reason: 'exit' };

/** 12 flat candles at 100; from candle 5 on, A trades at 110. */
function twoSymbols(): CandleSeries[] {
  const a = flatRows(12, 100);
  for (let i = 5; i < 12; i++) a[i] = [110, 110.5, 109.5, 110];
  return [named(a, 'AAA/USDT'), named(flatRows(12, 100), 'BBB/USDT')];
}

/** A 10/10 bps taker model with no spread or slippage: f = 0.001 on both sides. */
const FEE10 = {
  id: 'fee-10',
  label: '10 bps',
  schedule: { venue: 'test', product: 'spot', tier: 'x', entries: [{ effectiveFrom: '2020-01-01', makerBps: 10, takerBps: 10, source: 'test' }] },
  liquidity: 'taker' as const,
};
const base = { from: mkSeries(flatRows(1)).openTime[0]!, atrPeriod: 1, costs: [FEE10] };

describe('runPortfolio: shared cash and max positions', () => {
  it('refuses a second entry while max positions is reached, and takes one after the exit fills', () => {
    const strat = perSymbol({ 'AAA/USDT': { 2: BUY, 6: EXIT }, 'BBB/USDT': { 3: BUY, 8: BUY, 10: EXIT } });
    const r = runPortfolio(twoSymbols(), { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 1 });
    expect(r.trades.map((t) => [t.symbol, (t.entryTime - base.from) / H, (t.exitTime - base.from) / H])).toEqual([
      ['AAA/USDT', 3, 7],
      ['BBB/USDT', 9, 11],
    ]);
    expect(r.skipped.maxPositions).toBe(1);
    expect(r.contributions.find((c) => c.symbol === 'BBB/USDT')!.skipped.maxPositions).toBe(1);
  });

  it('orders same-step candidates by symbol name (documented deterministic order)', () => {
    const strat = perSymbol({ 'BBB/USDT': { 2: BUY }, 'AAA/USDT': { 2: BUY } });
    const [a, b] = twoSymbols();
    const r = runPortfolio([b!, a!], { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 1 });
    expect(r.trades.map((t) => t.symbol)).toEqual(['AAA/USDT']);
    expect(r.skipped.maxPositions).toBe(1);
  });

  it('equal weight: two entries commit equity / maxPositions each; PnL is booked to the shared cash', () => {
    const strat = perSymbol({ 'AAA/USDT': { 2: BUY, 6: EXIT }, 'BBB/USDT': { 2: BUY, 6: EXIT } });
    const r = runPortfolio(twoSymbols(), { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 2 });
    expect(r.trades).toHaveLength(2);
    // A: 5,000 at 100 → exit at 110 (+10 %); B: 5,000 at 100 → 100 (0 %). Gross equity 10,500.
    expect(r.gross.totalReturn).toBeCloseTo(0.05, 12);
    expect(r.contributions.map((c) => [c.symbol, c.trades, c.grossPnl])).toEqual([
      ['AAA/USDT', 1, expect.closeTo(500, 9)],
      ['BBB/USDT', 1, 0],
    ]);
    // Cash account (issue 11 item 7, research-log/methodology.md): net ratio r(1 − f_exit)/(1 + f_entry), f = 0.001.
    const f = 0.001;
    const netA = 5000 * ((1.1 * (1 - f)) / (1 + f) - 1);
    const netB = 5000 * ((1 * (1 - f)) / (1 + f) - 1);
    expect(r.contributions[0]!.netPnl['fee-10']).toBeCloseTo(netA, 8);
    expect(r.contributions[1]!.netPnl['fee-10']).toBeCloseTo(netB, 8);
    expect(r.net['fee-10']!.totalReturn).toBeCloseTo((netA + netB) / 10_000, 12);
  });

  it('fixed fraction: each entry commits fraction × equity, capped by the free cash', () => {
    const strat = perSymbol({ 'AAA/USDT': { 2: BUY, 6: EXIT }, 'BBB/USDT': { 7: BUY, 10: EXIT } });
    const r = runPortfolio(twoSymbols(), { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 2, sizing: { kind: 'fixed-fraction', fraction: 0.6 } });
    // A commits 6,000 (+10 % → +600, equity 10,600); B then commits 0.6 × 10,600 = 6,360 at 100 → 100.
    expect(r.contributions[0]!.grossPnl).toBeCloseTo(600, 9);
    expect(r.gross.totalReturn).toBeCloseTo(0.06, 12);
    const f = 0.001;
    expect(r.contributions[1]!.netPnl['fee-10']).toBeCloseTo(0.6 * (10_000 + 6000 * ((1.1 * (1 - f)) / (1 + f) - 1)) * ((1 - f) / (1 + f) - 1), 8);
    // Both open at once: the second gets only the cash left (0.6 of equity would exceed it).
    const both = runPortfolio(twoSymbols(), { kind: 'single', strategy: perSymbol({ 'AAA/USDT': { 2: BUY, 6: EXIT }, 'BBB/USDT': { 2: BUY, 4: EXIT } }) }, {}, {
      ...base,
      maxPositions: 2,
      sizing: { kind: 'fixed-fraction', fraction: 0.6 },
    });
    expect(both.contributions[0]!.grossPnl).toBeCloseTo(600, 9); // A first (universe order) gets 6,000
    expect(both.gross.totalReturn).toBeCloseTo(0.06, 12); // B (4,000 of cash) is flat
  });

  it('the 4h platform filters per symbol: an entry on a candle below the volume floor or above the ATR cap is skipped', () => {
    const [a, b] = twoSymbols();
    a!.volume.fill(100);
    b!.volume.fill(100);
    b!.volume[2] = 5; // B's signal candle is thin
    const strat = perSymbol({ 'AAA/USDT': { 4: BUY }, 'BBB/USDT': { 2: BUY } });
    const r = runPortfolio([a!, b!], { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 3, risk: { minVolume: 10, maxAtrPct: 0.05 } });
    // B: volume 5 < 10 → skipped. A: candle 4's true range is 1 on a close of 100 (ATR(1)/close = 1 %) → allowed.
    expect(r.trades.map((t) => t.symbol)).toEqual(['AAA/USDT']);
    expect(r.contributions[1]!.skipped.minVolume).toBe(1);
    // A jump to 110 on candle 5: true range |110.5 − 100| = 10.5 → 9.5 % > 5 % → A's signal there is skipped.
    const capped = runPortfolio([a!, b!], { kind: 'single', strategy: perSymbol({ 'AAA/USDT': { 5: BUY } }) }, {}, { ...base, maxPositions: 3, risk: { maxAtrPct: 0.05 } });
    expect(capped.trades).toHaveLength(0);
    expect(capped.skipped.atrCap).toBe(1);
  });

  it('a symbol missing a candle is not tradable on it: its signal there cannot exist and its fill waits', () => {
    const [a, b] = twoSymbols();
    // B lacks candle 3: the BUY on B's candle 2 fills at B's next candle, 4.
    const keep = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11];
    const pick = (x: Float64Array) => Float64Array.from(keep.map((i) => x[i]!));
    const bGap: CandleSeries = { ...b!, length: keep.length, openTime: pick(b!.openTime), open: pick(b!.open), high: pick(b!.high), low: pick(b!.low), close: pick(b!.close), volume: pick(b!.volume) };
    const strat = perSymbol({ 'BBB/USDT': { 2: BUY, 6: EXIT } });
    const r = runPortfolio([a!, bGap], { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 2 });
    expect(r.trades.map((t) => [t.symbol, (t.entryTime - base.from) / H])).toEqual([['BBB/USDT', 4]]);
    expect(r.universe.steps).toBe(12);
  });

  it('same inputs give a byte-identical result and hash; refuses bad input with the reason', () => {
    const strat = perSymbol({ 'AAA/USDT': { 2: BUY, 6: EXIT }, 'BBB/USDT': { 3: BUY } });
    const run = () => runPortfolio(twoSymbols(), { kind: 'single', strategy: strat }, {}, { ...base, maxPositions: 2 });
    const x = run();
    expect(JSON.stringify(run())).toBe(JSON.stringify(x));
    expect(x.resultHash).toMatch(/^[0-9a-f]{64}$/);
    const [a] = twoSymbols();
    expect(() => runPortfolio([a!, a!], { kind: 'single', strategy: strat }, {}, {})).toThrow(PortfolioInputError);
    expect(() => runPortfolio([], { kind: 'single', strategy: strat }, {}, {})).toThrow(/empty universe/);
    expect(() => runPortfolio([a!], { kind: 'single', strategy: strat }, {}, { maxPositions: 0 })).toThrow(/maxPositions/);
  });
});

describe('runPortfolio: one symbol = the single-series backtest', () => {
  it('same trades, same per-model net returns and the same equity on a seeded random walk', () => {
    const s = randomWalk(3000, 7);
    const strat = maCross({ fast: 10, slow: 40 });
    const single = runBacktest(s, strat, {}, {});
    const port = runPortfolio([s], { kind: 'single', strategy: strat }, {}, { sizing: { kind: 'fixed-fraction', fraction: 1 } });
    expect(single.trades.length).toBeGreaterThan(10);
    expect(port.trades.map(({ symbol: _s, ...t }) => t)).toEqual(single.trades);
    for (const id of Object.keys(single.net)) expect(port.net[id]!.totalReturn).toBe(single.net[id]!.totalReturn);
    expect(port.gross.totalReturn).toBe(single.gross.totalReturn);
    expect(port.equity.gross.equity).toEqual(single.equity.gross.equity);
  });
});

describe('runPortfolio: ranking mode (platform4h-momentum-rank selects the symbols)', () => {
  // A rises 1/candle to 120 at candle 20 then falls 1/candle; B falls 0.5/candle to 90 then rises 2/candle.
  const rows = (f: (i: number) => number) => Array.from({ length: 40 }, (_, i) => [f(i), f(i) + 0.5, f(i) - 0.5, f(i)] as [number, number, number, number]);
  const a = named(
    rows((i) => (i <= 20 ? 100 + i : 120 - (i - 20))),
    'AAA/USDT',
  );
  const b = named(
    rows((i) => (i <= 20 ? 100 - 0.5 * i : 90 + 2 * (i - 20))),
    'BBB/USDT',
  );
  const params = platform4hMomentumRank.paramsSchema.parse({ lookback: 6, topN: 1, minReturn: 0 });

  it('holds the top symbol; when the leader changes the old one exits and the new one enters once the slot frees', () => {
    const r = runPortfolio([a, b], { kind: 'ranking', strategy: platform4hMomentumRank }, params, { atrPeriod: 1, maxPositions: 1, costs: [FEE10] });
    // Candle 7 (first after warm-up): A 107/101 − 1 = +5.94 %, B 96.5/99.5 − 1 = −3.0 % → BUY A, filled at 8. Candle 22: B's 6-candle
    // return 94/92 − 1 = +2.2 % beats A's 118/116 − 1 = +1.7 % → A exits at 23's open; B is refused at 22 (A still
    // holds the slot until its exit fills) and bought on candle 23 (B +4.9 %, A 117/117 − 1 = 0), filled at 24.
    const at = (t: number) => (t - a.openTime[0]!) / H;
    expect(r.trades.map((t) => [t.symbol, at(t.signalTime), at(t.entryTime), t.exitKind, at(t.exitTime)])).toEqual([
      ['AAA/USDT', 7, 8, 'signal', 23],
      ['BBB/USDT', 23, 24, 'end-of-data', 40],
    ]);
    expect(r.skipped.maxPositions).toBe(1);
    expect(r.trades[0]!.entryReason).toMatch(/^#1 of 2, 6-bar return \+5\.94%/);
    // With two slots and topN 1 the same symbols are chosen, and B enters one candle earlier.
    const two = runPortfolio([a, b], { kind: 'ranking', strategy: platform4hMomentumRank }, params, { atrPeriod: 1, maxPositions: 2, costs: [FEE10] });
    expect(two.trades.map((t) => [t.symbol, at(t.entryTime)])).toEqual([
      ['AAA/USDT', 8],
      ['BBB/USDT', 23],
    ]);
  });

  it('refuses a universe whose series are not aligned', () => {
    const short = { ...b, length: 39, openTime: b.openTime.subarray(0, 39), open: b.open.subarray(0, 39), high: b.high.subarray(0, 39), low: b.low.subarray(0, 39), close: b.close.subarray(0, 39), volume: b.volume.subarray(0, 39) };
    expect(() => runPortfolio([a, short], { kind: 'ranking', strategy: platform4hMomentumRank }, params, {})).toThrow(/aligned/);
  });
});
