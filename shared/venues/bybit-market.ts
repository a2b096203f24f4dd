/**
 * Bybit v5 spot market data, inside `{ retCode: 0, retMsg, result, time }` with string values: `GET
 * /v5/market/orderbook?category=spot&symbol&limit` (≤ 200 a side; `result { s, b, a, ts, u, seq, cts }`, `ts`
 * the snapshot time), `GET /v5/market/tickers?category=spot&symbol` (`result.list[0]` with `bid1Price/bid1Size/
 * ask1Price/ask1Size`; no time of its own, so the envelope's server `time` stamps it) and `GET
 * /v5/market/recent-trade?category=spot&symbol&limit` (≤ 60, newest first; `side` "Buy"/"Sell" is the taker
 * side; `time` a ms string).
 */
import { z } from 'zod';
import { BYBIT_SYMBOLS, throwIfBybitError } from './bybit';
import { decimal, epochMs, finishBook, finishQuote, finishTrades, level, parseWith, type MarketSpec } from './market-data';
import type { HttpResult } from './transport';
import { isRecord, malformed, parseJsonBody } from './venue';


const Book = z.object({ result: z.object({ s: z.string(), b: z.array(level), a: z.array(level), ts: epochMs, u: z.number().int(), seq: z.number().int().optional() }) });
const Tickers = z.object({
  time: epochMs,
  result: z.object({
    list: z.array(z.object({ symbol: z.string(), bid1Price: decimal, bid1Size: decimal, ask1Price: decimal, ask1Size: decimal })).length(1, 'expected exactly one ticker in result.list'),
  }),
});
const Trades = z.object({
  result: z.object({ list: z.array(z.object({ execId: z.string().min(1), symbol: z.string(), price: decimal, size: decimal, side: z.enum(['Buy', 'Sell']), time: epochMs })) }),
});

function body(res: HttpResult, what: string): unknown {
  const b = parseJsonBody('bybit', res);
  if (!isRecord(b)) throw malformed('bybit', res, `${what} body is not an object`);
  throwIfBybitError(res, b);
  if (b.retCode === undefined) throw malformed('bybit', res, `${what} body lacks retCode`);
  return b;
}

export const BYBIT_MARKET: MarketSpec = {
  id: 'bybit',
  symbols: BYBIT_SYMBOLS, // the same venue codes as the candle calls
  book: {
    minN: 1,
    maxN: 200,
    defaultN: 100,
    url: (base, sym, n) => `${base}/v5/market/orderbook?category=spot&symbol=${sym}&limit=${n}`,
    parse: (res, ctx) => {
      const schema = Book.refine((x) => x.result.s === ctx.venueSymbol, { message: `result.s is not ${ctx.venueSymbol}` });
      const r = parseWith('bybit', res, schema, 'orderbook', body(res, 'orderbook')).result;
      return finishBook(res, ctx, { time: r.ts, timeSource: 'venue', bids: r.b, asks: r.a, sequence: String(r.u) });
    },
  },
  quote: {
    minN: 1,
    maxN: 1,
    defaultN: 1,
    url: (base, sym) => `${base}/v5/market/tickers?category=spot&symbol=${sym}`,
    parse: (res, ctx) => {
      const schema = Tickers.refine((x) => x.result.list[0]!.symbol === ctx.venueSymbol, { message: `symbol is not ${ctx.venueSymbol}` });
      const d = parseWith('bybit', res, schema, 'tickers', body(res, 'tickers'));
      const t = d.result.list[0]!;
      return finishQuote(res, ctx, { time: d.time, timeSource: 'venue', bid: t.bid1Price, bidQty: t.bid1Size, ask: t.ask1Price, askQty: t.ask1Size });
    },
  },
  trades: {
    minN: 1,
    maxN: 60,
    defaultN: 60,
    url: (base, sym, n) => `${base}/v5/market/recent-trade?category=spot&symbol=${sym}&limit=${n}`,
    parse: (res, ctx) => {
      const schema = Trades.refine((x) => x.result.list.every((t) => t.symbol === ctx.venueSymbol), { message: `a trade's symbol is not ${ctx.venueSymbol}` });
      const rows = parseWith('bybit', res, schema, 'recent-trade', body(res, 'recent-trade')).result.list;
      return finishTrades(res, ctx, rows.map((t) => ({ id: t.execId, time: t.time, price: t.price, qty: t.size, side: t.side === 'Buy' ? 'buy' : 'sell' })));
    },
  },
};
