/**
 * Coinbase Exchange adapter: `GET /products/BTC-USDT/candles?granularity=300&start=ISO&end=ISO`. Rows are
 * newest first, `[time s, low, high, open, close, volume]` as numbers — note low/high come before open/close.
 * At most 300 candles per request (a larger start..end span is rejected), so paging is by 300-slot windows.
 * Granularities are 60, 300, 900, 3600, 21600, 86400 s: there is no 4h (21600 is 6h, outside the platform's
 * timeframes), so 4h is unsupported here and must be aggregated from 1h by the caller. Errors come as
 * `{ message }` with a 4xx status. (Coinbase Advanced Trade, `/api/v3/brokerage/products/{id}/candles`, is a
 * different API with object rows; it is not served by this adapter.)
 */
import type { Timeframe } from '../candles/timeframe';
import { arityError, parseRows, toCandle, type ParsedPage, type RowResult } from './rows';
import type { HttpResult } from './transport';
import { badRequest, isRecord, malformed, parseJsonBody, venueError, type VenueSpec } from './venue';

export const COINBASE_SYMBOLS: Readonly<Record<string, string>> = {
  'BTC/USDT': 'BTC-USDT',
  'ETH/USDT': 'ETH-USDT',
  'BTC/USD': 'BTC-USD',
  'ETH/USD': 'ETH-USD',
};
/** Granularity in seconds. No 4h. */
export const COINBASE_TIMEFRAMES: Readonly<Partial<Record<Timeframe, string>>> = {
  '1m': '60',
  '5m': '300',
  '15m': '900',
  '1h': '3600',
  '1d': '86400',
};

export function parseCoinbaseRow(raw: unknown): RowResult {
  const bad = arityError(raw, 6);
  if (bad) return { ok: false, reason: bad };
  const r = raw as unknown[];
  const c = toCandle({ time: r[0], low: r[1], high: r[2], open: r[3], close: r[4], volume: r[5] }, 's');
  return c.ok ? { ok: true, row: { candle: c.candle } } : c;
}

/** Throws the typed error for a Coinbase `{ message }` payload (Exchange and Advanced Trade) or a bare 4xx. */
export function throwIfCoinbaseError(res: HttpResult, body: unknown): void {
  if (isRecord(body) && typeof body.message === 'string') throw venueError('coinbase', res, String(res.status), body.message);
  if (res.status >= 400) throw badRequest('coinbase', res, res.text.slice(0, 200));
}

export function parseCoinbaseCandles(res: HttpResult): ParsedPage {
  const body = parseJsonBody('coinbase', res);
  throwIfCoinbaseError(res, body);
  if (!Array.isArray(body)) throw malformed('coinbase', res, 'candles body is not an array');
  return parseRows(body, parseCoinbaseRow);
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const COINBASE_SPEC: VenueSpec = {
  id: 'coinbase',
  defaultBaseUrl: 'https://api.exchange.coinbase.com',
  maxPageSize: 300,
  paging: 'window',
  symbols: COINBASE_SYMBOLS,
  timeframes: COINBASE_TIMEFRAMES,
  buildUrl: (base, sym, tf, r) =>
    `${base}/products/${sym}/candles?granularity=${tf}&start=${encodeURIComponent(iso(r.start))}&end=${encodeURIComponent(iso(r.end))}`,
  parse: parseCoinbaseCandles,
};
