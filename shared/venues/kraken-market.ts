/**
 * Kraken market data: `GET /0/public/Depth?pair&count` (≤ 500 a side; levels `[price, volume, ts_s]`; the book
 * has no time of its own, so it is stamped with its newest level time, a lower bound of the snapshot instant),
 * `GET /0/public/Ticker?pair` (`a`/`b` = [price, whole-lot volume, lot volume]; no time, so the caller's clock)
 * and `GET /0/public/Trades?pair&count` (≤ 1000, oldest first; rows `[price, volume, time_s float, "b"/"s",
 * "m"/"l", misc, trade_id]`, "b"/"s" = the taker side; `result.last` is a nanosecond cursor string). All inside
 * `{ error: [], result: { <pairKey>: … } }`, the pair key possibly a legacy `XXBTZUSD`-style name.
 */
import { z } from 'zod';
import { KRAKEN_SYMBOLS, throwIfKrakenError } from './kraken';
import { decimal, finishBook, finishQuote, finishTrades, parseWith, type MarketSpec } from './market-data';
import type { HttpResult } from './transport';
import { isRecord, malformed, parseJsonBody } from './venue';


// Extra trailing columns are tolerated (Kraken has added columns before); the ones read are checked.
const DepthLevel = z.tuple([decimal, decimal, z.number().int().positive()], z.unknown());
const Depth = z.object({ asks: z.array(DepthLevel), bids: z.array(DepthLevel) });
const Ticker = z.object({ a: z.tuple([decimal, decimal, decimal]), b: z.tuple([decimal, decimal, decimal]) });
const TradeRow = z.tuple([decimal, decimal, z.number().positive(), z.enum(['b', 's']), z.string(), z.string(), z.number().int().nonnegative()], z.unknown());

/** The pair's payload inside `result` (first key that is not `last`). */
function pairPayload(res: HttpResult, what: string): unknown {
  const b = parseJsonBody('kraken', res);
  if (!isRecord(b)) throw malformed('kraken', res, `${what} body is not an object`);
  throwIfKrakenError(res, b);
  const result = b.result;
  if (!isRecord(result)) throw malformed('kraken', res, `${what} body has no result object`);
  const key = Object.keys(result).find((k) => k !== 'last');
  if (key === undefined) throw malformed('kraken', res, `${what} result has no pair key`);
  return result[key];
}

export const KRAKEN_MARKET: MarketSpec = {
  id: 'kraken',
  symbols: KRAKEN_SYMBOLS, // the same venue codes as the candle calls
  book: {
    minN: 1,
    maxN: 500,
    defaultN: 100,
    url: (base, sym, n) => `${base}/0/public/Depth?pair=${sym}&count=${n}`,
    parse: (res, ctx) => {
      const d = parseWith('kraken', res, Depth, 'Depth', pairPayload(res, 'Depth'));
      let newest = 0;
      for (const l of [...d.bids, ...d.asks]) newest = Math.max(newest, l[2]);
      return finishBook(res, ctx, {
        time: newest * 1000,
        timeSource: 'newest-level',
        bids: d.bids.map((l) => [l[0], l[1]] as const),
        asks: d.asks.map((l) => [l[0], l[1]] as const),
      });
    },
  },
  quote: {
    minN: 1,
    maxN: 1,
    defaultN: 1,
    url: (base, sym) => `${base}/0/public/Ticker?pair=${sym}`,
    parse: (res, ctx) => {
      const t = parseWith('kraken', res, Ticker, 'Ticker', pairPayload(res, 'Ticker'));
      return finishQuote(res, ctx, { time: ctx.now, timeSource: 'received', bid: t.b[0], bidQty: t.b[2], ask: t.a[0], askQty: t.a[2] });
    },
  },
  trades: {
    minN: 1,
    maxN: 1000,
    defaultN: 1000,
    url: (base, sym, n) => `${base}/0/public/Trades?pair=${sym}&count=${n}`,
    parse: (res, ctx) => {
      const rows = parseWith('kraken', res, z.array(TradeRow), 'Trades', pairPayload(res, 'Trades'));
      // time is float seconds with 7 decimals: truncate to the ms (the epsilon absorbs binary rounding of x.yyy000).
      return finishTrades(res, ctx, rows.map((r) => ({ id: String(r[6]), time: Math.floor(r[2] * 1000 + 1e-6), price: r[0], qty: r[1], side: r[3] === 'b' ? 'buy' : 'sell' })));
    },
  },
};
