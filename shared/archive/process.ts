/**
 * One archive file, end to end and pure: verify the zip against its CHECKSUM, unzip the single CSV, parse it
 * (header and ms/µs detection), and validate the candles for the interval. The caller does the I/O (download,
 * upsert, recording issues); this returns the good candles and every rejected row with its reason.
 */
import type { Candle } from '../candles/candle';
import type { DataIssue } from '../candles/issue';
import type { Timeframe } from '../candles/timeframe';
import { validateCandles } from '../candles/validate';
import { verifyChecksum } from './checksum';
import { parseArchiveCsv, type TimeUnit } from './csv';
import { unzipSingleCsv } from './zip';

export interface ProcessedArchiveFile {
  sha256: string;
  csvName: string;
  rows: number;
  header: boolean;
  timeUnit: TimeUnit;
  candles: Candle[];
  issues: DataIssue[];
  warnings: DataIssue[];
}

export function processArchiveFile(input: {
  zipBytes: Uint8Array;
  /** The `.CHECKSUM` text; omit only for local files with no checksum (from-dir imports). */
  checksumText?: string;
  fileName: string;
  timeframe: Timeframe;
  now: number;
}): ProcessedArchiveFile {
  const sum = input.checksumText ? verifyChecksum(input.zipBytes, input.checksumText, input.fileName) : null;
  const { fileName: csvName, text } = unzipSingleCsv(input.zipBytes);
  return processArchiveCsv({ text, csvName, timeframe: input.timeframe, now: input.now, sha256: sum?.sha256 ?? '' });
}

export function processArchiveCsv(input: {
  text: string;
  csvName: string;
  timeframe: Timeframe;
  now: number;
  sha256?: string;
}): ProcessedArchiveFile {
  const parsed = parseArchiveCsv(input.text, { interval: input.timeframe });
  const checked = validateCandles(parsed.candles, { timeframe: input.timeframe, now: input.now });
  return {
    sha256: input.sha256 ?? '',
    csvName: input.csvName,
    rows: parsed.rows,
    header: parsed.header,
    timeUnit: parsed.timeUnit,
    candles: checked.valid,
    issues: [...parsed.issues, ...checked.issues],
    warnings: parsed.warnings,
  };
}

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USD', 'EUR', 'BTC', 'ETH', 'BNB'];

/** Binance's `BTCUSDT` → the platform's canonical `BTC/USDT`. */
export function canonicalSymbol(binanceSymbol: string): string {
  const s = binanceSymbol.toUpperCase();
  for (const q of QUOTES) if (s.endsWith(q) && s.length > q.length) return `${s.slice(0, -q.length)}/${q}`;
  throw new Error(`Cannot split ${binanceSymbol} into base/quote`);
}

/** The platform's `BTC/USDT` → Binance's `BTCUSDT`. */
export function binanceSymbol(canonical: string): string {
  return canonical.replace('/', '').toUpperCase();
}
