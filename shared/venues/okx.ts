/**
 * OKX adapter: `GET /api/v5/market/history-candles?instId=BTC-USDT&bar=5m&after&before&limit=100` (or
 * `/market/candles`, recent data only, limit 300). Body `{ code: "0", msg, data: rows }`; rows newest first,
 * all strings `[ts ms, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`; `confirm` "0" marks the still-forming
 * candle, which is dropped whatever the clock says. `after` returns rows older than the given ts and `before`
 * rows newer (both exclusive), so each page asks for one window of grid slots. A non-"0" code is a venue error
 * (50011 rate limit; 50001/50004 service unavailable / timeout are treated as server errors and retried).
 */
import type { Timeframe } from '../candles/timeframe';
import { arityError, parseRows, toCandle, type ParsedPage, type RowResult } from './rows';
import type { HttpResult } from './transport';
import { badRequest, isRecord, malformed, parseJsonBody, venueError, type VenueSpec } from './venue';

export const OKX_SYMBOLS: Readonly<Record<string, string>> = { 'BTC/USDT': 'BTC-USDT', 'ETH/USDT': 'ETH-USDT' };
export const OKX_TIMEFRAMES: Readonly<Partial<Record<Timeframe, string>>> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '1h': '1H',
  '4h': '4H',
  '1d': '1Dutc',
};

export type OkxEndpoint = 'history-candles' | 'candles';
export const OKX_PAGE_SIZE: Readonly<Record<OkxEndpoint, number>> = { 'history-candles': 100, candles: 300 };

export function parseOkxRow(raw: unknown): RowResult {
  const bad = arityError(raw, 6);
  if (bad) return { ok: false, reason: bad };
  const r = raw as unknown[];
  const c = toCandle({ time: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5] }, 'ms');
  if (!c.ok) return c;
  if (r.length >= 9 && r[8] !== '0' && r[8] !== '1') return { ok: false, reason: `bad confirm flag ${JSON.stringify(r[8])}` };
  // Rows without the confirm column (older API shape) fall back to the clock alone.
  return { ok: true, row: r.length >= 9 ? { candle: c.candle, confirmed: r[8] === '1' } : { candle: c.candle } };
}

/** Throws the typed error for an OKX non-"0" `code` or a bare 4xx (shared by every endpoint). */
export function throwIfOkxError(res: HttpResult, body: Record<string, unknown>): void {
  if (body.code !== undefined && String(body.code) !== '0') {
    const code = String(body.code);
    const kind = code === '50011' ? 'rate-limited' : code === '50001' || code === '50004' ? 'server' : 'venue-error';
    throw venueError('okx', res, code, String(body.msg ?? ''), kind);
  }
  if (res.status >= 400) throw badRequest('okx', res, res.text.slice(0, 200));
}

export function parseOkxCandles(res: HttpResult): ParsedPage {
  const body = parseJsonBody('okx', res);
  if (!isRecord(body)) throw malformed('okx', res, 'candles body is not an object');
  throwIfOkxError(res, body);
  if (body.code === undefined || !Array.isArray(body.data)) throw malformed('okx', res, 'candles body lacks code/data');
  return parseRows(body.data, parseOkxRow);
}

export function okxSpec(endpoint: OkxEndpoint = 'history-candles'): VenueSpec {
  return {
    id: 'okx',
    defaultBaseUrl: 'https://www.okx.com',
    maxPageSize: OKX_PAGE_SIZE[endpoint],
    paging: 'window',
    symbols: OKX_SYMBOLS,
    timeframes: OKX_TIMEFRAMES,
    buildUrl: (base, sym, tf, r, limit) =>
      `${base}/api/v5/market/${endpoint}?instId=${sym}&bar=${tf}&after=${r.end + 1}&before=${r.start - 1}&limit=${limit}`,
    parse: parseOkxCandles,
  };
}
