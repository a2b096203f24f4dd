import { expect, it } from 'vitest';
import { toSeries } from '../candles/candle';
import { describeWithData, readFreqtrade } from '../testing/data';
import { runChunked } from './chunking';
import { runBacktest } from './engine';
import { maCross } from './fixtures.test-util';
import { checkLookahead } from './lookahead';
import { runSlices } from './slices';

describeWithData('backtest on real 2022 BTC/USDT 5m candles (freqtrade file)', () => {
  const rows = readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json');
  const series = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '5m',
    'BTC/USDT',
  );
  // EMA(12/48) cross with a 1.5 % stop and 1 % trailing stop; startup 10 × slow so the EMA has converged.
  const strat = maCross({ kind: 'ema', fast: 12, slow: 48, stopPct: 0.015, trailPct: 0.01, startup: 480 });
  const config = { risk: { cooldownCandles: 3, circuitBreaker: { losses: 4, pauseCandles: 24 } } };

  it('has the expected data', () => {
    expect(series.length).toBe(28_966);
  });

  it('same inputs → same hash and byte-identical JSON', () => {
    const a = runBacktest(series, strat, {}, config);
    const b = runBacktest(series, strat, {}, config);
    expect(a.trades.length).toBeGreaterThan(100);
    expect(a.resultHash).toBe(b.resultHash);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    // Every trade enters strictly after its signal candle.
    for (const t of a.trades) expect(t.entryTime).toBeGreaterThan(t.signalTime);
    // 2022 was a bear market and 5m EMA crosses churn: the stress cost must hurt.
    expect(a.net['stress-31']!.meanReturn!).toBeLessThan(a.gross.meanReturn!);
  });

  it('whole == split into chunks + merged (same trades, same hash)', () => {
    const whole = runBacktest(series, strat, {}, config);
    for (const chunkCandles of [2016, 5000]) {
      const split = runChunked(series, strat, {}, config, { chunkCandles });
      expect(split.chunks).toBeGreaterThan(5);
      expect(split.result.trades).toEqual(whole.trades);
      expect(split.result.resultHash).toBe(whole.resultHash);
    }
  });

  it('lookahead guards: the honest EMA cross passes, the peeking one is caught', () => {
    expect(checkLookahead(strat, series, {}, { samples: 60 }).ok).toBe(true);
    const biased = maCross({ kind: 'ema', fast: 12, slow: 48, startup: 480, peek: true });
    expect(checkLookahead(biased, series, {}, { samples: 60 }).truncation.ok).toBe(false);
  });

  it('4h slices every 2h on 5m candles', () => {
    const r = runSlices(series, strat, {}, {});
    expect(r.slices).toBeGreaterThan(1000);
    expect(r.coverage).toBeGreaterThan(0);
    expect(r.coverage).toBeLessThan(1);
    expect(runSlices(series, strat, {}, {}).resultHash).toBe(r.resultHash);
  });
});
