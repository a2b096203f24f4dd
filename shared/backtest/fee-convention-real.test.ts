import { expect, it } from 'vitest';
import { toSeries } from '../candles/candle';
import { tradeSideCostsBps } from '../costs';
import { dstaSmaCrossover } from '../strategies/dsta-sma-crossover';
import { describeWithData, readFreqtrade } from '../testing/data';
import { runBacktest } from './engine';
import { ENGINE_VERSION_ID } from './version';

/**
 * Issue 11 item 7: the cash-account fee convention, net ratio r(1 − f_exit)/(1 + f_entry), on the SMA 20/50 run
 * over BTC/USDT 1h 2018 → end of the recording. Prints the total return under the pre-1.1.0 convention (the
 * numerator alone, recomputed from the same trades) and the current one.
 */
describeWithData('cash-account fee convention on dsta-sma-crossover 20/50, BTC/USDT 1h 2018–2022', () => {
  const rows = readFreqtrade('djienne-3EMA_SRSI_ATR', 'BTC_USDT-1h.json');
  const series = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '1h',
    'BTC/USDT',
  );
  const params = dstaSmaCrossover.paramsSchema.parse({ fastPeriod: 20, slowPeriod: 50 });

  it('every trade nets r(1 − f_exit)/(1 + f_entry); prints old vs new total return', () => {
    const r = runBacktest(series, dstaSmaCrossover, params, { from: Date.UTC(2018, 0, 1), to: Date.UTC(2023, 0, 1), costs: ['binance-taker', 'stress-31'] });
    expect(r.engineVersion).toBe(ENGINE_VERSION_ID);
    expect(r.trades.length).toBeGreaterThan(100);
    for (const id of ['binance-taker', 'stress-31']) {
      const model = r.costModels.find((m) => m.id === id)!;
      let oldEquity = 1;
      let newEquity = 1;
      for (const t of r.trades) {
        const { entryBps, exitBps } = tradeSideCostsBps(model, t);
        const fe = entryBps / 1e4;
        const fx = exitBps / 1e4;
        const ratio = t.exitPrice / t.entryPrice;
        expect(t.side).toBe('long');
        expect(t.net[id]!).toBeCloseTo((ratio * (1 - fx)) / (1 + fe) - 1, 14);
        const old = t.grossReturn - fe - fx * ratio;
        // Winners net less than before, losers lose less: the old formula was a (1 + f_entry) leverage.
        if (old > 0) expect(t.net[id]!).toBeLessThan(old);
        if (old < 0) expect(t.net[id]!).toBeGreaterThan(old);
        oldEquity *= 1 + old;
        newEquity *= 1 + t.net[id]!;
      }
      // 100 % of equity per trade: the sized curve's total return is the product of the trades' net ratios.
      expect(r.net[id]!.totalReturn).toBeCloseTo(newEquity - 1, 9);
      const oldMean = r.trades.reduce((a, t) => a + (t.net[id]! * (1 + tradeSideCostsBps(model, t).entryBps / 1e4)), 0) / r.trades.length;
      console.log(
        `[fee convention] dsta-sma-crossover 20/50 BTC/USDT 1h ${new Date(r.series.from).toISOString().slice(0, 10)}..${new Date(r.series.to).toISOString().slice(0, 10)}, ` +
          `${r.trades.length} trades, ${id}: total return before (r(1−f)−f) ${((oldEquity - 1) * 100).toFixed(2)} %, after (r(1−f)/(1+f)) ${((newEquity - 1) * 100).toFixed(2)} %; ` +
          `mean net ${(oldMean * 1e4).toFixed(2)} → ${(r.net[id]!.meanReturn! * 1e4).toFixed(2)} bps/trade (gross total ${(r.gross.totalReturn * 100).toFixed(2)} %)`,
      );
    }
  });
});
