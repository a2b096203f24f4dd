/**
 * The five venues' wire formats as the fake exchange speaks them: request parsing (symbol, interval, cursors,
 * limits, with each venue's own validation errors) and response envelopes/rows, mirroring the real endpoints:
 *   Binance  GET /api/v3/klines                  oldest first, ms numbers + string prices, 12 columns
 *   Kraken   GET /0/public/OHLC                  `since` exclusive (s), ≤720 rows incl. the forming one, `last`
 *   Coinbase GET /products/{id}/candles          newest first, [time s, low, high, open, close, volume], ≤300
 *   OKX      GET /api/v5/market/history-candles  newest first strings + confirm flag (`/candles` too)
 *   Bybit    GET /v5/market/kline                newest first strings, start/end inclusive, end-anchored
 * Deliberate simplification: Kraken here serves the first 720 rows after `since` (the real one keeps only the
 * latest 720), so history can be paged in tests.
 */
import { TIMEFRAME_MS, type Timeframe } from '../../shared/candles/timeframe';
import type { CandleStore, Row } from './store';

export const FAKE_VENUES = ['binance', 'kraken', 'coinbase', 'okx', 'bybit'] as const;
export type FakeVenue = (typeof FAKE_VENUES)[number];

/** A venue answer: either a finished body, or rows plus the envelope that wraps them (so row faults can apply). */
export type WireAnswer =
  | { status: number; body: unknown }
  | {
      status: 200;
      rows: unknown[];
      envelope: (rows: unknown[]) => unknown;
      /** The `bad-rows` fault for rows that are not candle arrays (book levels, trade objects); default: candle rule. */
      corrupt?: (rows: readonly unknown[]) => unknown[];
      /** The `crossed` fault (order books only; the rows are the bids): the best bid moved above the best ask. */
      cross?: (rows: readonly unknown[]) => unknown[];
    };

export interface WireRequest {
  path: string;
  query: URLSearchParams;
  now: number;
  store: CandleStore;
}

const num = (q: URLSearchParams, k: string): number | undefined => {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
};

/** Exact decimal string (8 places, Binance style, when that round-trips; otherwise the shortest form). */
const s8 = (n: number): string => {
  const s = n.toFixed(8);
  return Number(s) === n ? s : String(n);
};
const s = (n: number): string => String(n);

function invert<K extends string>(m: Partial<Record<K, string>>): Record<string, K> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [v as string, k])) as Record<string, K>;
}

const TF_BINANCE = invert<Timeframe>({ '1m': '1m', '5m': '5m', '15m': '15m', '1h': '1h', '4h': '4h', '1d': '1d' });
const TF_KRAKEN = invert<Timeframe>({ '1m': '1', '5m': '5', '15m': '15', '1h': '60', '4h': '240', '1d': '1440' });
const TF_COINBASE = invert<Timeframe>({ '1m': '60', '5m': '300', '15m': '900', '1h': '3600', '1d': '86400' });
const TF_OKX = invert<Timeframe>({ '1m': '1m', '5m': '5m', '15m': '15m', '1h': '1H', '4h': '4H', '1d': '1Dutc' });
const TF_BYBIT = invert<Timeframe>({ '1m': '1', '5m': '5', '15m': '15', '1h': '60', '4h': '240', '1d': 'D' });

export const SYM_CONCAT: Record<string, string> = { BTCUSDT: 'BTC/USDT', ETHUSDT: 'ETH/USDT' };
export const SYM_DASH: Record<string, string> = { 'BTC-USDT': 'BTC/USDT', 'ETH-USDT': 'ETH/USDT' };
/** Kraken pair → [data symbol, response key]. The USD pairs serve the USDT data under legacy X/Z keys. */
export const SYM_KRAKEN: Record<string, [string, string]> = {
  XBTUSDT: ['BTC/USDT', 'XBTUSDT'],
  ETHUSDT: ['ETH/USDT', 'ETHUSDT'],
  XBTUSD: ['BTC/USDT', 'XXBTZUSD'],
  XXBTZUSD: ['BTC/USDT', 'XXBTZUSD'],
  ETHUSD: ['ETH/USDT', 'XETHZUSD'],
  XETHZUSD: ['ETH/USDT', 'XETHZUSD'],
};
export const SYM_COINBASE: Record<string, string> = { ...SYM_DASH, 'BTC-USD': 'BTC/USDT', 'ETH-USD': 'ETH/USDT' };

/** Rows with lo <= openTime <= hi, ascending. */
function between(rows: readonly Row[], lo: number, hi: number): Row[] {
  return rows.filter((r) => r[0] >= lo && r[0] <= hi);
}

export function binance(req: WireRequest): WireAnswer {
  const { query: q } = req;
  if (req.path !== '/api/v3/klines') return { status: 404, body: { code: -1, msg: 'Not found' } };
  const symbol = SYM_CONCAT[q.get('symbol') ?? ''];
  if (!symbol) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
  const tf = TF_BINANCE[q.get('interval') ?? ''];
  if (!tf) return { status: 400, body: { code: -1120, msg: 'Invalid interval.' } };
  const limit = num(q, 'limit') ?? 500;
  if (!(limit >= 1 && limit <= 1000)) return { status: 400, body: { code: -1130, msg: "Data sent for parameter 'limit' is not valid." } };
  const start = num(q, 'startTime');
  const end = num(q, 'endTime');
  if (Number.isNaN(start) || Number.isNaN(end)) return { status: 400, body: { code: -1100, msg: 'Illegal characters found in parameter.' } };
  const inRange = between(req.store.rowsAt(symbol, tf, req.now), start ?? -Infinity, end ?? Infinity);
  const page = start !== undefined ? inRange.slice(0, limit) : inRange.slice(-limit);
  const tfMs = TIMEFRAME_MS[tf];
  const rows = page.map((r) => [r[0], s8(r[1]), s8(r[2]), s8(r[3]), s8(r[4]), s8(r[5]), r[0] + tfMs - 1, s8(r[5] * r[4]), 0, '0', '0', '0']);
  return { status: 200, rows, envelope: (x) => x };
}

export function kraken(req: WireRequest): WireAnswer {
  const { query: q } = req;
  if (req.path !== '/0/public/OHLC') return { status: 404, body: { error: ['EGeneral:Unknown method'] } };
  const pair = SYM_KRAKEN[(q.get('pair') ?? '').toUpperCase()];
  if (!pair) return { status: 200, body: { error: ['EQuery:Unknown asset pair'] } };
  const tf = TF_KRAKEN[q.get('interval') ?? '1'];
  if (!tf) return { status: 200, body: { error: ['EGeneral:Invalid arguments'] } };
  const since = num(q, 'since');
  if (Number.isNaN(since)) return { status: 200, body: { error: ['EGeneral:Invalid arguments:since'] } };
  const all = req.store.rowsAt(pair[0], tf, req.now);
  const page = since === undefined ? all.slice(-720) : all.filter((r) => r[0] > since * 1000).slice(0, 720);
  const tfMs = TIMEFRAME_MS[tf];
  const committed = page.filter((r) => r[0] + tfMs <= req.now);
  const last = committed.length > 0 ? committed.at(-1)![0] / 1000 : (since ?? 0);
  const rows = page.map((r) => [r[0] / 1000, s(r[1]), s(r[2]), s(r[3]), s(r[4]), s((r[2] + r[3] + r[4]) / 3), s(r[5]), 1]);
  return { status: 200, rows, envelope: (x) => ({ error: [], result: { [pair[1]]: x, last } }) };
}

export function coinbase(req: WireRequest): WireAnswer {
  const { query: q } = req;
  const m = /^\/products\/([^/]+)\/candles$/.exec(req.path);
  if (!m) return { status: 404, body: { message: 'NotFound' } };
  const symbol = SYM_COINBASE[decodeURIComponent(m[1]!).toUpperCase()];
  if (!symbol) return { status: 404, body: { message: 'NotFound' } };
  const g = q.get('granularity') ?? '60';
  if (!['60', '300', '900', '3600', '21600', '86400'].includes(g)) return { status: 400, body: { message: 'Unsupported granularity' } };
  const tf = TF_COINBASE[g];
  const all = tf ? req.store.rowsAt(symbol, tf, req.now) : []; // 21600 (6h): a real granularity with no data here
  const startS = q.get('start');
  const endS = q.get('end');
  let page: Row[];
  if (startS && endS) {
    const a = Date.parse(startS);
    const b = Date.parse(endS);
    if (Number.isNaN(a) || Number.isNaN(b) || b < a) return { status: 400, body: { message: 'Invalid start/end' } };
    if (Math.floor((b - a) / (Number(g) * 1000)) + 1 > 300) {
      return { status: 400, body: { message: 'granularity too small for the requested time range. Count of aggregations requested exceeds 300' } };
    }
    page = between(all, a, b);
  } else {
    page = all.slice(-300); // either bound alone is ignored, as on the real API
  }
  const rows = page.reverse().map((r) => [r[0] / 1000, r[3], r[2], r[1], r[4], r[5]]);
  return { status: 200, rows, envelope: (x) => x };
}

export function okx(req: WireRequest): WireAnswer {
  const { query: q } = req;
  const m = /^\/api\/v5\/market\/(history-candles|candles)$/.exec(req.path);
  if (!m) return { status: 404, body: { code: '404', msg: 'Not Found', data: [] } };
  const maxLimit = m[1] === 'candles' ? 300 : 100;
  const symbol = SYM_DASH[q.get('instId') ?? ''];
  if (!symbol) return { status: 200, body: { code: '51001', msg: "Instrument ID doesn't exist.", data: [] } };
  const tf = TF_OKX[q.get('bar') ?? '1m'];
  if (!tf) return { status: 200, body: { code: '51000', msg: 'Parameter bar error', data: [] } };
  const limit = Math.min(maxLimit, num(q, 'limit') ?? 100);
  const after = num(q, 'after');
  const before = num(q, 'before');
  if (Number.isNaN(limit) || Number.isNaN(after) || Number.isNaN(before)) return { status: 200, body: { code: '51000', msg: 'Parameter error', data: [] } };
  const tfMs = TIMEFRAME_MS[tf];
  const page = req.store
    .rowsAt(symbol, tf, req.now)
    .filter((r) => (after === undefined || r[0] < after) && (before === undefined || r[0] > before))
    .slice(-limit)
    .reverse();
  const rows = page.map((r) => [s(r[0]), s(r[1]), s(r[2]), s(r[3]), s(r[4]), s(r[5]), s(r[5]), s(r[5] * r[4]), r[0] + tfMs <= req.now ? '1' : '0']);
  return { status: 200, rows, envelope: (x) => ({ code: '0', msg: '', data: x }) };
}

export function bybit(req: WireRequest): WireAnswer {
  const { query: q } = req;
  const err = (retCode: number, retMsg: string): WireAnswer => ({ status: 200, body: { retCode, retMsg, result: {}, retExtInfo: {}, time: req.now } });
  if (req.path !== '/v5/market/kline') return { status: 404, body: { retCode: 404, retMsg: 'Not Found' } };
  const category = q.get('category') ?? 'linear';
  if (!['spot', 'linear', 'inverse'].includes(category)) return err(10001, 'Illegal category');
  const sym = q.get('symbol') ?? '';
  const symbol = SYM_CONCAT[sym];
  if (!symbol) return err(10001, 'Not supported symbols');
  const tf = TF_BYBIT[q.get('interval') ?? ''];
  if (!tf) return err(10001, 'Invalid interval');
  const limit = num(q, 'limit') ?? 200;
  if (!(limit >= 1 && limit <= 1000)) return err(10001, 'Invalid limit');
  const start = num(q, 'start');
  const end = num(q, 'end');
  if (Number.isNaN(start) || Number.isNaN(end)) return err(10001, 'params error');
  const page = between(req.store.rowsAt(symbol, tf, req.now), start ?? -Infinity, end ?? Infinity).slice(-limit).reverse();
  const rows = page.map((r) => [s(r[0]), s(r[1]), s(r[2]), s(r[3]), s(r[4]), s(r[5]), s(r[5] * r[4])]);
  return { status: 200, rows, envelope: (list) => ({ retCode: 0, retMsg: 'OK', result: { symbol: sym, category, list }, retExtInfo: {}, time: req.now }) };
}

export const WIRE: Readonly<Record<FakeVenue, (req: WireRequest) => WireAnswer>> = { binance, kraken, coinbase, okx, bybit };

/** The payload each venue uses for an application-level error (fault kind `venue-error`). */
export const VENUE_ERROR_BODY: Readonly<Record<FakeVenue, { status: number; body: unknown }>> = {
  binance: { status: 400, body: { code: -1100, msg: 'Illegal characters found in a parameter. (injected)' } },
  kraken: { status: 200, body: { error: ['EGeneral:Invalid arguments (injected)'] } },
  coinbase: { status: 400, body: { message: 'Invalid request (injected)' } },
  okx: { status: 200, body: { code: '51000', msg: 'Parameter error (injected)', data: [] } },
  bybit: { status: 200, body: { retCode: 10001, retMsg: 'params error (injected)', result: {}, retExtInfo: {}, time: 0 } },
};
