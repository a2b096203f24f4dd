/**
 * The fake exchange's order book, best bid/ask and recent-trades endpoints, served in each venue's real wire
 * format from the real recorded bodies in `../shared/data/rest-responses` (PROVENANCE.md §5):
 *   Binance  /api/v3/depth (the 1000-level hftbacktest cut), /api/v3/ticker/bookTicker, /api/v3/trades
 *   Kraken   /0/public/Depth, /0/public/Ticker, /0/public/Trades
 *   Coinbase /products/{id}/book?level=2, /products/{id}/ticker, and Advanced Trade (same prefix)
 *            /api/v3/brokerage/market/product_book, /api/v3/brokerage/market/products/{id}/ticker
 *   OKX      /api/v5/market/books, /api/v5/market/ticker, /api/v5/market/trades
 *   Bybit    /v5/market/orderbook, /v5/market/tickers, /v5/market/recent-trade (docs-example bodies)
 * Prices and sizes are the recorded ones; only the time fields move to the simulated clock (the book a few
 * hundred ms before `now`, trades shifted so the newest is 1 s before `now`, spacing kept), so a client
 * judging staleness against `now` accepts them. Size parameters slice the recorded levels / trades as the venue
 * would. Each endpoint serves its own capture, so e.g. Binance's bookTicker (60741.67) and depth (61837.63) come
 * from different sessions and do not agree with each other. Deliberate simplifications: ETH symbols get the BTC body (no ETH body was recorded); the only real
 * Coinbase Exchange `level=2` body is an unknown ≈ 0.11 product, so that endpoint serves the real BTC-USD
 * Advanced Trade levels in the Exchange's `[price, size, num_orders]` shape (num_orders 1) with the recorded
 * body's `sequence`. Returns `undefined` for paths that are not market-data endpoints (candles are `wire.ts`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYM_COINBASE, SYM_CONCAT, SYM_DASH, SYM_KRAKEN, type FakeVenue, type WireAnswer } from './wire';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultRestDir(): string {
  return join(process.env.SHARED_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data'), 'rest-responses');
}

/** Lazily loaded, cached recorded bodies; every answer starts from a fresh deep copy. */
export class RecordedBodies {
  private readonly cache = new Map<string, string>();
  constructor(readonly dir: string = defaultRestDir()) {}
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded JSON of several shapes, edited in place
  get(name: string): any {
    let text = this.cache.get(name);
    if (text === undefined) this.cache.set(name, (text = readFileSync(join(this.dir, name), 'utf8')));
    return JSON.parse(text);
  }
}

export interface MarketWireRequest {
  path: string;
  query: URLSearchParams;
  now: number;
  bodies: RecordedBodies;
}

/** The book is stamped this long before `now`; trades end this long before it. */
const BOOK_LAG_MS = 200;
const TRADE_LAG_MS = 1_000;

const iso = (ms: number): string => new Date(ms).toISOString();
const intParam = (q: URLSearchParams, k: string, dflt: number): number => {
  const v = q.get(k);
  return v === null || v === '' ? dflt : Number(v);
};
const inRange = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;

/** The row `bad-rows` spoils: row 1, or row 0 of a one-row answer (the Bybit docs bodies). */
const victim = (rows: readonly unknown[]) => Math.min(1, rows.length - 1);
/** `bad-rows` for book levels and array trades: the victim row's price becomes "n/a". */
const corruptArrayPrice = (rows: readonly unknown[]): unknown[] => rows.map((r, i) => (i === victim(rows) && Array.isArray(r) ? ['n/a', ...r.slice(1)] : r));
/** `bad-rows` for object trades: the victim row's `field` becomes "n/a". */
const corruptField =
  (field: string) =>
  (rows: readonly unknown[]): unknown[] =>
    rows.map((r, i) => (i === victim(rows) && typeof r === 'object' && r !== null ? { ...r, [field]: 'n/a' } : r));

/** `crossed`: the best bid (row 0) raised 1 % — far above any recorded best ask — keeping its string form. */
const up1pct = (x: unknown): string => String(Number((Number(x) * 1.01).toFixed(8)));
const crossArray = (rows: readonly unknown[]): unknown[] => rows.map((r, i) => (i === 0 && Array.isArray(r) ? [up1pct(r[0]), ...r.slice(1)] : r));
const crossField = (rows: readonly unknown[]): unknown[] =>
  rows.map((r, i) => (i === 0 && typeof r === 'object' && r !== null ? { ...r, price: up1pct((r as { price: unknown }).price) } : r));

function binance(req: MarketWireRequest): WireAnswer | undefined {
  const { query: q, now, bodies } = req;
  const err = (status: number, code: number, msg: string): WireAnswer => ({ status, body: { code, msg } });
  const paths = ['/api/v3/depth', '/api/v3/ticker/bookTicker', '/api/v3/trades'];
  if (!paths.includes(req.path)) return undefined;
  const sym = q.get('symbol') ?? '';
  if (!SYM_CONCAT[sym]) return err(400, -1121, 'Invalid symbol.');
  if (req.path === '/api/v3/depth') {
    const limit = intParam(q, 'limit', 100);
    if (!inRange(limit, 1, 5000)) return err(400, -1130, "Data sent for parameter 'limit' is not valid.");
    const b = bodies.get('binance-api-v3-depth-BTCUSDT-limit1000.json');
    const asks = b.asks.slice(0, limit);
    return { status: 200, rows: b.bids.slice(0, limit), envelope: (bids) => ({ lastUpdateId: b.lastUpdateId, bids, asks }), corrupt: corruptArrayPrice, cross: crossArray };
  }
  if (req.path === '/api/v3/ticker/bookTicker') {
    return { status: 200, body: { ...bodies.get('binance-api-v3-ticker-bookTicker-BTCUSDT.json'), symbol: sym } };
  }
  const limit = intParam(q, 'limit', 500);
  if (!inRange(limit, 1, 1000)) return err(400, -1130, "Data sent for parameter 'limit' is not valid.");
  const rows = bodies.get('binance-api-v3-trades-BTCUSDT.json') as Array<{ time: number }>;
  const shift = now - TRADE_LAG_MS - Math.max(...rows.map((r) => r.time));
  return { status: 200, rows: rows.slice(-limit).map((r) => ({ ...r, time: r.time + shift })), envelope: (x) => x, corrupt: corruptField('price') };
}

function kraken(req: MarketWireRequest): WireAnswer | undefined {
  const { query: q, now, bodies } = req;
  const paths = ['/0/public/Depth', '/0/public/Ticker', '/0/public/Trades'];
  if (!paths.includes(req.path)) return undefined;
  const pair = SYM_KRAKEN[(q.get('pair') ?? '').toUpperCase()];
  if (!pair) return { status: 200, body: { error: ['EQuery:Unknown asset pair'] } };
  const key = pair[1];
  const nowS = Math.floor(now / 1000);
  if (req.path === '/0/public/Depth') {
    const count = intParam(q, 'count', 100);
    if (!inRange(count, 1, 500)) return { status: 200, body: { error: ['EGeneral:Invalid arguments:count'] } };
    const book = bodies.get('kraken-public-Depth-XBTUSDT-count5.json').result.XBTUSDT as { asks: [string, string, number][]; bids: [string, string, number][] };
    const newest = Math.max(...[...book.asks, ...book.bids].map((l) => l[2]));
    const shift = (l: [string, string, number]) => [l[0], l[1], l[2] + nowS - 1 - newest];
    const asks = book.asks.slice(0, count).map(shift);
    return {
      status: 200,
      rows: book.bids.slice(0, count).map(shift),
      envelope: (bids) => ({ error: [], result: { [key]: { asks, bids } } }),
      corrupt: corruptArrayPrice,
      cross: crossArray,
    };
  }
  if (req.path === '/0/public/Ticker') {
    return { status: 200, body: { error: [], result: { [key]: bodies.get('kraken-public-Ticker-XBTUSDT.json').result.XBTUSDT } } };
  }
  const count = intParam(q, 'count', 1000);
  if (!inRange(count, 1, 1000)) return { status: 200, body: { error: ['EGeneral:Invalid arguments:count'] } };
  const rows = bodies.get('kraken-public-Trades-XBTUSDT.json').result.XBTUSDT as [string, string, number, string, string, string, number][];
  const shiftS = (now - TRADE_LAG_MS) / 1000 - Math.max(...rows.map((r) => r[2]));
  const page = rows.slice(-count).map((r) => [r[0], r[1], Number((r[2] + shiftS).toFixed(7)), r[3], r[4], r[5], r[6]] as const);
  const last = `${BigInt(Math.round(page.at(-1)![2] * 1e6)) * 1000n}`; // ns cursor of the newest trade
  return { status: 200, rows: page as unknown[], envelope: (x) => ({ error: [], result: { [key]: x, last } }), corrupt: corruptArrayPrice };
}

function coinbase(req: MarketWireRequest): WireAnswer | undefined {
  const { query: q, now, bodies } = req;
  const notFound: WireAnswer = { status: 404, body: { message: 'NotFound' } };
  const exch = /^\/products\/([^/]+)\/(book|ticker)$/.exec(req.path);
  const advTicker = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/ticker$/.exec(req.path);
  const advBook = req.path === '/api/v3/brokerage/market/product_book';
  if (!exch && !advTicker && !advBook) return undefined;
  const id = decodeURIComponent((exch?.[1] ?? advTicker?.[1] ?? q.get('product_id') ?? '').toUpperCase());
  if (!SYM_COINBASE[id]) return notFound;
  const pb = bodies.get('coinbase-advanced-brokerage-market-product_book-BTC-USD.json');
  const levels = (side: Array<{ price: string; size: string }>) => side.map((l) => [l.price, l.size, 1]);
  if (exch?.[2] === 'book') {
    const level = q.get('level') ?? '1';
    if (!['1', '2', '3'].includes(level)) return { status: 400, body: { message: 'Invalid level' } };
    const seq = bodies.get('coinbase-exchange-products-book-level2-UNKNOWN-PRODUCT-ABRIDGED.json').sequence as number;
    const n = level === '1' ? 1 : Infinity;
    const asks = levels(pb.pricebook.asks).slice(0, n);
    return {
      status: 200,
      rows: levels(pb.pricebook.bids).slice(0, n),
      envelope: (bids) => ({ bids, asks, sequence: seq, auction_mode: false, auction: null }),
      corrupt: corruptArrayPrice,
      cross: crossArray,
    };
  }
  if (exch?.[2] === 'ticker') {
    return { status: 200, body: { ...bodies.get('coinbase-exchange-products-BTC-USD-ticker.json'), time: iso(now - TRADE_LAG_MS) } };
  }
  const limit = intParam(q, 'limit', 100);
  if (!inRange(limit, 1, 1000)) return { status: 400, body: { error: 'INVALID_ARGUMENT', message: 'limit must be between 1 and 1000' } };
  if (advBook) {
    const asks = pb.pricebook.asks.slice(0, limit);
    return {
      status: 200,
      rows: pb.pricebook.bids.slice(0, limit),
      envelope: (bids) => ({ ...pb, pricebook: { product_id: id, bids, asks, time: iso(now - BOOK_LAG_MS) } }),
      corrupt: corruptField('price'),
      cross: crossField,
    };
  }
  const t = bodies.get('coinbase-advanced-brokerage-market-products-BTC-USD-ticker.json');
  const times = (t.trades as Array<{ time: string }>).map((x) => Date.parse(x.time));
  const shift = now - TRADE_LAG_MS - Math.max(...times);
  const rows = (t.trades as Array<Record<string, unknown>>).slice(0, limit).map((x, i) => ({ ...x, product_id: id, time: iso(times[i]! + shift) }));
  return { status: 200, rows, envelope: (trades) => ({ ...t, trades }), corrupt: corruptField('price') };
}

function okx(req: MarketWireRequest): WireAnswer | undefined {
  const { query: q, now, bodies } = req;
  const m = /^\/api\/v5\/market\/(books|ticker|trades)$/.exec(req.path);
  if (!m) return undefined;
  const err = (code: string, msg: string): WireAnswer => ({ status: 200, body: { code, msg, data: [] } });
  const instId = q.get('instId') ?? '';
  if (!SYM_DASH[instId]) return err('51001', "Instrument ID doesn't exist.");
  if (m[1] === 'books') {
    const sz = intParam(q, 'sz', 1);
    if (!inRange(sz, 1, 400)) return err('51000', 'Parameter sz error');
    const b = bodies.get('okx-api-v5-market-books-BTC-USDT-ABRIDGED.json').data[0];
    const asks = b.asks.slice(0, sz);
    return {
      status: 200,
      rows: b.bids.slice(0, sz),
      envelope: (bids) => ({ code: '0', msg: '', data: [{ asks, bids, ts: String(now - BOOK_LAG_MS) }] }),
      corrupt: corruptArrayPrice,
      cross: crossArray,
    };
  }
  if (m[1] === 'ticker') {
    const t = bodies.get('okx-api-v5-market-ticker-BTC-USDT.json');
    return { status: 200, body: { ...t, data: [{ ...t.data[0], instId, ts: String(now - BOOK_LAG_MS) }] } };
  }
  const limit = intParam(q, 'limit', 100);
  if (!inRange(limit, 1, 500)) return err('51000', 'Parameter limit error');
  const rows = bodies.get('okx-api-v5-market-trades-BTC-USDT.json').data as Array<{ ts: string }>;
  const shift = now - TRADE_LAG_MS - Math.max(...rows.map((r) => Number(r.ts)));
  const page = rows.slice(0, limit).map((r) => ({ ...r, instId, ts: String(Number(r.ts) + shift) }));
  return { status: 200, rows: page, envelope: (data) => ({ code: '0', msg: '', data }), corrupt: corruptField('px') };
}

function bybit(req: MarketWireRequest): WireAnswer | undefined {
  const { query: q, now, bodies } = req;
  const m = /^\/v5\/market\/(orderbook|tickers|recent-trade)$/.exec(req.path);
  if (!m) return undefined;
  const err = (retCode: number, retMsg: string): WireAnswer => ({ status: 200, body: { retCode, retMsg, result: {}, retExtInfo: {}, time: now } });
  if (q.get('category') !== 'spot') return err(10001, 'This fake serves category=spot only');
  const sym = q.get('symbol') ?? '';
  if (!SYM_CONCAT[sym]) return err(10001, 'Not supported symbols');
  if (m[1] === 'orderbook') {
    const limit = intParam(q, 'limit', 1);
    if (!inRange(limit, 1, 200)) return err(10001, 'Invalid limit');
    const b = bodies.get('bybit-v5-market-orderbook-DOCS-EXAMPLE-spot-BTCUSDT.json');
    const r = b.result;
    const a = r.a.slice(0, limit);
    return {
      status: 200,
      rows: r.b.slice(0, limit),
      envelope: (bids) => ({ ...b, result: { ...r, s: sym, a, b: bids, ts: now - BOOK_LAG_MS, cts: now - BOOK_LAG_MS - 126 }, time: now }),
      corrupt: corruptArrayPrice,
      cross: crossArray,
    };
  }
  if (m[1] === 'tickers') {
    const t = bodies.get('bybit-v5-market-tickers-DOCS-EXAMPLE-spot-BTCUSDT.json');
    return { status: 200, body: { ...t, result: { ...t.result, list: [{ ...t.result.list[0], symbol: sym }] }, time: now - BOOK_LAG_MS } };
  }
  const limit = intParam(q, 'limit', 60);
  if (!inRange(limit, 1, 60)) return err(10001, 'Invalid limit');
  const t = bodies.get('bybit-v5-market-recent-trade-DOCS-EXAMPLE-spot-BTCUSDT.json');
  const rows = t.result.list as Array<{ time: string }>;
  const shift = now - TRADE_LAG_MS - Math.max(...rows.map((r) => Number(r.time)));
  const page = rows.slice(0, limit).map((r) => ({ ...r, symbol: sym, time: String(Number(r.time) + shift) }));
  return { status: 200, rows: page, envelope: (list) => ({ ...t, result: { ...t.result, list }, time: now }), corrupt: corruptField('price') };
}

export const MARKET_WIRE: Readonly<Record<FakeVenue, (req: MarketWireRequest) => WireAnswer | undefined>> = { binance, kraken, coinbase, okx, bybit };
