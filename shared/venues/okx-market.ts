/**
 * OKX market data, all inside `{ code: "0", msg, data: [...] }` with every value a string: `GET
 * /api/v5/market/books?instId&sz` (≤ 400 a side; `data[0] { asks, bids, ts }`, levels `[px, sz, "0"
 * (deprecated), n_orders]`, venue-stamped `ts`), `GET /api/v5/market/ticker?instId` (`bidPx/bidSz/askPx/askSz`,
 * `ts`) and `GET /api/v5/market/trades?instId&limit` (≤ 500, **newest first**; `side` is the taker side).
 */
import { z } from 'zod';
import { OKX_SYMBOLS, throwIfOkxError } from './okx';
import { decimal, epochMs, finishBook, finishQuote, finishTrades, level, parseWith, type MarketSpec } from './market-data';
import type { HttpResult } from './transport';
import { isRecord, malformed, parseJsonBody } from './venue';


const Books = z.array(z.object({ asks: z.array(level), bids: z.array(level), ts: epochMs })).length(1, 'expected exactly one book in data');
const Ticker = z.array(z.object({ instId: z.string(), bidPx: decimal, bidSz: decimal, askPx: decimal, askSz: decimal, ts: epochMs })).length(1, 'expected exactly one ticker in data');
const Trades = z.array(z.object({ instId: z.string(), tradeId: z.string().min(1), px: decimal, sz: decimal, side: z.enum(['buy', 'sell']), ts: epochMs }));

function data(res: HttpResult, what: string): unknown {
  const b = parseJsonBody('okx', res);
  if (!isRecord(b)) throw malformed('okx', res, `${what} body is not an object`);
  throwIfOkxError(res, b);
  if (b.code === undefined) throw malformed('okx', res, `${what} body lacks code`);
  return b.data;
}

export const OKX_MARKET: MarketSpec = {
  id: 'okx',
  symbols: OKX_SYMBOLS, // the same venue codes as the candle calls
  book: {
    minN: 1,
    maxN: 400,
    defaultN: 100,
    url: (base, sym, n) => `${base}/api/v5/market/books?instId=${sym}&sz=${n}`,
    parse: (res, ctx) => {
      const d = parseWith('okx', res, Books, 'books', data(res, 'books'))[0]!;
      return finishBook(res, ctx, { time: d.ts, timeSource: 'venue', bids: d.bids, asks: d.asks });
    },
  },
  quote: {
    minN: 1,
    maxN: 1,
    defaultN: 1,
    url: (base, sym) => `${base}/api/v5/market/ticker?instId=${sym}`,
    parse: (res, ctx) => {
      const schema = Ticker.refine((x) => x[0]!.instId === ctx.venueSymbol, { message: `instId is not ${ctx.venueSymbol}` });
      const t = parseWith('okx', res, schema, 'ticker', data(res, 'ticker'))[0]!;
      return finishQuote(res, ctx, { time: t.ts, timeSource: 'venue', bid: t.bidPx, bidQty: t.bidSz, ask: t.askPx, askQty: t.askSz });
    },
  },
  trades: {
    minN: 1,
    maxN: 500,
    defaultN: 100,
    url: (base, sym, n) => `${base}/api/v5/market/trades?instId=${sym}&limit=${n}`,
    parse: (res, ctx) => {
      const schema = Trades.refine((x) => x.every((t) => t.instId === ctx.venueSymbol), { message: `a trade's instId is not ${ctx.venueSymbol}` });
      const rows = parseWith('okx', res, schema, 'trades', data(res, 'trades'));
      return finishTrades(res, ctx, rows.map((t) => ({ id: t.tradeId, time: t.ts, price: t.px, qty: t.sz, side: t.side })));
    },
  },
};
