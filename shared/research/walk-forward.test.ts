import { describe, expect, it } from 'vitest';
import { maCross, randomWalk } from '../backtest/fixtures.test-util';
import { canonicalJson } from '../backtest/hash';
import { runSlices } from '../backtest/slices';
import { dirHold, sawtooth, type DirHoldParams } from './fixtures.test-util';
import { gridCombos } from './sweep';
import { slidingWalkForward, walkForward, walkForwardFolds } from './walk-forward';

const DAY = 86_400_000;

describe('sliding evaluation per window (4h platform)', () => {
  const series = randomWalk(24 * 60, 3, '1h', 0.006);
  const strat = maCross({ fast: 5, slow: 20 });
  const costs = ['binance-taker', 'stress-31'] as const;

  it('windows partition the slices of one whole run', () => {
    const whole = runSlices(series, strat, {}, { costs: [...costs] });
    const w = slidingWalkForward(series, strat, {}, { windowMs: 7 * DAY, slices: { costs: [...costs] } });
    expect(w.windows.length).toBeGreaterThanOrEqual(9);
    expect(w.aggregate.slices).toBe(whole.slices);
    expect(w.aggregate.trades).toBe(whole.trades.length);
    expect(w.aggregate.coverage).toBeCloseTo(whole.coverage, 14);
    expect(w.aggregate.gross.meanBps!).toBeCloseTo(whole.gross.meanReturn! * 1e4, 9);
    expect(w.aggregate.net['stress-31']!.meanBps!).toBeCloseTo(whole.net['stress-31']!.meanReturn! * 1e4, 9);
    expect(w.windows.reduce((a, x) => a + x.trades, 0)).toBe(whole.trades.length);
    for (const x of w.windows) {
      expect(x.to - x.from).toBe(7 * DAY);
      expect(x.coverage).toBeGreaterThanOrEqual(0);
    }
    expect(w.aggregate.positiveWindowShare['gross']).not.toBeNull();
    expect(slidingWalkForward(series, strat, {}, { windowMs: 7 * DAY, slices: { costs: [...costs] } }).resultHash).toBe(w.resultHash);
    expect(() => slidingWalkForward(series, strat, {}, { windowMs: 3 * 3_600_000 })).toThrow(/multiple/);
  });
});

describe('walk-forward optimisation (IS choose, OOS report)', () => {
  it('fold layouts: rolling and anchored', () => {
    expect(walkForwardFolds(10, 110, { folds: 3, scheme: 'rolling', isToOos: 2 })).toEqual([
      { isStart: 10, isEnd: 50, oosStart: 50, oosEnd: 70 },
      { isStart: 30, isEnd: 70, oosStart: 70, oosEnd: 90 },
      { isStart: 50, isEnd: 90, oosStart: 90, oosEnd: 110 },
    ]);
    expect(walkForwardFolds(0, 103, { folds: 2, scheme: 'anchored', isToOos: 3 }).map((f) => [f.isStart, f.oosStart, f.oosEnd])).toEqual([
      [0, 60, 80],
      [0, 80, 103],
    ]);
    expect(() => walkForwardFolds(0, 3, { folds: 5, scheme: 'rolling', isToOos: 3 })).toThrow(/too few/);
  });

  it('a purge/embargo gap of g candles separates every IS end from its OOS start; gap 0 is the plain layout', () => {
    // 10 + 100 candles, gap 10: L = ⌊(100 − 10) / 5⌋ = 18, IS = 36; OOS f starts at 10 + 36 + 10 + 18f.
    expect(walkForwardFolds(10, 110, { folds: 3, scheme: 'rolling', isToOos: 2, gap: 10 })).toEqual([
      { isStart: 10, isEnd: 46, oosStart: 56, oosEnd: 74 },
      { isStart: 28, isEnd: 64, oosStart: 74, oosEnd: 92 },
      { isStart: 46, isEnd: 82, oosStart: 92, oosEnd: 110 },
    ]);
    expect(walkForwardFolds(10, 110, { folds: 3, scheme: 'rolling', isToOos: 2, gap: 0 })).toEqual(walkForwardFolds(10, 110, { folds: 3, scheme: 'rolling', isToOos: 2 }));
    for (const f of walkForwardFolds(0, 500, { folds: 4, scheme: 'anchored', isToOos: 3, gap: 7 })) expect(f.oosStart - f.isEnd).toBe(7);
    expect(() => walkForwardFolds(0, 100, { folds: 3, scheme: 'rolling', isToOos: 2, gap: -1 })).toThrow(/gap must be a non-negative integer/);
    expect(() => walkForwardFolds(0, 12, { folds: 3, scheme: 'rolling', isToOos: 2, gap: 10 })).toThrow(/10-candle gap/);
  });

  // Warm-up is 15 candles (ATR 14 + 1); segments of L = 60 candles flip the trend at each OOS start, so with
  // IS = 1 × OOS every in-sample window trends one way and its out-of-sample window the other.
  const start = 15;
  const L = 60;
  const folds = 3;
  const n = start + L * (folds + 1);
  const flips = Array.from({ length: folds }, (_, f) => start + L * (f + 1));
  const series = sawtooth(n, flips);
  const combos = gridCombos(dirHold).combos as DirHoldParams[];
  const opts = { folds, scheme: 'rolling' as const, isToOos: 1, objective: { view: 'binance-taker', metric: 'meanBps' as const, minTrades: 1 } };
  const backtest = { costs: ['binance-taker', 'kraken-taker', 'stress-31'] as ('binance-taker' | 'kraken-taker' | 'stress-31')[] };
  const wf = walkForward(series, dirHold, combos, opts, backtest);

  it('in-sample is perfect, the reported result is out-of-sample only', () => {
    expect(wf.folds).toHaveLength(3);
    for (const f of wf.folds) {
      expect(f.chosen).not.toBeNull();
      expect(f.inSample!.gross.winRate).toBe(1); // perfect in-sample
      expect(f.outOfSample!.gross.winRate).toBe(0); // every OOS trade loses
      expect(f.wfe!).toBeLessThan(0);
    }
    // The chosen direction follows each IS trend: up, down, up.
    expect(wf.folds.map((f) => f.chosen!.params.dir)).toEqual([1, -1, 1]);
    // Only OOS trades, inside OOS windows, all of them.
    const oosTrades = wf.folds.reduce((a, f) => a + f.outOfSample!.trades, 0);
    expect(wf.oos.trades).toHaveLength(oosTrades);
    for (const t of wf.oos.trades) {
      const fold = wf.folds.find((f) => t.signalTime >= f.oos.from && t.signalTime < f.oos.to)!;
      expect(fold).toBeDefined();
      expect(t.entryTime).toBeGreaterThan(fold.oos.from);
      expect(t.exitTime).toBeLessThanOrEqual(fold.oos.to);
      expect(t.grossReturn).toBeLessThan(0);
    }
    expect(wf.oos.gross.winRate).toBe(0);
    expect(wf.oos.net['binance-taker']!.meanReturn!).toBeLessThan(0);
    expect(wf.oos.strategy.params).toEqual({});
    expect(wf.oos.series.from).toBe(wf.folds[0]!.oos.from);
    expect(wf.isAnnualReturn!).toBeGreaterThan(0);
    expect(wf.oosAnnualReturn).toBeLessThan(0);
    expect(wf.wfe!).toBeLessThan(0);
    expect(wf.oosPositiveFoldShare).toBe(0);
  });

  it('is deterministic (same hash, same JSON)', () => {
    const again = walkForward(series, dirHold, combos, opts, backtest);
    expect(again.resultHash).toBe(wf.resultHash);
    expect(canonicalJson(again)).toBe(canonicalJson(wf));
  });

  it('a trade floor nobody meets leaves the fold flat', () => {
    const r = walkForward(series, dirHold, combos, { ...opts, objective: { ...opts.objective, minTrades: 10_000 } }, backtest);
    for (const f of r.folds) {
      expect(f.chosen).toBeNull();
      expect(f.qualifying).toBe(0);
    }
    expect(r.oos.trades).toHaveLength(0);
    expect(r.wfe).toBeNull();
  });

  it('anchored folds start in-sample at the first tradable candle; a trending market gives a positive WFE', () => {
    const up = sawtooth(600, []);
    const r = walkForward(up, dirHold, combos, { folds: 4, scheme: 'anchored', isToOos: 2, objective: { view: 'binance-taker', minTrades: 1 } }, backtest);
    for (const f of r.folds) expect(f.is.from).toBe(up.openTime[15]);
    expect(r.folds.every((f) => f.chosen!.params.dir === 1)).toBe(true);
    expect(r.wfe!).toBeGreaterThan(0.5);
    expect(r.oosPositiveFoldShare).toBe(1);
  });
});
