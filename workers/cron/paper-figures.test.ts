import { describe, expect, it } from 'vitest';
import { mkSeries, scripted } from '../../shared/backtest/fixtures.test-util';
import { notionalOfCapital } from '../../shared/costs';
import { createPaperAccount, paperKernelOptions, stepPaper } from '../../shared/research/paper';
import { accountFigures } from './paper';

/** The paper page's figures for an account holding several lots of a grid at once. */
describe('paper account figures with open lots', () => {
  it('counts every open lot in the position size and against the cash', () => {
    const s = mkSeries([
      [100, 100.5, 99.5, 100],
      [100, 100.5, 97.5, 98.5], // L1 (98) fills
      [98, 98.2, 95.5, 96], // L2 (96) fills
    ]);
    const lots = [
      { key: 'L1', limitPrice: 98, takeProfit: 100, stopLoss: 90, reason: 'L1' },
      { key: 'L2', limitPrice: 96, takeProfit: 98, stopLoss: 90, reason: 'L2' },
    ];
    const strat = scripted(s, { 0: { action: 'BUY', reason: 'grid', lots } });
    const pr = strat.prepare(s, {});
    const r = stepPaper(createPaperAccount({ costModel: 'binance-taker' }), s, { from: 0, to: 3 }, (i) => strat.evaluate(pr, i, {}), paperKernelOptions(strat, {}));
    expect(r.account.kernel.lots.map((l) => l.key)).toEqual(['L1', 'L2']);
    const units = (key: 'L1' | 'L2', price: number) => notionalOfCapital(r.account.openLots[key]!.capital, r.account.openLots[key]!.entryCostBps / 1e4) / price;
    const f = accountFigures(r.account, 97);
    expect(f.positionSize).toBeCloseTo(units('L1', 98) + units('L2', 96), 9);
    expect(f.cash).toBeCloseTo(f.equity! - (units('L1', 98) + units('L2', 96)) * 97, 6);
    expect(f.unrealisedPnl).toBeLessThan(0);
  });
});
