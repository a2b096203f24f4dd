/**
 * The market-data calls of the adapters against scripted in-memory venues: URLs and size parameters per venue
 * (clamped to each venue's range), the Coinbase Advanced host, the same transport as the candle calls (a 429's
 * Retry-After slept on, 5xx retried, the breaker shared), and every bad body refused whole with its reason —
 * malformed, partial (one side missing), crossed, stale vs the request clock, future-dated, empty trades page —
 * without a retry, so it can be recorded and quarantined like a bad candle body.
 */
import { describe, expect, it } from 'vitest';
import { MarketDataRejected } from './market-data';
import { createVenue } from './registry';
import { VenueError, type FetchLike, type VenueId } from './types';

type Reply = { status?: number; body: unknown; headers?: Record<string, string> };

function stub(handler: (u: URL) => Reply) {
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    const r = handler(new URL(url));
    return new Response(typeof r.body === 'string' ? r.body : JSON.stringify(r.body), { status: r.status ?? 200, headers: r.headers ?? {} });
  };
  return { fetch, urls };
}

const NOW = 1_700_000_000_000;
function venue(id: VenueId, handler: (u: URL) => Reply, extra: Record<string, unknown> = {}) {
  const s = stub(handler);
  const sleeps: number[] = [];
  const v = createVenue(id, {
    fetch: s.fetch,
    clock: () => NOW,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    baseUrl: `http://x/${id}`,
    ...extra,
  });
  return { v, urls: s.urls, sleeps };
}

async function failure(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VenueError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

const okxBook = (bids: string[][], asks: string[][], ts = NOW - 100) => ({ code: '0', msg: '', data: [{ bids, asks, ts: String(ts) }] });

describe('market-data URLs and sizes', () => {
  it('each venue asks its own endpoint with the symbol code and a clamped size', async () => {
    const seen: Record<string, string[]> = {};
    for (const id of ['binance', 'kraken', 'coinbase', 'okx', 'bybit'] as const) {
      const { v, urls } = venue(id, () => ({ status: 500, body: 'down' }), { maxAttempts: 1 });
      await failure(v.fetchOrderBook({ symbol: 'BTC/USDT', now: NOW, depth: 100_000 }));
      await failure(v.fetchBestQuote({ symbol: 'BTC/USDT', now: NOW }));
      await failure(v.fetchRecentTrades({ symbol: 'BTC/USDT', now: NOW, limit: 0 }));
      seen[id] = urls.map((u) => u.replace(`http://x/${id}`, ''));
    }
    expect(seen).toEqual({
      binance: ['/api/v3/depth?symbol=BTCUSDT&limit=5000', '/api/v3/ticker/bookTicker?symbol=BTCUSDT', '/api/v3/trades?symbol=BTCUSDT&limit=1'],
      kraken: ['/0/public/Depth?pair=XBTUSDT&count=500', '/0/public/Ticker?pair=XBTUSDT', '/0/public/Trades?pair=XBTUSDT&count=1'],
      coinbase: [
        '/api/v3/brokerage/market/product_book?product_id=BTC-USDT&limit=1000',
        '/products/BTC-USDT/ticker',
        '/api/v3/brokerage/market/products/BTC-USDT/ticker?limit=1',
      ],
      okx: ['/api/v5/market/books?instId=BTC-USDT&sz=400', '/api/v5/market/ticker?instId=BTC-USDT', '/api/v5/market/trades?instId=BTC-USDT&limit=1'],
      bybit: [
        '/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=200',
        '/v5/market/tickers?category=spot&symbol=BTCUSDT',
        '/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=1',
      ],
    });
  });

  it('coinbase: Advanced Trade calls (the default book source) go to api.coinbase.com, the Exchange ones to api.exchange.coinbase.com', async () => {
    const s = stub(() => ({ status: 500, body: 'down' }));
    const v = createVenue('coinbase', { fetch: s.fetch, clock: () => NOW, sleep: async () => undefined, random: () => 0.5, maxAttempts: 1 });
    await failure(v.fetchOrderBook({ symbol: 'BTC/USD', now: NOW, depth: 10 }));
    await failure(v.fetchBestQuote({ symbol: 'BTC/USD', now: NOW }));
    expect(s.urls).toEqual([
      'https://api.coinbase.com/api/v3/brokerage/market/product_book?product_id=BTC-USD&limit=10',
      'https://api.exchange.coinbase.com/products/BTC-USD/ticker',
    ]);
  });

  it("coinbase level 2 (coinbaseBook 'exchange') sends the whole book: the adapter keeps the requested depth", async () => {
    const lv = (p0: number, step: number) => Array.from({ length: 30 }, (_, i) => [String(p0 + i * step), '1', 1]);
    const { v } = venue('coinbase', () => ({ body: { bids: lv(99, -0.01), asks: lv(101, 0.01), sequence: 7 } }), { coinbaseBook: 'exchange' });
    const r = await v.fetchOrderBook({ symbol: 'BTC/USD', now: NOW, depth: 5 });
    expect([r.data.bids.prices.length, r.data.asks.prices.length, r.data.asks.prices[4]]).toEqual([5, 5, 101.04]);
    // a body that is not best-first is validated whole and sorted, and the best 5 are still the ones kept
    const shuffled = venue('coinbase', () => ({ body: { bids: lv(99, -0.01).reverse(), asks: lv(101, 0.01).reverse(), sequence: 7 } }), { coinbaseBook: 'exchange' });
    const s = await shuffled.v.fetchOrderBook({ symbol: 'BTC/USD', now: NOW, depth: 5 });
    expect([...s.data.bids.prices]).toEqual([99, 98.99, 98.98, 98.97, 98.96]);
    expect([...s.data.asks.prices]).toEqual([...r.data.asks.prices]);
    // a non-numeric price anywhere fails the best-first scan, so the whole body is validated and refused
    const badFar = lv(101, 0.01);
    badFar[20]![0] = 'x';
    const far = venue('coinbase', () => ({ body: { bids: lv(99, -0.01), asks: badFar, sequence: 7 } }), { coinbaseBook: 'exchange' });
    expect(((await failure(far.v.fetchOrderBook({ symbol: 'BTC/USD', now: NOW, depth: 5 }))) as MarketDataRejected).rejection.code).toBe('malformed');
  });

  it('an unknown symbol is a bad request before any HTTP call', async () => {
    const { v, urls } = venue('okx', () => ({ body: {} }));
    expect((await failure(v.fetchOrderBook({ symbol: 'DOGE/EUR', now: NOW }))).kind).toBe('bad-request');
    expect(urls).toEqual([]);
  });
});

describe('same transport as the candles', () => {
  it("a 429's Retry-After is slept on, then the book is returned", async () => {
    let n = 0;
    const { v, sleeps } = venue('okx', () => (n++ === 0 ? { status: 429, body: {}, headers: { 'Retry-After': '3' } } : { body: okxBook([['10', '1']], [['11', '2']]) }));
    const r = await v.fetchOrderBook({ symbol: 'BTC/USDT', now: NOW });
    expect(sleeps).toEqual([3000]);
    expect(r.requests).toBe(2);
    expect([r.data.bids.prices[0], r.data.asks.prices[0], r.data.time]).toEqual([10, 11, NOW - 100]);
  });

  it('5xx is retried with backoff; the breaker opens after repeated failures and refuses the next call', async () => {
    const { v, sleeps } = venue('bybit', () => ({ status: 503, body: 'x' }), { maxAttempts: 3, breakerOptions: { failureThreshold: 3 } });
    expect((await failure(v.fetchBestQuote({ symbol: 'BTC/USDT', now: NOW }))).kind).toBe('server');
    expect(sleeps).toEqual([188, 375]); // 250 · 2^(k−1) · (0.5 + 0.5 · random 0.5)
    expect((await failure(v.fetchRecentTrades({ symbol: 'BTC/USDT', now: NOW }))).kind).toBe('circuit-open');
    expect(v.transport.breaker.state).toBe('open');
  });

  it("the venue's own error payload is a venue-error (and its rate-limit code is retried)", async () => {
    const { v } = venue('binance', () => ({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } }));
    const e = await failure(v.fetchOrderBook({ symbol: 'BTC/USDT', now: NOW }));
    expect([e.kind, e.venueCode]).toEqual(['venue-error', '-1121']);
    let n = 0;
    const k = venue('kraken', () => (n++ === 0 ? { body: { error: ['EAPI:Rate limit exceeded'] } } : { body: { error: [], result: { XBTUSDT: { a: ['11', '1', '1'], b: ['10', '1', '1'] } } } }));
    expect((await k.v.fetchBestQuote({ symbol: 'BTC/USDT', now: NOW })).requests).toBe(2);
  });
});

describe('bad bodies are refused whole, with the reason, and not retried', () => {
  const cases: Array<[string, VenueId, 'book' | 'quote' | 'trades', unknown, string, RegExp]> = [
    ['crossed book', 'okx', 'book', okxBook([['11', '1']], [['10.5', '1']]), 'crossed', /best bid 11 >= best ask 10.5/],
    ['locked quote', 'binance', 'quote', { symbol: 'BTCUSDT', bidPrice: '10', bidQty: '1', askPrice: '10', askQty: '1' }, 'crossed', /bid 10 >= ask 10/],
    ['stale book', 'okx', 'book', okxBook([['10', '1']], [['11', '1']], NOW - 61_000), 'stale', /61000 ms old/],
    ['future-dated book', 'bybit', 'book', { retCode: 0, retMsg: 'OK', result: { s: 'BTCUSDT', b: [['10', '1']], a: [['11', '1']], ts: NOW + 60_000, u: 1 }, time: NOW }, 'future', /ahead of the clock/],
    ['one-sided book', 'binance', 'book', { lastUpdateId: 1, bids: [['10', '1']], asks: [] }, 'partial', /1 bids, 0 asks/],
    ['book without asks', 'binance', 'book', { lastUpdateId: 1, bids: [['10', '1']] }, 'malformed', /asks/],
    ['non-numeric price', 'kraken', 'book', { error: [], result: { XBTUSDT: { bids: [['n/a', '1', 1700000000]], asks: [['11', '1', 1700000000]] } } }, 'malformed', /bids\.0\.0: not a number: "n\/a"/],
    ['zero-size level', 'okx', 'book', okxBook([['10', '0']], [['11', '1']]), 'bad-level', /size 0/],
    ['empty trades page', 'okx', 'trades', { code: '0', msg: '', data: [] }, 'empty', /0 trades/],
    ['empty bybit trades', 'bybit', 'trades', { retCode: 0, retMsg: 'OK', result: { category: 'spot', list: [] }, time: NOW }, 'empty', /0 trades/],
    ['trade for another symbol', 'okx', 'trades', { code: '0', msg: '', data: [{ instId: 'ETH-USDT', tradeId: '1', px: '1', sz: '1', side: 'buy', ts: String(NOW) }] }, 'malformed', /instId is not BTC-USDT/],
    ['OKX books with no book', 'okx', 'book', { code: '0', msg: '', data: [] }, 'malformed', /exactly one book/],
  ];
  for (const [name, id, what, body, code, reason] of cases) {
    it(name, async () => {
      const { v, urls } = venue(id, () => ({ body }));
      const req = { symbol: 'BTC/USDT', now: NOW };
      const p = what === 'book' ? v.fetchOrderBook(req) : what === 'quote' ? v.fetchBestQuote(req) : v.fetchRecentTrades(req);
      const e = await failure(p);
      expect(e).toBeInstanceOf(MarketDataRejected);
      expect(e.kind).toBe('malformed');
      expect((e as MarketDataRejected).rejection.code).toBe(code);
      expect(e.message).toMatch(reason);
      expect(urls).toHaveLength(1); // not retried
      expect((e as MarketDataRejected).bodyExcerpt).toBe(JSON.stringify(body).slice(0, 2000)); // for the quarantine record
    });
  }

  it('a truncated body is malformed ("truncated")', async () => {
    const { v } = venue('binance', () => ({ body: '{"lastUpdateId":1,"bids":[["10","1"]],"as' }));
    const e = await failure(v.fetchOrderBook({ symbol: 'BTC/USDT', now: NOW }));
    expect([e.kind, /truncated/.test(e.message)]).toEqual(['malformed', true]);
  });

  it('maxAgeMs is per request', async () => {
    const { v } = venue('okx', () => ({ body: okxBook([['10', '1']], [['11', '1']], NOW - 10_000) }));
    expect((await v.fetchOrderBook({ symbol: 'BTC/USDT', now: NOW })).data.time).toBe(NOW - 10_000);
    expect(((await failure(v.fetchOrderBook({ symbol: 'BTC/USDT', now: NOW, maxAgeMs: 5_000 }))) as MarketDataRejected).rejection.code).toBe('stale');
  });
});
