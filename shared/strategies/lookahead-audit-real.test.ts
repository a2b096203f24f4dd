/**
 * The run-time lookahead audit (shared/backtest/lookahead-audit.ts: dense truncation + recursive analysis) over
 * every bundled single-series strategy on the real data it trades, with its defaults: every one must pass, as
 * every backtest now records this audit and a failing one cannot pass the gates.
 */
import { expect, it } from 'vitest';
import { sliceSeries } from '../candles/candle';
import { auditLookahead } from '../backtest/lookahead-audit';
import { describeWithData } from '../testing/data';
import { STRATEGIES } from './registry';
import { btc4hSeries, btc5mSeries, eth4hSeries, ratioSeries } from './strategy.test-util';
import type { Params, Strategy } from './types';

describeWithData('run-time lookahead audit over every bundled strategy (real data)', () => {
  const m5 = btc5mSeries();
  const m5Last = sliceSeries(m5, Math.max(0, m5.length - 20_000), m5.length);
  const h4 = btc4hSeries();
  const ratio = ratioSeries(h4, eth4hSeries());
  for (const s of STRATEGIES) {
    if (s.kind !== 'single') continue;
    it(`${s.id}: dense truncation and recursive analysis pass`, () => {
      const strategy = s as Strategy<Params>;
      const series = s.id === 'nexara-div006' ? ratio : s.timeframes[0] === '5m' ? m5Last : h4;
      const t0 = performance.now();
      const a = auditLookahead(strategy, series, strategy.defaults as Params);
      const ms = performance.now() - t0;
      console.log(
        `[lookahead-audit] ${s.id}: ${series.length} candles, ${a.truncation.mode}, ${a.truncation.cuts} cuts, ${a.truncation.compared} compared, ` +
          `recursive ${a.recursive.byMultiple.map((m) => `${m.multiple}×: ${m.actionChanges} changes, max move ${m.maxRelMove.toExponential(1)}`).join('; ')} — ${ms.toFixed(0)} ms`,
      );
      expect(a.truncation.ok, JSON.stringify(a.truncation.mismatches).slice(0, 600)).toBe(true);
      expect(a.recursive.ok, JSON.stringify(a.recursive)).toBe(true);
    });
  }
});
