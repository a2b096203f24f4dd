/**
 * The Lab's issue-13 fixture statistics come from the real estimators on the fixture trades: deterministic, and the
 * panels' shapes (a done PBO with a scatter, SPA sides, MC bands, a lookahead audit, study gates) are present.
 */
import { describe, expect, it } from 'vitest';
import { fromSeries } from '../../shared/candles/candle';
import { randomWalk } from '../../shared/backtest/fixtures.test-util';
import { canonicalJson } from '../../shared/backtest/hash';
import { crossoverTrades } from './lab-fixtures';
import { runStats, sweepStats } from './stats-fixtures';

describe('stats fixtures', () => {
  const candles = fromSeries(randomWalk(1500, 11, '4h', 0.02));
  it('run: MC, lookahead audit and gates from the real functions, byte-identical on rerun', () => {
    const trades = crossoverTrades(candles, 5, 20);
    const a = runStats({ trades, candles, timeframe: '4h', view: 'binance-taker', pbo: 0.3 });
    expect(a.monteCarlo.tradeResample.status).toBe('done');
    expect(a.lookahead.$type).toBe('lookahead-audit');
    expect(a.lookahead.ok).toBe(true);
    expect(a.studyGates.find((g) => g.gate === 'maxPbo')!.status).toBe('pass'); // 0.3 ≤ default 0.5
    expect(a.studyGates.find((g) => g.gate === 'maxSpaPValue')!.status).toBe('skipped');
    expect(canonicalJson(runStats({ trades, candles, timeframe: '4h', view: 'binance-taker', pbo: 0.3 }))).toBe(canonicalJson(a));
  });
  it('sweep: PBO over 16 blocks and SPA vs flat and buy-and-hold', () => {
    const combos = [[5, 20], [8, 21], [12, 26], [20, 50]].map(([f, s]) => ({ key: `fast=${f},slow=${s}`, trades: crossoverTrades(candles, f!, s!) }));
    const { pbo, spa } = sweepStats({ combos, candles, timeframe: '4h', view: 'binance-taker' });
    if (pbo.status !== 'done') throw new Error(pbo.reason);
    expect(pbo.blocks).toBe(16);
    expect(pbo.splits).toBe(12870);
    expect(pbo.scatter.points.length).toBeGreaterThan(0);
    expect(spa.vsFlat.benchmark).toBe('flat');
    expect(spa.vsBuyAndHold.benchmark).toBe('buy-and-hold');
  });
});
