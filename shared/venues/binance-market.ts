/**
 * Binance spot market data: `GET /api/v3/depth?symbol&limit` (≤ 5000 levels; `{ lastUpdateId, bids, asks }`,
 * `[price, qty]` strings, **no time field**, so the book is stamped with the caller's clock),
 * `GET /api/v3/ticker/bookTicker?symbol` (`{ symbol, bidPrice, bidQty, askPrice, askQty }`, no time either) and
 * `GET /api/v3/trades?symbol&limit` (≤ 1000, oldest first; `isBuyerMaker` true = the taker sold).
 */
import { z } from 'zod';
import { BINANCE_SYMBOLS, throwIfBinanceError } from './binance';
import { decimal, epochMs, finishBook, finishQuote, finishTrades, level, parseWith, type MarketSpec } from './market-data';
import type { HttpResult } from './transport';
import { parseJsonBody } from './venue';


const Depth = z.object({ lastUpdateId: z.number().int(), bids: z.array(level), asks: z.array(level) });
const BookTicker = z.object({ symbol: z.string(), bidPrice: decimal, bidQty: decimal, askPrice: decimal, askQty: decimal });
const Trades = z.array(z.object({ id: z.number().int(), price: decimal, qty: decimal, time: epochMs, isBuyerMaker: z.boolean() }));

function body(res: HttpResult): unknown {
  const b = parseJsonBody('binance', res);
  throwIfBinanceError(res, b);
  return b;
}

export const BINANCE_MARKET: MarketSpec = {
  id: 'binance',
  symbols: BINANCE_SYMBOLS, // the same venue codes as the candle calls
  book: {
    minN: 1,
    maxN: 5000,
    defaultN: 100,
    url: (base, sym, n) => `${base}/api/v3/depth?symbol=${sym}&limit=${n}`,
    parse: (res, ctx) => {
      const d = parseWith('binance', res, Depth, 'depth', body(res));
      return finishBook(res, ctx, { time: ctx.now, timeSource: 'received', bids: d.bids, asks: d.asks, sequence: String(d.lastUpdateId) });
    },
  },
  quote: {
    minN: 1,
    maxN: 1,
    defaultN: 1,
    url: (base, sym) => `${base}/api/v3/ticker/bookTicker?symbol=${sym}`,
    parse: (res, ctx) => {
      const q = parseWith('binance', res, BookTicker.refine((x) => x.symbol === ctx.venueSymbol, { message: `symbol is not ${ctx.venueSymbol}` }), 'bookTicker', body(res));
      return finishQuote(res, ctx, { time: ctx.now, timeSource: 'received', bid: q.bidPrice, bidQty: q.bidQty, ask: q.askPrice, askQty: q.askQty });
    },
  },
  trades: {
    minN: 1,
    maxN: 1000,
    defaultN: 500,
    url: (base, sym, n) => `${base}/api/v3/trades?symbol=${sym}&limit=${n}`,
    parse: (res, ctx) => {
      const rows = parseWith('binance', res, Trades, 'trades', body(res));
      return finishTrades(res, ctx, rows.map((t) => ({ id: String(t.id), time: t.time, price: t.price, qty: t.qty, side: t.isBuyerMaker ? 'sell' : 'buy' })));
    },
  },
};
