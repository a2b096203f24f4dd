/**
 * Bybit v5 adapter: `GET /v5/market/kline?category=spot&symbol=BTCUSDT&interval=5&start&end&limit=1000`.
 * Body `{ retCode: 0, retMsg, result: { symbol, category, list: rows } }`; rows newest first, all strings
 * `[start ms, open, high, low, close, volume, turnover]`. `start`/`end` are ms; the answer is anchored at `end`,
 * so each page asks for exactly one window of ≤ 1000 grid slots, `end` being the last slot's close time (so it
 * is included whether the venue treats `end` as inclusive or exclusive). Non-zero retCode is a venue
 * error (10006 / 10018 rate limit, 10016 server error).
 */
import type { Timeframe } from '../candles/timeframe';
import { arityError, parseRows, toCandle, type ParsedPage, type RowResult } from './rows';
import type { HttpResult } from './transport';
import { badRequest, isRecord, malformed, parseJsonBody, venueError, type VenueSpec } from './venue';

export const BYBIT_SYMBOLS: Readonly<Record<string, string>> = { 'BTC/USDT': 'BTCUSDT', 'ETH/USDT': 'ETHUSDT' };
export const BYBIT_TIMEFRAMES: Readonly<Partial<Record<Timeframe, string>>> = {
  '1m': '1',
  '5m': '5',
  '15m': '15',
  '1h': '60',
  '4h': '240',
  '1d': 'D',
};

export function parseBybitRow(raw: unknown): RowResult {
  const bad = arityError(raw, 6);
  if (bad) return { ok: false, reason: bad };
  const r = raw as unknown[];
  const c = toCandle({ time: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5] }, 'ms');
  return c.ok ? { ok: true, row: { candle: c.candle } } : c;
}

/** Throws the typed error for a Bybit non-zero `retCode` or a bare 4xx (shared by every endpoint). */
export function throwIfBybitError(res: HttpResult, body: Record<string, unknown>): void {
  if (body.retCode !== undefined && Number(body.retCode) !== 0) {
    const code = String(body.retCode);
    const kind = code === '10006' || code === '10018' ? 'rate-limited' : code === '10016' ? 'server' : 'venue-error';
    throw venueError('bybit', res, code, String(body.retMsg ?? ''), kind);
  }
  if (res.status >= 400) throw badRequest('bybit', res, res.text.slice(0, 200));
}

export function parseBybitKline(res: HttpResult): ParsedPage {
  const body = parseJsonBody('bybit', res);
  if (!isRecord(body)) throw malformed('bybit', res, 'kline body is not an object');
  throwIfBybitError(res, body);
  const result = body.result;
  if (body.retCode === undefined || !isRecord(result) || !Array.isArray(result.list)) {
    throw malformed('bybit', res, 'kline body lacks retCode/result.list');
  }
  return parseRows(result.list, parseBybitRow);
}

export const BYBIT_SPEC: VenueSpec = {
  id: 'bybit',
  defaultBaseUrl: 'https://api.bybit.com',
  maxPageSize: 1000,
  paging: 'window',
  symbols: BYBIT_SYMBOLS,
  timeframes: BYBIT_TIMEFRAMES,
  buildUrl: (base, sym, tf, r, limit) =>
    `${base}/v5/market/kline?category=spot&symbol=${sym}&interval=${tf}&start=${r.start}&end=${r.end + r.tfMs - 1}&limit=${limit}`,
  parse: parseBybitKline,
};
