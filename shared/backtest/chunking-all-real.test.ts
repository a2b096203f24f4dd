import { expect, it } from 'vitest';
import { toSeries, type CandleSeries } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';
import { STRATEGIES } from '../strategies/registry';
import type { Params, Strategy } from '../strategies/types';
import { describeWithData, readFreqtrade } from '../testing/data';
import { runChunked } from './chunking';
import type { BacktestConfigInput } from './config';
import { runBacktest } from './engine';

/**
 * Issue 11 item 8: chunked = whole, always. Every bundled single-series strategy on real BTC/USDT candles of its
 * primary timeframe (5m: the 2022 recording; 4h: 2017–2022), at two chunk sizes, with and without risk rules that
 * carry state across chunk borders: the same result hash — trades, stop prices, reason strings (which print
 * indicator values, e.g. dsta-sma-crossover's SMAs) and metrics.
 */
describeWithData('chunked == whole for every bundled strategy (real data)', () => {
  const load = (dir: 'SauloHenriqueAguiar-freqtrades' | 'djienne-3EMA_SRSI_ATR', file: string, tf: Timeframe): CandleSeries =>
    toSeries(
      readFreqtrade(dir, file).map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })),
      tf,
      'BTC/USDT',
    );
  const byTf: Partial<Record<Timeframe, CandleSeries>> = {
    '5m': load('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json', '5m'),
    '4h': load('djienne-3EMA_SRSI_ATR', 'BTC_USDT-4h.json', '4h'),
  };
  const singles = STRATEGIES.filter((s): s is Strategy<Params> => s.kind === 'single');
  const configs: BacktestConfigInput[] = [{}, { risk: { cooldownCandles: 3, circuitBreaker: { losses: 3, pauseCandles: 30 } } }];

  it('covers every bundled single-series strategy', () => {
    expect(singles.length).toBeGreaterThanOrEqual(10);
    for (const s of singles) expect(byTf[s.timeframes[0]], `${s.id} on ${s.timeframes[0]}`).toBeDefined();
  });

  for (const strategy of singles) {
    it(`${strategy.id}: runChunked at 1000 and 2503 candles == runBacktest (same hash)`, () => {
      const series = byTf[strategy.timeframes[0]]!;
      const params = strategy.defaults as Params;
      for (const config of configs) {
        const whole = runBacktest(series, strategy, params, config);
        expect(whole.trades.length).toBeGreaterThan(5);
        for (const chunkCandles of [1000, 2503]) {
          const split = runChunked(series, strategy, params, config, { chunkCandles });
          expect(split.chunks).toBeGreaterThan(3);
          expect(split.result.trades).toEqual(whole.trades);
          expect(split.result.resultHash).toBe(whole.resultHash);
        }
      }
    });
  }
});
