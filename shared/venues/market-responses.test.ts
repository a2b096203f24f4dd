/**
 * Every real order-book / ticker / trades body in ../shared/data/rest-responses parses into the normalised
 * records (PROVENANCE.md §5: string prices, Kraken's seconds and float-second trade times, newest-first OKX,
 * Bybit and Coinbase Advanced trades, the bodies without any time field, Coinbase Advanced's maker-side trade
 * labels, the Bybit bodies being docs examples), and each venue's recorded book runs through the book metrics
 * with numbers checked against the levels written out from the file, and against the venue's own figures where
 * it sends them (Coinbase Advanced `spread_bps`, `mid_market`).
 */
import { describe, expect, it } from 'vitest';
import { bookSnapshot } from '../market/book-metrics';
import type { OrderBook } from '../market/order-book';
import { describeWithData, readDataJson, readDataText } from '../testing/data';
import { BINANCE_MARKET } from './binance-market';
import { BYBIT_MARKET } from './bybit-market';
import { coinbaseMarketSpec } from './coinbase-market';
import { KRAKEN_MARKET } from './kraken-market';
import { MarketDataRejected, type ParseContext } from './market-data';
import { OKX_MARKET } from './okx-market';
import type { HttpResult } from './transport';
import type { VenueId } from './types';

const file = (name: string): HttpResult => ({ status: 200, headers: new Headers(), text: readDataText('rest-responses', name), url: name });
const ctx = (venue: VenueId, symbol: string, venueSymbol: string, now: number, maxAgeMs = 60_000): ParseContext => ({
  venue,
  symbol,
  venueSymbol,
  now,
  fresh: { now, maxAgeMs, maxFutureMs: 5_000 },
  n: 5000,
});
const NOW = Date.UTC(2026, 11, 1); // any clock, for bodies that carry no time
const arr = (a: Float64Array) => [...a];
function rejection(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof MarketDataRejected) return e.rejection.code;
    throw e;
  }
  return 'accepted';
}

describeWithData('real book / ticker / trades bodies parse', () => {
  describe('binance', () => {
    const c = ctx('binance', 'BTC/USDT', 'BTCUSDT', NOW);
    it('depth limit=10: 10 levels a side best-first, no time field (stamped with the clock), lastUpdateId as sequence', () => {
      const b = BINANCE_MARKET.book.parse(file('binance-api-v3-depth-BTCUSDT-limit10.json'), c);
      expect([b.bids.prices.length, b.asks.prices.length]).toEqual([10, 10]);
      expect([b.bids.prices[0], b.bids.sizes[0], b.asks.prices[0], b.asks.sizes[0]]).toEqual([60650, 0.00213, 60650.01, 0.61982]);
      expect([b.bids.prices[9], b.asks.prices[9]]).toEqual([60639.93, 60659.94]);
      expect({ time: b.time, timeSource: b.timeSource, sequence: b.sequence }).toEqual({ time: NOW, timeSource: 'received', sequence: '14527958487' });
    });
    it('depth limit=1000 (hftbacktest cut): 1000 a side, best 61837.63/61837.64, book spans 61631.55..62053.18', () => {
      const b = BINANCE_MARKET.book.parse(file('binance-api-v3-depth-BTCUSDT-limit1000.json'), c);
      expect([b.bids.prices.length, b.asks.prices.length]).toEqual([1000, 1000]);
      expect([b.bids.prices[0], b.asks.prices[0], b.bids.prices[999], b.asks.prices[999]]).toEqual([61837.63, 61837.64, 61631.55, 62053.18]);
      expect(b.sequence).toBe('50093239218');
    });
    it('bookTicker: bid 60741.67 × 0.3658 / ask 60741.68 × 0.45178, no time field', () => {
      const q = BINANCE_MARKET.quote.parse(file('binance-api-v3-ticker-bookTicker-BTCUSDT.json'), c);
      expect(q).toEqual({ venue: 'binance', symbol: 'BTC/USDT', time: NOW, timeSource: 'received', bid: 60741.67, bidQty: 0.3658, ask: 60741.68, askQty: 0.45178 });
      expect(rejection(() => BINANCE_MARKET.quote.parse(file('binance-api-v3-ticker-bookTicker-BTCUSDT.json'), ctx('binance', 'ETH/USDT', 'ETHUSDT', NOW)))).toBe('malformed');
    });
    it('trades: 10 contiguous ids oldest first; three share a ms and keep id order; isBuyerMaker → taker sell', () => {
      const t = BINANCE_MARKET.trades.parse(file('binance-api-v3-trades-BTCUSDT.json'), c);
      expect(t.map((x) => Number(x.id))).toEqual(Array.from({ length: 10 }, (_, i) => 1111468873 + i));
      expect(t[0]).toEqual({ id: '1111468873', time: 1634942949263, price: 60650, qty: 0.02924, side: 'sell' });
      expect(t[1]!.side).toBe('buy');
      expect(t.filter((x) => x.time === 1634942949950).map((x) => x.id)).toEqual(['1111468877', '1111468878', '1111468879']);
      expect(t.at(-1)!.time).toBe(Date.parse('2021-10-22T22:49:10.067Z'));
    });
  });

  describe('kraken', () => {
    const c = ctx('kraken', 'BTC/USDT', 'XBTUSDT', 1762820249_000 + 1_000);
    it('Depth count=5: [price, volume, ts s] levels; stamped with the newest level time 1762820249 s', () => {
      const b = KRAKEN_MARKET.book.parse(file('kraken-public-Depth-XBTUSDT-count5.json'), c);
      expect(arr(b.bids.prices)).toEqual([105944.2, 105935.4, 105918.8, 105916.8, 105916.7]);
      expect(arr(b.asks.prices)).toEqual([105944.3, 105946.9, 105955.8, 105955.9, 105963.6]);
      expect(arr(b.asks.sizes)).toEqual([0.136, 0.095, 0.003, 0.103, 0.024]);
      expect([b.time, b.timeSource]).toEqual([1762820249_000, 'newest-level']);
      // the same body judged an hour later is stale
      expect(rejection(() => KRAKEN_MARKET.book.parse(file('kraken-public-Depth-XBTUSDT-count5.json'), ctx('kraken', 'BTC/USDT', 'XBTUSDT', 1762820249_000 + 3_600_000)))).toBe('stale');
    });
    it('Ticker: a/b [price, whole-lot, lot volume]; equals the Depth best', () => {
      const q = KRAKEN_MARKET.quote.parse(file('kraken-public-Ticker-XBTUSDT.json'), c);
      expect([q.bid, q.bidQty, q.ask, q.askQty, q.timeSource]).toEqual([105944.2, 1, 105944.3, 1, 'received']);
    });
    it('Trades: 1000 gap-free ids oldest first, float-second times truncated to ms, last = Ticker c', () => {
      const t = KRAKEN_MARKET.trades.parse(file('kraken-public-Trades-XBTUSDT.json'), c);
      expect(t).toHaveLength(1000);
      expect(t.every((x, i) => Number(x.id) === 10218208 + i)).toBe(true);
      expect(t[0]).toEqual({ id: '10218208', time: 1762795433971, price: 105433.6, qty: 0.00027625, side: 'buy' });
      expect(t.at(-1)).toEqual({ id: '10219207', time: 1762820035982, price: 105899.4, qty: 0.00009443, side: 'sell' });
      // result.last is the ns cursor of the newest trade
      const last = readDataJson<{ result: { last: string } }>('rest-responses', 'kraken-public-Trades-XBTUSDT.json').result.last;
      expect(Math.floor(Number(BigInt(last) / 1_000_000n))).toBe(t.at(-1)!.time);
    });
  });

  describe('coinbase', () => {
    const cb = coinbaseMarketSpec('exchange');
    const adv = coinbaseMarketSpec('advanced');
    it('Exchange book level=2 (abridged, unknown product ≈ 0.1135): [price, size, num_orders], sequence, no time', () => {
      const b = cb.book.parse(file('coinbase-exchange-products-book-level2-UNKNOWN-PRODUCT-ABRIDGED.json'), ctx('coinbase', 'BTC/USD', 'BTC-USD', NOW));
      expect(arr(b.bids.prices)).toEqual([0.1135, 0.1134, 0.1133, 0.1132, 0.1131]);
      expect(arr(b.asks.prices)).toEqual([0.1137, 0.1138, 0.1139, 0.114, 0.1141]);
      expect(arr(b.bids.sizes)).toEqual([35, 20606.7, 41561.8, 51132.8, 745]);
      expect([b.sequence, b.timeSource]).toEqual(['406959136', 'received']);
    });
    it('Exchange tickers: bid/ask without sizes; the -2 oddity (last > ask) does not matter to the quote', () => {
      const c = ctx('coinbase', 'BTC/USD', 'BTC-USD', NOW);
      expect(cb.quote.parse(file('coinbase-exchange-products-BTC-USD-ticker.json'), c)).toMatchObject({ bid: 115730.07, ask: 115730.08, bidQty: null, askQty: null });
      expect(cb.quote.parse(file('coinbase-exchange-products-BTC-USD-ticker-2.json'), c)).toMatchObject({ bid: 115740.11, ask: 115740.12 });
      expect(cb.quote.parse(file('coinbase-exchange-products-ETH-USD-ticker.json'), ctx('coinbase', 'ETH/USD', 'ETH-USD', NOW)).bid).toBeGreaterThan(0);
      const ethBtc = cb.quote.parse(file('coinbase-exchange-products-ETH-BTC-ticker.json'), ctx('coinbase', 'ETH/BTC', 'ETH-BTC', NOW));
      expect(ethBtc.bid).toBeLessThan(ethBtc.ask);
    });
    it('Advanced product_book: {price,size} levels, venue time with µs truncated to ms', () => {
      const t = Date.parse('2026-04-07T00:28:59.662Z');
      const b = adv.book.parse(file('coinbase-advanced-brokerage-market-product_book-BTC-USD.json'), ctx('coinbase', 'BTC/USD', 'BTC-USD', t + 500));
      expect(arr(b.bids.prices)).toEqual([68923.66, 68923, 68922.99, 68921.72, 68921.61]);
      expect(arr(b.asks.prices)).toEqual([68923.67, 68926, 68926.09, 68926.3, 68928]);
      expect([b.time, b.timeSource]).toEqual([t, 'venue']);
    });
    it('Advanced market trades: newest-first become oldest-first; side is the maker side (SELL printed at the ask = a taker buy)', () => {
      const c = ctx('coinbase', 'BTC/USD', 'BTC-USD', NOW);
      const t = adv.trades.parse(file('coinbase-advanced-brokerage-market-products-BTC-USD-ticker.json'), c);
      expect(t.map((x) => x.id)).toEqual(['995098661', '995098662', '995098663']);
      expect(t.map((x) => x.side)).toEqual(['sell', 'buy', 'buy']);
      const ask = Number((readDataJson('rest-responses', 'coinbase-advanced-brokerage-market-products-BTC-USD-ticker.json') as { best_ask: string }).best_ask);
      expect(t.filter((x) => x.price === ask).every((x) => x.side === 'buy')).toBe(true);
      expect(t[0]!.time).toBe(Date.parse('2026-04-07T00:28:57.296Z'));
    });
  });

  describe('okx', () => {
    it('books (abridged to 3 levels): 4-column string levels, ts 1654328918680', () => {
      const b = OKX_MARKET.book.parse(file('okx-api-v5-market-books-BTC-USDT-ABRIDGED.json'), ctx('okx', 'BTC/USDT', 'BTC-USDT', 1654328918680 + 200));
      expect(arr(b.bids.prices)).toEqual([29692.4, 29691.2, 29690]);
      expect(arr(b.asks.prices)).toEqual([29692.5, 29692.6, 29692.8]);
      expect(arr(b.asks.sizes)).toEqual([0.10951348, 0.00631557, 0.10662911]);
      expect([b.time, b.timeSource]).toEqual([1654328918680, 'venue']);
    });
    it('ticker: bidPx/askPx with sizes and string ts', () => {
      const q = OKX_MARKET.quote.parse(file('okx-api-v5-market-ticker-BTC-USDT.json'), ctx('okx', 'BTC/USDT', 'BTC-USDT', 1672863560203));
      expect(q).toMatchObject({ bid: 16839, bidQty: 0.16038, ask: 16839.1, askQty: 5.93754444, time: 1672863560203, timeSource: 'venue' });
    });
    it('trades: 2 newest-first rows become oldest-first', () => {
      const t = OKX_MARKET.trades.parse(file('okx-api-v5-market-trades-BTC-USDT.json'), ctx('okx', 'BTC/USDT', 'BTC-USDT', NOW));
      expect(t).toEqual([
        { id: '734864332', time: 1747087161666, price: 102537.9, qty: 0.0000125, side: 'buy' },
        { id: '734864333', time: 1747087163557, price: 102537.9, qty: 0.00013669, side: 'sell' },
      ]);
    });
  });

  describe('bybit (official DOCS EXAMPLES, not live captures)', () => {
    it('orderbook: 1 level a side (testnet, 72 USD wide), ts and u', () => {
      const b = BYBIT_MARKET.book.parse(file('bybit-v5-market-orderbook-DOCS-EXAMPLE-spot-BTCUSDT.json'), ctx('bybit', 'BTC/USDT', 'BTCUSDT', 1716863719382));
      expect([b.bids.prices[0], b.bids.sizes[0], b.asks.prices[0], b.asks.sizes[0]]).toEqual([65485.47, 47.081829, 65557.7, 16.606555]);
      expect([b.time, b.timeSource, b.sequence]).toEqual([1716863719031, 'venue', '230704']);
    });
    it('tickers: bid1/ask1 with sizes, stamped with the envelope time', () => {
      const q = BYBIT_MARKET.quote.parse(file('bybit-v5-market-tickers-DOCS-EXAMPLE-spot-BTCUSDT.json'), ctx('bybit', 'BTC/USDT', 'BTCUSDT', 1673859087947));
      expect(q).toMatchObject({ bid: 20517.96, bidQty: 2, ask: 20527.77, askQty: 1.862172, time: 1673859087947 });
    });
    it('recent-trade: string time, 19-digit execId kept as a string', () => {
      const t = BYBIT_MARKET.trades.parse(file('bybit-v5-market-recent-trade-DOCS-EXAMPLE-spot-BTCUSDT.json'), ctx('bybit', 'BTC/USDT', 'BTCUSDT', NOW));
      expect(t).toEqual([{ id: '2100000000007764263', time: 1672052955758, price: 16618.49, qty: 0.00012, side: 'buy' }]);
    });
  });
});

describeWithData("each venue's recorded book through the book metrics", () => {
  const mid = (b: OrderBook) => (b.bids.prices[0]! + b.asks.prices[0]!) / 2;

  it('binance depth 10: sell 1000 USDT walks two bids; buy 1000 fills inside the first ask', () => {
    const b = BINANCE_MARKET.book.parse(file('binance-api-v3-depth-BTCUSDT-limit10.json'), ctx('binance', 'BTC/USDT', 'BTCUSDT', NOW));
    const s = bookSnapshot(b);
    const m = (60650 + 60650.01) / 2;
    expect(s.mid).toBe(m);
    expect(s.halfSpreadBps).toBeCloseTo((0.01 / 2 / m) * 1e4, 12); // ≈ 0.000824 bps: one tick
    // sell 1000: 60650 × 0.00213 = 129.1845 at the best bid, the other 870.8155 at 60648.08
    const base = 0.00213 + (1000 - 60650 * 0.00213) / 60648.08;
    expect(s.fills[0]!.sellBps).toBeCloseTo((1 - 1000 / base / m) * 1e4, 9);
    expect(s.fills[0]!.buyBps).toBeCloseTo((60650.01 / m - 1) * 1e4, 9);
    // the 10 bids hold ≈ 41.1k USDT (100k cannot be sold), the 10 asks ≈ 131.5k (100k can be bought)
    expect(s.fills[2]!.sellBps).toBeNull();
    expect(s.fills[2]!.buyBps).toBeGreaterThan(s.fills[1]!.buyBps!);
    // the fetched book reaches only ~1.7 bps on each side: depth at 5+ bps is the whole fetched side
    expect(s.reachBidBps).toBeCloseTo(((m - 60639.93) / m) * 1e4, 9);
    let bidSum = 0;
    for (let i = 0; i < 10; i++) bidSum += b.bids.prices[i]! * b.bids.sizes[i]!;
    expect(s.depth[0]!.bid).toBeCloseTo(bidSum, 6);
  });

  it('binance depth 1000: every size fills; cost grows with size; depth grows with the band', () => {
    const s = bookSnapshot(BINANCE_MARKET.book.parse(file('binance-api-v3-depth-BTCUSDT-limit1000.json'), ctx('binance', 'BTC/USDT', 'BTCUSDT', NOW)));
    for (const f of s.fills) expect(f.buyBps !== null && f.sellBps !== null).toBe(true);
    const buy = s.fills.map((f) => f.buyBps!);
    // 1k and 10k both fill at the best ask (equal up to float noise); 100k walks deeper
    expect(buy[1]! - buy[0]!).toBeLessThan(1e-9);
    expect(buy[2]!).toBeGreaterThan(buy[1]! + 0.01);
    // 1000 levels reach only ≈ 33 / 35 bps: the 50 bps depth is a lower bound, as reachBps says
    expect(s.reachBidBps).toBeLessThan(50);
    expect(s.reachAskBps).toBeLessThan(50);
    for (let i = 1; i < s.depth.length; i++) expect(s.depth[i]!.bid).toBeGreaterThanOrEqual(s.depth[i - 1]!.bid);
    expect(s.fills[0]!.buyBps).toBeGreaterThanOrEqual(s.halfSpreadBps - 1e-12);
  });

  it('kraken depth 5: 100k cannot be filled from 5 levels; 1k buy fills at the best ask', () => {
    const b = KRAKEN_MARKET.book.parse(file('kraken-public-Depth-XBTUSDT-count5.json'), ctx('kraken', 'BTC/USDT', 'XBTUSDT', 1762820250_000));
    const s = bookSnapshot(b);
    // ask notional 105944.3 × 0.136 ≈ 14408 ≥ 1000
    expect(s.fills[0]!.buyBps).toBeCloseTo((105944.3 / mid(b) - 1) * 1e4, 9);
    // bid side: 105944.2 × 0.002 = 211.9, then 105935.4 × 0.024 = 2542.4 — 1000 needs two levels
    const base = 0.002 + (1000 - 105944.2 * 0.002) / 105935.4;
    expect(s.fills[0]!.sellBps).toBeCloseTo((1 - 1000 / base / mid(b)) * 1e4, 9);
    expect(s.fills[2]).toEqual({ notional: 100000, buyBps: null, sellBps: null });
  });

  it("coinbase advanced product_book: 2 × half-spread equals the venue's own spread_bps and mid equals mid_market", () => {
    const raw = readDataJson<{ spread_bps: string; mid_market: string }>('rest-responses', 'coinbase-advanced-brokerage-market-product_book-BTC-USD.json');
    const t = Date.parse('2026-04-07T00:28:59.662Z');
    const s = bookSnapshot(coinbaseMarketSpec('advanced').book.parse(file('coinbase-advanced-brokerage-market-product_book-BTC-USD.json'), ctx('coinbase', 'BTC/USD', 'BTC-USD', t)));
    expect(s.mid).toBeCloseTo(Number(raw.mid_market), 9);
    // Coinbase's figure agrees to 7 significant digits (0.001450880372 vs 0.01 / 68923.665 · 1e4 = 0.001450880477)
    expect(2 * s.halfSpreadBps).toBeCloseTo(Number(raw.spread_bps), 9);
    // 5 levels ≈ 24k USD of asks: 1k and 10k fill, 100k does not
    expect(s.fills.map((f) => f.buyBps === null)).toEqual([false, false, true]);
  });

  it('coinbase exchange level 2 (unknown product), okx books and bybit orderbook', () => {
    const cbx = bookSnapshot(coinbaseMarketSpec('exchange').book.parse(file('coinbase-exchange-products-book-level2-UNKNOWN-PRODUCT-ABRIDGED.json'), ctx('coinbase', 'BTC/USD', 'BTC-USD', NOW)));
    expect(cbx.halfSpreadBps).toBeCloseTo((0.0002 / 2 / 0.1136) * 1e4, 9); // 2 ticks of 0.0001 at 0.1136: ≈ 8.8 bps
    const okx3 = OKX_MARKET.book.parse(file('okx-api-v5-market-books-BTC-USDT-ABRIDGED.json'), ctx('okx', 'BTC/USDT', 'BTC-USDT', 1654328918680));
    const okx = bookSnapshot(okx3);
    // buy 5k: 29692.5 × 0.10951348 = 3251.7, 29692.6 × 0.00631557 = 187.5, then 1560.8 of the 29692.8 level
    const l1 = 29692.5 * 0.10951348;
    const l2 = 29692.6 * 0.00631557;
    const base = 0.10951348 + 0.00631557 + (5000 - l1 - l2) / 29692.8;
    expect(bookSnapshot(okx3, { notionals: [5000] }).fills[0]!.buyBps).toBeCloseTo((5000 / base / okx.mid - 1) * 1e4, 9);
    // the 3 abridged asks hold ≈ 6.6k USDT: 10k is insufficient depth
    expect(okx.fills[1]!.buyBps).toBeNull();
    const by = bookSnapshot(BYBIT_MARKET.book.parse(file('bybit-v5-market-orderbook-DOCS-EXAMPLE-spot-BTCUSDT.json'), ctx('bybit', 'BTC/USDT', 'BTCUSDT', 1716863719382)));
    // one level a side, deep enough for 100k: every fill costs exactly the half-spread (≈ 5.5 bps)
    expect(by.halfSpreadBps).toBeCloseTo(((65557.7 - 65485.47) / 2 / ((65557.7 + 65485.47) / 2)) * 1e4, 9);
    for (const f of by.fills) {
      expect(f.buyBps).toBeCloseTo(by.halfSpreadBps, 9);
      expect(f.sellBps).toBeCloseTo(by.halfSpreadBps, 9);
    }
  });
});
