/**
 * Portfolio mode on the real freqtrade BTC/USDT and ETH/USDT 4h files (and BTC/USDT 5m): a universe of one symbol
 * equals the single-series backtest (trades, per-model net returns, equity) for several bundled strategies; a
 * BTC+ETH portfolio with max 3 positions and the 4h platform's filters runs and, without contention for slots,
 * trades each symbol exactly as its own backtest; max 1 position refuses entries and never holds two; ranking
 * mode (platform4h-momentum-rank) holds at most max positions and is deterministic.
 */
import { expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { getStrategy } from '../strategies/registry';
import { btc4hSeries, btc5mSeries, eth4hSeries } from '../strategies/strategy.test-util';
import type { Params, RankingStrategy, Strategy } from '../strategies/types';
import { describeWithData } from '../testing/data';
import { runPortfolio } from './run';
import type { PortfolioTrade } from './types';

const single = (id: string) => getStrategy(id) as Strategy<Params>;

/** The most positions open at once over the trades (an exit at t frees its slot before an entry at t). */
function maxConcurrent(trades: readonly PortfolioTrade[]): number {
  const ev = trades.flatMap((t) => [
    { t: t.entryTime, d: 1 },
    { t: t.exitTime, d: -1 },
  ]);
  ev.sort((a, b) => a.t - b.t || a.d - b.d);
  let n = 0;
  let m = 0;
  for (const e of ev) m = Math.max(m, (n += e.d));
  return m;
}

const FULL = { sizing: { kind: 'fixed-fraction' as const, fraction: 1 } };

describeWithData('portfolio of one symbol = single-series backtest (real data)', () => {
  const cases: [string, () => ReturnType<typeof btc4hSeries>][] = [
    ['dsta-sma-crossover', btc4hSeries],
    ['dsta-bb-breakout', btc4hSeries],
    ['dsta-rsi-mean-reversion', btc4hSeries],
    ['nexus-ema-adx-trend', btc4hSeries],
    ['platform4h-macd-rsi', btc4hSeries],
    ['nexus-rsi-scalp', btc5mSeries],
    ['nexus-grid-ema200', btc5mSeries],
  ];
  for (const [id, load] of cases) {
    it(`${id}: same trades, same net returns per cost model, same equity`, () => {
      const s = load();
      const strat = single(id);
      const p = strat.defaults as Params;
      const a = runBacktest(s, strat, p, {});
      const b = runPortfolio([s], { kind: 'single', strategy: strat }, p, FULL);
      expect(a.trades.length).toBeGreaterThan(5);
      expect(b.trades.map(({ symbol: _s, ...t }) => t)).toEqual(a.trades);
      for (const k of a.trades.keys()) expect(b.trades[k]!.net).toEqual(a.trades[k]!.net);
      // A grid's lots overlap: the portfolio books them on shared cash (no more than the cash left), the
      // single-series curve from the realised equity at each fill, so only one-position-at-a-time strategies agree.
      if (a.trades.some((t, k) => k > 0 && t.entryTime < a.trades[k - 1]!.exitTime)) return;
      for (const m of Object.keys(a.net)) expect(b.net[m]!.totalReturn, m).toBe(a.net[m]!.totalReturn);
      expect(b.equity.gross.equity).toEqual(a.equity.gross.equity);
    });
  }

  it('also inside an explicit window (warm-up anchored as runChunk anchors it)', () => {
    const s = btc4hSeries();
    const strat = single('dsta-sma-crossover');
    const p = strat.defaults as Params;
    const win = { from: Date.UTC(2020, 0, 1), to: Date.UTC(2022, 0, 1) };
    const a = runBacktest(s, strat, p, win);
    const b = runPortfolio([s], { kind: 'single', strategy: strat }, p, { ...FULL, ...win });
    expect(a.trades.length).toBeGreaterThan(5);
    expect(b.trades.map(({ symbol: _s, ...t }) => t)).toEqual(a.trades);
    expect(b.net['binance-taker']!.totalReturn).toBe(a.net['binance-taker']!.totalReturn);
  });
});

describeWithData('BTC/USDT + ETH/USDT 4h portfolio (real data)', () => {
  const universe = () => [btc4hSeries(), eth4hSeries()];
  const strat = single('platform4h-macd-rsi');
  const p = strat.defaults as Params;
  // The 4h platform's constraints: max 3 positions, equal weights, skip if ATR/price > 5 % or volume below a floor.
  const risk = { maxAtrPct: 0.05, minVolume: 100 };

  it('max 3 positions with the 4h filters: each symbol trades exactly as its own backtest (no slot contention)', () => {
    const r = runPortfolio(universe(), { kind: 'single', strategy: strat }, p, { maxPositions: 3, sizing: { kind: 'equal-weight' }, risk });
    expect(r.universe.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(r.skipped.maxPositions).toBe(0);
    for (const s of universe()) {
      const own = runBacktest(s, strat, p, { risk });
      const mine = r.trades.filter((t) => t.symbol === s.symbol).map(({ symbol: _s, ...t }) => t);
      expect(mine.length).toBeGreaterThan(5);
      expect(mine).toEqual(own.trades);
    }
    expect(r.skipped.atrCap).toBeGreaterThan(0);
    expect(r.contributions.map((c) => c.trades).reduce((a, b) => a + b, 0)).toBe(r.trades.length);
    // Per-symbol PnL adds up to the portfolio's PnL on every curve.
    const sum = (f: (c: (typeof r.contributions)[number]) => number) => r.contributions.reduce((a, c) => a + f(c), 0);
    expect(sum((c) => c.grossPnl)).toBeCloseTo(r.gross.totalReturn * 10_000, 6);
    expect(sum((c) => c.netPnl['binance-taker']!)).toBeCloseTo(r.net['binance-taker']!.totalReturn * 10_000, 6);
    const again = runPortfolio(universe(), { kind: 'single', strategy: strat }, p, { maxPositions: 3, sizing: { kind: 'equal-weight' }, risk });
    expect(JSON.stringify(again)).toBe(JSON.stringify(r));
  });

  it('max 1 position: entries are refused while the slot is taken, never two open at once', () => {
    const r = runPortfolio(universe(), { kind: 'single', strategy: strat }, p, { maxPositions: 1, risk });
    const wide = runPortfolio(universe(), { kind: 'single', strategy: strat }, p, { maxPositions: 3, risk });
    expect(r.skipped.maxPositions).toBeGreaterThan(0);
    expect(maxConcurrent(r.trades)).toBe(1);
    expect(maxConcurrent(wide.trades)).toBe(2);
    expect(r.trades.length).toBeLessThan(wide.trades.length);
  });

  it('ranking mode: platform4h-momentum-rank picks the symbols; at most max positions held', () => {
    const rank = getStrategy('platform4h-momentum-rank') as RankingStrategy<Params>;
    const rp = rank.defaults as Params;
    const r = runPortfolio(universe(), { kind: 'ranking', strategy: rank }, rp, { maxPositions: 3 });
    const one = runPortfolio(universe(), { kind: 'ranking', strategy: rank }, rp, { maxPositions: 1 });
    expect(r.selection).toBe('ranking');
    expect(r.trades.length).toBeGreaterThan(20);
    expect(new Set(r.trades.map((t) => t.symbol))).toEqual(new Set(['BTC/USDT', 'ETH/USDT']));
    for (const t of r.trades) expect(t.entryReason).toMatch(/in the top 3/);
    expect(maxConcurrent(one.trades)).toBe(1);
    expect(one.skipped.maxPositions).toBeGreaterThan(0);
    expect(runPortfolio(universe(), { kind: 'ranking', strategy: rank }, rp, { maxPositions: 3 }).resultHash).toBe(r.resultHash);
  });
});
