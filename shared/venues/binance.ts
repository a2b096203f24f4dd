/**
 * Binance spot adapter: `GET /api/v3/klines?symbol=BTCUSDT&interval=5m&startTime&endTime&limit=1000`.
 * Rows are oldest first, `[openTime ms, "open", "high", "low", "close", "volume", closeTime, "quoteVolume",
 * trades, "takerBase", "takerQuote", "ignore"]` (times as numbers, prices as strings). Errors come as
 * `{ code, msg }` (e.g. -1121 invalid symbol, -1003 too many requests). Forward paging by open time.
 */
import type { Timeframe } from '../candles/timeframe';
import { arityError, parseRows, toCandle, type ParsedPage, type RowResult } from './rows';
import type { HttpResult } from './transport';
import { badRequest, isRecord, malformed, parseJsonBody, venueError, type VenueSpec } from './venue';

export const BINANCE_SYMBOLS: Readonly<Record<string, string>> = { 'BTC/USDT': 'BTCUSDT', 'ETH/USDT': 'ETHUSDT' };
export const BINANCE_TIMEFRAMES: Readonly<Partial<Record<Timeframe, string>>> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '1h': '1h',
  '4h': '4h',
  '1d': '1d',
};

export function parseBinanceRow(raw: unknown): RowResult {
  const bad = arityError(raw, 6);
  if (bad) return { ok: false, reason: bad };
  const r = raw as unknown[];
  const c = toCandle({ time: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5] }, 'ms');
  return c.ok ? { ok: true, row: { candle: c.candle } } : c;
}

/** Throws the typed error for a Binance `{ code, msg }` payload or a bare 4xx (shared by every endpoint). */
export function throwIfBinanceError(res: HttpResult, body: unknown): void {
  if (isRecord(body) && 'code' in body) {
    const code = String(body.code);
    const kind = code === '-1003' ? 'rate-limited' : code === '-1001' || code === '-1007' ? 'server' : 'venue-error';
    throw venueError('binance', res, code, String(body.msg ?? ''), kind);
  }
  if (res.status >= 400) throw badRequest('binance', res, res.text.slice(0, 200));
}

export function parseBinanceKlines(res: HttpResult): ParsedPage {
  const body = parseJsonBody('binance', res);
  throwIfBinanceError(res, body);
  if (!Array.isArray(body)) throw malformed('binance', res, 'klines body is not an array');
  return parseRows(body, parseBinanceRow);
}

export const BINANCE_SPEC: VenueSpec = {
  id: 'binance',
  defaultBaseUrl: 'https://api.binance.com',
  maxPageSize: 1000,
  paging: 'forward',
  symbols: BINANCE_SYMBOLS,
  timeframes: BINANCE_TIMEFRAMES,
  buildUrl: (base, sym, tf, r, limit) =>
    `${base}/api/v3/klines?symbol=${sym}&interval=${tf}&startTime=${r.start}&endTime=${r.end + r.tfMs - 1}&limit=${limit}`,
  parse: parseBinanceKlines,
};
