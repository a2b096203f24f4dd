/**
 * Coinbase market data. Exchange API (`api.exchange.coinbase.com`): `GET /products/{id}/book?level=2` (levels
 * `[price, size, num_orders]`, `sequence`, **no time**: stamped with the caller's clock; the whole aggregated book,
 * so the adapter keeps the requested depth) and `GET /products/{id}/ticker` (`bid`/`ask` without sizes; its
 * `time` is the last trade's, not the quote's, so the quote is stamped with the caller's clock too).
 * Advanced Trade public API (`api.coinbase.com`, the `alt` host): `GET /api/v3/brokerage/market/product_book
 * ?product_id&limit` (`pricebook { bids, asks: {price,size}[], time }`, venue-stamped; the default book
 * source, see `coinbaseMarketSpec`) and `GET /api/v3/brokerage/market/products/{id}/ticker?limit` for recent trades (newest first).
 * Trade `side` there is the **maker's** side: in the recorded body the trades printed at the best ask are
 * labelled SELL (also c9s/bbgo PR #2509, "correct market trade side to taker side"), so the taker side is the
 * opposite.
 */
import { z } from 'zod';
import { COINBASE_SYMBOLS, throwIfCoinbaseError } from './coinbase';
import { decimal, finishBook, finishQuote, finishTrades, isoTime, level, parseWith, type MarketEndpoint, type MarketSpec } from './market-data';
import type { OrderBook } from '../market/order-book';
import type { HttpResult } from './transport';
import { isRecord, parseJsonBody } from './venue';

export const COINBASE_ADVANCED_BASE_URL = 'https://api.coinbase.com';

const ExchangeBook = z.object({ bids: z.array(level), asks: z.array(level), sequence: z.number().int() });
const ExchangeTicker = z.object({ bid: decimal, ask: decimal });
const AdvLevel = z.object({ price: decimal, size: decimal }).transform((l): [number, number] => [l.price, l.size]);
const ProductBook = z.object({ pricebook: z.object({ product_id: z.string(), bids: z.array(AdvLevel), asks: z.array(AdvLevel), time: isoTime }) });
const MarketTrades = z.object({
  trades: z.array(z.object({ trade_id: z.string().min(1), product_id: z.string(), price: decimal, size: decimal, time: isoTime, side: z.enum(['BUY', 'SELL']) })),
});

function body(res: HttpResult): unknown {
  const b = parseJsonBody('coinbase', res);
  throwIfCoinbaseError(res, b);
  return b;
}

export type CoinbaseBookSource = 'exchange' | 'advanced';

/** True when `levels` is a list of arrays whose first elements are strictly monotone prices, best first. */
function bestFirst(levels: unknown, dir: 1 | -1): boolean {
  if (!Array.isArray(levels)) return false;
  let prev = dir === 1 ? Infinity : -Infinity;
  for (const l of levels) {
    const p = Array.isArray(l) ? Number(l[0]) : NaN;
    if (!(dir === 1 ? p < prev : p > prev)) return false;
    prev = p;
  }
  return true;
}

/**
 * `level=2` returns the whole aggregated book (≈ 27k levels for BTC-USD, ≈ 0.8 MB; validating all of it costs
 * ≈ 170 ms). When both sides are already best-first (a cheap scan), only the requested depth is validated;
 * otherwise the whole body is validated and sorted.
 */
function trimLevel2(raw: unknown, n: number): unknown {
  if (!isRecord(raw) || !bestFirst(raw.bids, 1) || !bestFirst(raw.asks, -1)) return raw;
  return { ...raw, bids: (raw.bids as unknown[]).slice(0, n), asks: (raw.asks as unknown[]).slice(0, n) };
}

const EXCHANGE_BOOK: MarketEndpoint<OrderBook> = {
  // level=2 has no size parameter; the adapter keeps the requested depth.
  minN: 1,
  maxN: 50_000,
  defaultN: 100,
  url: (base, sym) => `${base}/products/${sym}/book?level=2`,
  parse: (res, ctx) => {
    const d = parseWith('coinbase', res, ExchangeBook, 'book level 2', trimLevel2(body(res), ctx.n));
    return finishBook(res, ctx, { time: ctx.now, timeSource: 'received', bids: d.bids, asks: d.asks, sequence: String(d.sequence) });
  },
};

const ADVANCED_BOOK: MarketEndpoint<OrderBook> = {
  host: 'alt',
  minN: 1,
  maxN: 1000,
  defaultN: 100,
  url: (base, sym, n) => `${base}/api/v3/brokerage/market/product_book?product_id=${sym}&limit=${n}`,
  parse: (res, ctx) => {
    const schema = ProductBook.refine((x) => x.pricebook.product_id === ctx.venueSymbol, { message: `product_id is not ${ctx.venueSymbol}` });
    const d = parseWith('coinbase', res, schema, 'product_book', body(res)).pricebook;
    return finishBook(res, ctx, { time: d.time, timeSource: 'venue', bids: d.bids, asks: d.asks });
  },
};

/**
 * `advanced` (default): `product_book` takes a `limit` and stamps the book, so it can be judged stale, and costs
 * ≈ 0.06 ms per call; `exchange`: `book?level=2` sends the whole book (≈ 0.8 MB, ≈ 8 ms even on the fast path)
 * with no time.
 */
export function coinbaseMarketSpec(book: CoinbaseBookSource = 'advanced'): MarketSpec {
  return {
    id: 'coinbase',
    symbols: COINBASE_SYMBOLS, // the same venue codes as the candle calls
    defaultAltBaseUrl: COINBASE_ADVANCED_BASE_URL,
    book: book === 'exchange' ? EXCHANGE_BOOK : ADVANCED_BOOK,
    quote: {
      minN: 1,
      maxN: 1,
      defaultN: 1,
      url: (base, sym) => `${base}/products/${sym}/ticker`,
      parse: (res, ctx) => {
        const t = parseWith('coinbase', res, ExchangeTicker, 'ticker', body(res));
        return finishQuote(res, ctx, { time: ctx.now, timeSource: 'received', bid: t.bid, bidQty: null, ask: t.ask, askQty: null });
      },
    },
    trades: {
      host: 'alt',
      minN: 1,
      maxN: 1000,
      defaultN: 100,
      url: (base, sym, n) => `${base}/api/v3/brokerage/market/products/${sym}/ticker?limit=${n}`,
      parse: (res, ctx) => {
        const schema = MarketTrades.refine((x) => x.trades.every((t) => t.product_id === ctx.venueSymbol), { message: `a trade's product_id is not ${ctx.venueSymbol}` });
        const d = parseWith('coinbase', res, schema, 'market trades', body(res));
        return finishTrades(
          res,
          ctx,
          d.trades.map((t) => ({ id: t.trade_id, time: t.time, price: t.price, qty: t.size, side: t.side === 'SELL' ? 'buy' : 'sell' })),
        );
      },
    },
  };
}
