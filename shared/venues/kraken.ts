/**
 * Kraken adapter: `GET /0/public/OHLC?pair=XBTUSDT&interval=5&since=<epoch s>`. The body is
 * `{ error: [], result: { <pairKey>: rows, last } }` where the pair key may differ from the requested pair
 * (`XBTUSDT`, or `XXBTZUSD`-style legacy names), so the first key that is not `last` is taken. Rows are oldest
 * first, `[time s, "open", "high", "low", "close", "vwap", "volume", count]`; vwap and count are ignored.
 * At most 720 rows per answer; the last row is the still-forming candle (`last` ≠ last row time: rows after
 * `last` are uncommitted and dropped whatever the caller's clock says); `since` is
 * exclusive, so the adapter asks from one second before its cursor. Kraken keeps only the most recent 720
 * candles per interval: older ranges come back empty or partial.
 */
import type { Timeframe } from '../candles/timeframe';
import { arityError, parseRows, toCandle, type ParsedPage, type RowResult } from './rows';
import type { HttpResult } from './transport';
import { badRequest, isRecord, malformed, parseJsonBody, venueError, type VenueSpec } from './venue';

export const KRAKEN_SYMBOLS: Readonly<Record<string, string>> = {
  'BTC/USDT': 'XBTUSDT',
  'ETH/USDT': 'ETHUSDT',
  'BTC/USD': 'XBTUSD',
  'ETH/USD': 'ETHUSD',
};
/** Interval in minutes. */
export const KRAKEN_TIMEFRAMES: Readonly<Partial<Record<Timeframe, string>>> = {
  '1m': '1',
  '5m': '5',
  '15m': '15',
  '1h': '60',
  '4h': '240',
  '1d': '1440',
};

export function parseKrakenRow(raw: unknown): RowResult {
  const bad = arityError(raw, 7);
  if (bad) return { ok: false, reason: bad };
  const r = raw as unknown[];
  const c = toCandle({ time: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[6] }, 's');
  return c.ok ? { ok: true, row: { candle: c.candle } } : c;
}

/** Throws the typed error for a non-empty Kraken `error` list or a bare 4xx (shared by every endpoint). */
export function throwIfKrakenError(res: HttpResult, body: Record<string, unknown>): void {
  const errors = body.error;
  if (Array.isArray(errors) && errors.length > 0) {
    const msg = errors.map(String).join('; ');
    const kind = /EAPI:Rate limit/i.test(msg) ? 'rate-limited' : /EService:(Unavailable|Busy)/i.test(msg) ? 'server' : 'venue-error';
    throw venueError('kraken', res, msg, msg, kind);
  }
  if (res.status >= 400) throw badRequest('kraken', res, res.text.slice(0, 200));
}

export function parseKrakenOhlc(res: HttpResult): ParsedPage {
  const body = parseJsonBody('kraken', res);
  if (!isRecord(body)) throw malformed('kraken', res, 'OHLC body is not an object');
  throwIfKrakenError(res, body);
  const result = body.result;
  if (!isRecord(result)) throw malformed('kraken', res, 'OHLC body has no result object');
  const key = Object.keys(result).find((k) => k !== 'last');
  if (key === undefined) throw malformed('kraken', res, 'OHLC result has no pair key');
  const rows = result[key];
  if (!Array.isArray(rows)) throw malformed('kraken', res, `OHLC result.${key} is not an array`);
  const page = parseRows(rows, parseKrakenRow);
  // `last` is the newest committed candle (epoch s): anything after it is still forming on Kraken's clock,
  // which protects against a caller clock running ahead of the venue's.
  const last = typeof result.last === 'number' && Number.isFinite(result.last) ? result.last * 1000 : undefined;
  if (last !== undefined) for (const r of page.rows) if (r.candle.openTime > last) r.confirmed = false;
  return page;
}

export const KRAKEN_SPEC: VenueSpec = {
  id: 'kraken',
  defaultBaseUrl: 'https://api.kraken.com',
  maxPageSize: 720,
  paging: 'forward',
  symbols: KRAKEN_SYMBOLS,
  timeframes: KRAKEN_TIMEFRAMES,
  buildUrl: (base, sym, tf, r) => `${base}/0/public/OHLC?pair=${sym}&interval=${tf}&since=${Math.floor(r.start / 1000) - 1}`,
  parse: parseKrakenOhlc,
};
