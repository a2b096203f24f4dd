/**
 * End to end: the five adapters' order book, best bid/ask and recent-trades calls against the fake exchange
 * serving the real recorded bodies — prices and sizes equal the recorded ones (parsed straight from the file),
 * times sit at the simulated clock so nothing is stale, each venue's book becomes a valid snapshot record, and
 * the candle endpoints' fault injection applies (rate-limit, server-error and reorder survived; truncated,
 * malformed, bad-rows, duplicate levels, a crossed book and venue-error refused with the right type).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bookSnapshot, BookSnapshotSchema } from '../../shared/market/book-metrics';
import { describeWithData, readDataJson } from '../../shared/testing/data';
import { MarketDataRejected } from '../../shared/venues/market-data';
import { createVenue, type CreateVenueOptions } from '../../shared/venues/registry';
import { VENUE_IDS, VenueError, type VenueId } from '../../shared/venues/types';
import { startFakeExchange, type FakeExchange, type FaultKind } from './server';
import { DEFAULT_FAKE_NOW } from './store';

const SYMBOL: Record<VenueId, string> = { binance: 'BTC/USDT', kraken: 'BTC/USDT', coinbase: 'BTC/USD', okx: 'BTC/USDT', bybit: 'BTC/USDT' };
const num = (xs: unknown[][], i: number) => xs.map((l) => Number(l[i]));

/** Best-first bid prices as recorded (the Coinbase Exchange book serves the Advanced BTC-USD levels). */
function recordedBidPrices(id: VenueId, n: number): number[] {
  const j = <T>(f: string) => readDataJson<T>('rest-responses', f);
  switch (id) {
    case 'binance':
      return num(j<{ bids: string[][] }>('binance-api-v3-depth-BTCUSDT-limit1000.json').bids, 0).slice(0, n);
    case 'kraken':
      return num(j<{ result: { XBTUSDT: { bids: string[][] } } }>('kraken-public-Depth-XBTUSDT-count5.json').result.XBTUSDT.bids, 0).slice(0, n);
    case 'coinbase':
      return j<{ pricebook: { bids: { price: string }[] } }>('coinbase-advanced-brokerage-market-product_book-BTC-USD.json').pricebook.bids.map((l) => Number(l.price)).slice(0, n);
    case 'okx':
      return num(j<{ data: { bids: string[][] }[] }>('okx-api-v5-market-books-BTC-USDT-ABRIDGED.json').data[0]!.bids, 0).slice(0, n);
    case 'bybit':
      return num(j<{ result: { b: string[][] } }>('bybit-v5-market-orderbook-DOCS-EXAMPLE-spot-BTCUSDT.json').result.b, 0).slice(0, n);
  }
}

describeWithData('fake exchange market data end to end', () => {
  let fx: FakeExchange;
  let clock = DEFAULT_FAKE_NOW;
  let sleeps: number[] = [];
  const venue = (id: VenueId, extra: Partial<CreateVenueOptions> = {}) =>
    createVenue(id, {
      baseUrl: fx.baseUrls[id],
      fetch: (url, init) => fetch(url, init),
      clock: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      timeoutMs: 2_000,
      baseBackoffMs: 100,
      ...extra,
    });

  beforeAll(async () => {
    fx = await startFakeExchange();
  });
  afterAll(async () => {
    await fx?.close();
  });
  beforeEach(() => {
    fx.setFaults([]);
    fx.clearRequests();
    fx.setNow(DEFAULT_FAKE_NOW);
    clock = DEFAULT_FAKE_NOW;
    sleeps = [];
  });

  describe.each(VENUE_IDS)('%s', (id) => {
    const symbol = SYMBOL[id];
    it('book: the recorded levels, fresh at the simulated clock, and a valid snapshot record', async () => {
      const r = await venue(id).fetchOrderBook({ symbol, now: clock, depth: 50 });
      const b = r.data;
      expect(r.requests).toBe(1);
      expect([...b.bids.prices]).toEqual(recordedBidPrices(id, 50));
      expect(b.bids.prices[0]).toBeLessThan(b.asks.prices[0]!);
      if (b.timeSource !== 'received') expect(clock - b.time).toBeLessThanOrEqual(1_000);
      const s = BookSnapshotSchema.parse(bookSnapshot(b));
      expect(s.venue).toBe(id);
      expect(s.halfSpreadBps).toBeGreaterThan(0);
    });

    it('best quote and trades (oldest first, the newest 1 s before the clock)', async () => {
      const v = venue(id);
      const q = (await v.fetchBestQuote({ symbol, now: clock })).data;
      expect(q.bid).toBeLessThan(q.ask);
      const t = (await v.fetchRecentTrades({ symbol, now: clock })).data;
      expect(t.length).toBeGreaterThan(0);
      expect(t.every((x, i) => i === 0 || x.time >= t[i - 1]!.time)).toBe(true);
      expect(clock - t.at(-1)!.time).toBeGreaterThanOrEqual(999);
      expect(clock - t.at(-1)!.time).toBeLessThanOrEqual(1_001);
    });
  });

  it('sizes slice the recorded body as the venue would; Coinbase Exchange level 2 too; ETH gets the BTC body; the clock moves the times', async () => {
    expect((await venue('binance').fetchOrderBook({ symbol: 'BTC/USDT', now: clock, depth: 7 })).data.asks.prices.length).toBe(7);
    expect((await venue('kraken').fetchRecentTrades({ symbol: 'BTC/USDT', now: clock, limit: 25 })).data.map((t) => t.id).at(0)).toBe('10219183');
    const cbx = (await venue('coinbase', { coinbaseBook: 'exchange' }).fetchOrderBook({ symbol: 'BTC/USD', now: clock, depth: 3 })).data;
    expect([[...cbx.bids.prices], cbx.timeSource, cbx.sequence]).toEqual([recordedBidPrices('coinbase', 3), 'received', '406959136']);
    const eth = (await venue('okx').fetchOrderBook({ symbol: 'ETH/USDT', now: clock })).data;
    expect(eth.bids.prices[0]).toBe(29692.4);
    const later = DEFAULT_FAKE_NOW + 3_600_000;
    fx.setNow(later);
    clock = later;
    expect((await venue('bybit').fetchOrderBook({ symbol: 'BTC/USDT', now: clock })).data.time).toBe(later - 200);
  });

  it('a book from a fake whose clock lags the caller by more than maxAgeMs is refused as stale', async () => {
    const e = await venue('okx')
      .fetchOrderBook({ symbol: 'BTC/USDT', now: clock + 120_000 })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MarketDataRejected);
    expect((e as MarketDataRejected).rejection.code).toBe('stale');
  });

  it('survives rate-limit (Retry-After slept), server-error (retried) and reordered levels', async () => {
    fx.setFaults([
      { venue: 'binance', kind: 'rate-limit', retryAfter: '2' },
      { venue: 'binance', kind: 'server-error' },
      { venue: 'binance', kind: 'reorder' },
    ]);
    const r = await venue('binance').fetchOrderBook({ symbol: 'BTC/USDT', now: clock, depth: 20 });
    expect(r.requests).toBe(3);
    expect(sleeps[0]).toBe(2000);
    expect([...r.data.bids.prices]).toEqual(recordedBidPrices('binance', 20)); // re-sorted best-first
    expect(fx.requests().map((q) => q.fault)).toEqual(['rate-limit', 'server-error', 'reorder']);
  });

  const refusals: Array<[VenueId, FaultKind, 'book' | 'trades', string]> = [
    ['kraken', 'truncated', 'book', 'malformed'],
    ['coinbase', 'malformed', 'book', 'malformed'],
    ['okx', 'bad-rows', 'book', 'malformed'],
    ['bybit', 'bad-rows', 'trades', 'malformed'],
    ['binance', 'duplicate', 'book', 'bad-level'],
    ['kraken', 'venue-error', 'trades', 'venue-error'],
    ...VENUE_IDS.map((id): [VenueId, FaultKind, 'book', string] => [id, 'crossed', 'book', 'crossed']),
  ];
  it.each(refusals)('%s %s on %s is refused (%s), once, without a retry', async (id, kind, what, expected) => {
    fx.setFaults([{ venue: id, kind }]);
    const v = venue(id);
    const req = { symbol: SYMBOL[id], now: clock };
    const e = await (what === 'book' ? v.fetchOrderBook(req) : v.fetchRecentTrades(req)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VenueError);
    const got = e instanceof MarketDataRejected ? e.rejection.code : (e as VenueError).kind;
    // truncated / non-JSON bodies fail before any book exists: a plain malformed VenueError
    expect(got).toBe(expected);
    expect(fx.requests()).toHaveLength(1);
  });
});
