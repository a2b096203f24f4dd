/**
 * Test helper for the sweep tests that run every bundled strategy on real candles: the BTC/USDT 4h and 5m
 * freqtrade files (first rows only), the registry's single-series strategies and which series each one runs on.
 */
import { toSeries, type CandleSeries } from '../candles/candle';
import { STRATEGIES } from '../strategies/registry';
import type { Strategy } from '../strategies/types';
import { readFreqtrade } from '../testing/data';

function load(dir: 'djienne-3EMA_SRSI_ATR' | 'SauloHenriqueAguiar-freqtrades', file: string, tf: '5m' | '4h', symbol: string, max: number): CandleSeries {
  const rows = readFreqtrade(dir, file).slice(0, max);
  return toSeries(rows.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })), tf, symbol);
}

/** Call inside a `describeWithData` body: the series and strategies, with the series a strategy is tested on. */
export function realSweepFixtures(): { singles: Strategy[]; seriesFor(strategy: Strategy): CandleSeries } {
  const h4 = load('djienne-3EMA_SRSI_ATR', 'BTC_USDT-4h.json', '4h', 'BTC/USDT', 6_000);
  const m5 = load('SauloHenriqueAguiar-freqtrades', 'BTC_USDT-5m.json', '5m', 'BTC/USDT', 8_000);
  return {
    singles: STRATEGIES.filter((s): s is Strategy => s.kind === 'single'),
    seriesFor: (strategy) => (strategy.timeframes[0] === '5m' || strategy.timeframes[0] === '15m' ? m5 : h4),
  };
}
