/**
 * The backtester's lookahead guards (shared/backtest/lookahead.ts) applied to every bundled single-series strategy
 * on the real data it trades: truncation (growing prefixes give the same signals as the full run) and warm-up
 * (no more than the declared startup candles are needed).
 */
import { expect, it } from 'vitest';
import { checkLookahead } from '../backtest/lookahead';
import { describeWithData } from '../testing/data';
import { STRATEGIES } from './registry';
import { btc4hSeries, btc5mSeries, eth4hSeries, ratioSeries } from './strategy.test-util';
import type { Params, Strategy } from './types';

describeWithData('lookahead guards over every bundled strategy (real data)', () => {
  const m5 = btc5mSeries();
  const h4 = btc4hSeries();
  const ratio = ratioSeries(h4, eth4hSeries());
  for (const s of STRATEGIES) {
    if (s.kind !== 'single') continue;
    it(`${s.id} sees no future candle and needs no more than its declared startup`, () => {
      const strategy = s as Strategy<Params>;
      const series = s.id === 'nexara-div006' ? ratio : s.timeframes[0] === '5m' ? m5 : h4;
      const report = checkLookahead(strategy, series, strategy.defaults as Params, { samples: 40, seed: 11 });
      expect(report.truncation.ok, JSON.stringify(report.truncation).slice(0, 400)).toBe(true);
      expect(report.warmup.ok, JSON.stringify(report.warmup).slice(0, 400)).toBe(true);
    });
  }
});
