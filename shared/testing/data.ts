/**
 * Test-only access to the real market material kept beside the checkout in `../shared/data` (never copied into
 * the repo). A user's clone lacks it: tests that need it skip and say why; `.ci/run` refuses to start without it,
 * so in CI they always run.
 */
import { toSeries, type CandleSeries } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DATA_DIR = process.env.SHARED_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data');
export const HAS_SHARED_DATA = existsSync(join(SHARED_DATA_DIR, 'PROVENANCE.md'));
export const SKIP_REASON = `real market data not found at ${SHARED_DATA_DIR} (a clone without ../shared/data); these tests skip`;

/** `describe` when ../shared/data exists, otherwise a skipped suite whose name carries the reason. */
export function describeWithData(name: string, fn: () => void): void {
  if (HAS_SHARED_DATA) describe(name, fn);
  else describe.skip(`${name} [skipped: ${SKIP_REASON}]`, fn);
}

export function dataPath(...parts: string[]): string {
  return join(SHARED_DATA_DIR, ...parts);
}

/**
 * Without ../shared/data the readers return empty values (`''`, `[]`) instead of throwing, so a test file that reads
 * its material at module level still collects and its `describeWithData` suites skip with the reason. Nothing may
 * assert on those empties: every test that uses the material sits in a `describeWithData` suite (an unguarded one
 * fails loudly on the empty input rather than passing).
 */
export function readDataText(...parts: string[]): string {
  if (!HAS_SHARED_DATA) return '';
  return readFileSync(dataPath(...parts), 'utf8');
}

export function readDataJson<T = unknown>(...parts: string[]): T {
  if (!HAS_SHARED_DATA) return [] as T;
  return JSON.parse(readDataText(...parts)) as T;
}

/** Freqtrade-format candles `[openTimeMs, o, h, l, c, v][]`. */
export function readFreqtrade(dir: 'djienne-3EMA_SRSI_ATR' | 'SauloHenriqueAguiar-freqtrades', file: string): number[][] {
  return readDataJson<number[][]>('freqtrade-binance-spot', dir, file);
}

/** The last `last` candles (all when omitted) of a freqtrade file as a series. */
export function readFreqtradeSeries(dir: 'djienne-3EMA_SRSI_ATR' | 'SauloHenriqueAguiar-freqtrades', file: string, symbol: string, timeframe: Timeframe, last?: number): CandleSeries {
  const rows = readFreqtrade(dir, file);
  const kept = last === undefined ? rows : rows.slice(-last);
  return toSeries(kept.map(([openTime, open, high, low, close, volume]) => ({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! })), timeframe, symbol);
}
