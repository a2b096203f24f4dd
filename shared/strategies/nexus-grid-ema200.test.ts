import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { atr } from '../indicators/atr';
import { ema } from '../indicators/ema';
import { nexusGridEma200, nexusGridEma200Params } from './nexus-grid-ema200';
import { btc5mSeries, expectRuleEverywhere, expectSchemaBounds, handSeries, realDataSuite, type RuleAt } from './strategy.test-util';

describe('nexus-grid-ema200 params', () => {
  it('parses defaults and rejects out-of-range values', () => {
    expectSchemaBounds(nexusGridEma200Params, nexusGridEma200.defaults, { emaPeriod: 19, step: 0.2, levels: 0, exitSteps: -1 });
  });
});

describe('nexus-grid-ema200 rules on hand-built candles (multi-level grid)', () => {
  const p = { ...nexusGridEma200.defaults, emaPeriod: 20, atrPeriod: 5 };
  const flat = Array.from({ length: 60 }, () => 100);
  const rule = (closes: number[]) => {
    const s = handSeries(closes, { timeframe: '5m' });
    const e = ema(s.close, p.emaPeriod);
    const a = atr(s.high, s.low, s.close, p.atrPeriod);
    return {
      s,
      at: (i: number): RuleAt | null => {
        const c = s.close[i]!;
        const mean = e[i]!;
        if (!Number.isFinite(mean) || !Number.isFinite(a[i]!) || !(a[i]! > 0)) return null;
        const gap = p.step * a[i]!;
        const exitLine = mean + p.exitSteps * gap;
        const floor = mean - (p.levels + 1) * gap;
        if (c >= exitLine || c < floor) return { action: 'EXIT' };
        const lots = [];
        for (let k = 1; k <= p.levels; k++) {
          const level = mean - k * gap;
          if (level < c) lots.push({ key: `L${k}`, limitPrice: level, stopLoss: floor, takeProfit: k === 1 ? exitLine : mean - (k - 1) * gap });
        }
        return lots.length > 0 ? { action: 'BUY', lots } : null;
      },
    };
  };

  /** Each backtest lot filled its own bid of the previous close (at the limit, or at the open when it gapped through). */
  const lotBids = (s: ReturnType<typeof rule>['s']) => {
    const prepared = nexusGridEma200.prepare(s, p);
    const bt = runBacktest(s, nexusGridEma200, p, { from: s.openTime[0]!, costs: ['binance-taker'] });
    return bt.trades.map((t) => {
      const j = s.openTime.indexOf(t.signalTime);
      const bid = nexusGridEma200.evaluate(prepared, j, p).lots!.find((l) => l.reason === t.entryReason)!;
      expect(bid, t.entryReason).toBeDefined();
      expect(t.entryTime).toBe(s.openTime[j + 1]);
      expect(t.entryPrice).toBe(Math.min(bid.limitPrice, s.open[j + 1]!));
      return { t, bid, entryBar: j + 1, exitBar: s.openTime.indexOf(t.exitTime) };
    });
  };

  it('bids every level below the close; lots fill as price walks down and each exits on its own target', () => {
    const { s, at } = rule([...flat, 99.75, 99.55, 99.35, 99.1, 98.9, 98.7, 98.9, 99.3, 99.8, 100.3]);
    const bars = expectRuleEverywhere(nexusGridEma200, s, p, at);
    expect(bars.BUY).toEqual([60, 61, 62, 63, 64, 65, 66, 67]);
    const lots = lotBids(s);
    // L1 fills at bar 61; L2 at bar 64 while L1 is still open; L2 takes its target (one level up) first, then L1.
    expect(lots.map(({ t, entryBar, exitBar }) => [t.entryReason.slice(0, 16), entryBar, exitBar, t.exitKind])).toEqual([
      ['grid level 1/3 =', 61, 68, 'take-profit'],
      ['grid level 2/3 =', 64, 67, 'take-profit'],
    ]);
    for (const { t, bid, exitBar } of lots) expect(t.exitPrice).toBe(Math.max(bid.takeProfit!, s.open[exitBar]!));
  });

  it('a crash through the floor stops every open lot at its own stop', () => {
    const { s, at } = rule([...flat, 99.7, 99.4, 99.0, 97, 96.5, 96.8]);
    expectRuleEverywhere(nexusGridEma200, s, p, at);
    const stopped = lotBids(s).filter(({ t }) => t.exitKind === 'stop');
    expect(stopped.map(({ t, exitBar }) => [t.entryReason.slice(0, 16), exitBar])).toEqual([
      ['grid level 1/3 =', 63],
      ['grid level 2/3 =', 63],
      ['grid level 3/3 =', 63],
    ]);
    for (const { t, bid, exitBar } of stopped) expect(t.exitPrice).toBe(Math.min(bid.stopLoss!, s.open[exitBar]!));
  });

  it('does not bid while the close stays at or above the EMA', () => {
    const { s, at } = rule([...flat, 100.2, 100.4, 100.6, 100.8, 101]);
    expect(expectRuleEverywhere(nexusGridEma200, s, p, at).BUY).toEqual([]);
  });
});

realDataSuite(nexusGridEma200, 'BTC/USDT 5m 2022', btc5mSeries);
