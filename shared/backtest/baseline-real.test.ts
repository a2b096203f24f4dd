import { expect, it } from 'vitest';
import { toSeries } from '../candles/candle';
import { getStrategy } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData, readFreqtrade } from '../testing/data';
import { runChunked } from './chunking';
import { runBacktest } from './engine';
import { checkLookahead } from './lookahead';

describeWithData('the Nexara BTC/USDT 5m baseline on the real 2022 5m data', () => {
  const rows = readFreqtrade('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json');
  const series = toSeries(
    rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
    '5m',
    'BTC/USDT',
  );
  const strategy = getStrategy('nexara-baseline-5m') as Strategy<Params>;
  const params = strategy.defaults as Params;

  it('gives the same result hash on two runs', () => {
    const a = runBacktest(series, strategy, params);
    const b = runBacktest(series, strategy, params);
    expect(a.trades.length).toBeGreaterThan(20);
    expect(a.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.resultHash).toBe(a.resultHash);
    for (const t of a.trades) expect(t.entryTime).toBeGreaterThan(t.signalTime);
  });

  it('gives the same trades whole or split into chunks and merged', () => {
    const whole = runBacktest(series, strategy, params);
    for (const chunkCandles of [2016, 7000]) {
      const split = runChunked(series, strategy, params, {}, { chunkCandles });
      expect(split.chunks).toBeGreaterThan(1);
      expect(split.result.trades).toEqual(whole.trades);
      expect(split.result.resultHash).toBe(whole.resultHash);
    }
  });

  it('passes the lookahead guards (truncation and warm-up)', () => {
    const report = checkLookahead(strategy, series, params, { samples: 60, seed: 7 });
    expect(report.ok, JSON.stringify(report).slice(0, 500)).toBe(true);
  });
});
