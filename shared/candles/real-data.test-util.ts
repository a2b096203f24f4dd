/**
 * Test-only loaders of the real Binance material in ../shared/data as `Candle`s: the spot archive CSVs (parsed by
 * the real parser, per file) and freqtrade's REST-derived JSON. Callers must sit inside `describeWithData`.
 */
import { parseArchiveCsv, type ParsedArchiveCsv } from '../archive/csv';
import { listArchiveFiles } from '../archive/layout';
import { readDataText, readFreqtrade } from '../testing/data';
import type { Candle } from './candle';

export interface ArchiveFileParse extends ParsedArchiveCsv {
  file: string;
  text: string;
}

/** The months held in `binance-spot-klines/<symbol>/1h/` (see PROVENANCE.md §1a). */
const MONTHS = {
  BTCUSDT: [['2017-08', '2022-02']],
  ETHUSDT: [
    ['2021-01', '2021-03'],
    ['2021-10', '2021-12'],
  ],
} as const;

/** Every `binance-spot-klines/<symbol>/1h/*.csv`, oldest first, parsed with interval 1h. */
export function loadArchiveFiles(symbol: 'BTCUSDT' | 'ETHUSDT'): ArchiveFileParse[] {
  return MONTHS[symbol]
    .flatMap(([from, to]) => listArchiveFiles(symbol, '1h', from, to))
    .map((ref) => ref.fileName.replace(/\.zip$/, '.csv'))
    .map((file) => {
      const text = readDataText('binance-spot-klines', symbol, '1h', file);
      return { file, text, ...parseArchiveCsv(text, { interval: '1h' }) };
    });
}

/** All parsed archive candles of a symbol, in file order (not yet validated). */
export function loadArchiveCandles(symbol: 'BTCUSDT' | 'ETHUSDT'): Candle[] {
  return loadArchiveFiles(symbol).flatMap((f) => f.candles);
}

export function freqtradeCandles(dir: 'djienne-3EMA_SRSI_ATR' | 'SauloHenriqueAguiar-freqtrades', file: string): Candle[] {
  return readFreqtrade(dir, file).map((r) => ({ openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }));
}

export const iso = (t: number): string => new Date(t).toISOString();
