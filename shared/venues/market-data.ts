/**
 * Order book, best bid/ask and recent trades for any venue, over the same `Transport` (timeout, Retry-After,
 * backoff, circuit breaker) as the candle calls. A per-venue `MarketSpec` gives the URL and the zod-validated
 * parser of each wire format; this module turns it into `fetchOrderBook` / `fetchBestQuote` / `fetchRecentTrades`.
 * A body that is malformed, partial, crossed, stale (vs the request's `now`) or an empty trades page is refused
 * whole with a `MarketDataRejected` (a `VenueError` of kind `malformed`, so it is not retried and callers
 * quarantine it like a bad candle body) carrying the rejection code and reason.
 */
import { z } from 'zod';
import {
  buildBestQuote,
  buildOrderBook,
  buildTrades,
  type BestQuote,
  type BookInput,
  type Checked,
  type FreshnessOptions,
  type MarketRejection,
  type OrderBook,
  type Trade,
} from '../market/order-book';
import { toNumber } from './rows';
import type { HttpResult, Transport } from './transport';
import { VenueError, type VenueId } from './types';
import { parseJsonBody } from './venue';

export const DEFAULT_MAX_BOOK_AGE_MS = 60_000;
export const DEFAULT_MAX_FUTURE_MS = 5_000;

export interface MarketDataRequest {
  /** Canonical `BASE/QUOTE`. */
  symbol: string;
  /** The caller's clock, ms UTC: staleness is judged against it, and it stamps bodies that carry no time. */
  now: number;
  /** A venue-stamped book/quote older than this is refused as stale. Default 60 s. */
  maxAgeMs?: number;
  /** A venue-stamped time ahead of `now` by more than this is refused (clock skew). Default 5 s. */
  maxFutureMs?: number;
}

export interface OrderBookRequest extends MarketDataRequest {
  /** Levels per side to ask for (clamped to the venue's range; Binance rounds up to its allowed limits). */
  depth?: number;
}

export interface TradesRequest extends MarketDataRequest {
  /** Trades to ask for (clamped to the venue's range). */
  limit?: number;
}

export interface MarketDataResult<T> {
  data: T;
  /** HTTP requests made, retries included. */
  requests: number;
}

export interface MarketDataVenue {
  /** Canonical symbols the market-data calls can map. */
  readonly marketSymbols: readonly string[];
  fetchOrderBook(req: OrderBookRequest): Promise<MarketDataResult<OrderBook>>;
  fetchBestQuote(req: MarketDataRequest): Promise<MarketDataResult<BestQuote>>;
  /** Oldest first. */
  fetchRecentTrades(req: TradesRequest): Promise<MarketDataResult<Trade[]>>;
}

/** Characters of a refused body kept on the error, for the quarantine record. */
export const REJECTED_BODY_EXCERPT = 2000;

/** A whole market-data body refused for a reason the `rejection` names. */
export class MarketDataRejected extends VenueError {
  readonly rejection: MarketRejection;
  /** The start of the refused body (up to `REJECTED_BODY_EXCERPT` characters). */
  readonly bodyExcerpt: string | undefined;
  constructor(venue: string, res: HttpResult | undefined, rejection: MarketRejection) {
    super('malformed', `${venue}: ${rejection.code}: ${rejection.reason}`, { venue, ...(res && { url: res.url, status: res.status }) });
    this.name = 'MarketDataRejected';
    this.rejection = rejection;
    this.bodyExcerpt = res?.text.slice(0, REJECTED_BODY_EXCERPT);
  }
}

export function isMarketDataRejected(e: unknown): e is MarketDataRejected {
  return e instanceof MarketDataRejected;
}

/** What a parser needs besides the response. */
export interface ParseContext {
  venue: VenueId;
  symbol: string;
  venueSymbol: string;
  now: number;
  fresh: FreshnessOptions;
  /** The size asked for (levels per side or trades), after clamping. */
  n: number;
}

export interface MarketEndpoint<T> {
  /** `alt` = the venue's second API host (Coinbase Advanced Trade). Default `main`. */
  host?: 'main' | 'alt';
  /** Range for the size parameter (depth or trade count) and its default. */
  minN: number;
  maxN: number;
  defaultN: number;
  url(base: string, venueSymbol: string, n: number): string;
  parse(res: HttpResult, ctx: ParseContext): T;
}

export interface MarketSpec {
  id: VenueId;
  /** Canonical symbol → venue code for these endpoints. */
  symbols: Readonly<Record<string, string>>;
  /** Default host of the `alt` endpoints, when the venue has one. */
  defaultAltBaseUrl?: string;
  book: MarketEndpoint<OrderBook>;
  quote: MarketEndpoint<BestQuote>;
  trades: MarketEndpoint<Trade[]>;
}

/** A JSON number or strictly numeric string, as a finite number. */
export const decimal = z.union([z.string(), z.number()]).transform((x, ctx) => {
  const n = toNumber(x);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(x)}` });
    return z.NEVER;
  }
  return n;
});

/** `[price, size, ...]` with numeric-string or number price/size; extra columns ignored. */
export const level = z.tuple([decimal, decimal], z.unknown()).transform((l): [number, number] => [l[0], l[1]]);

/** Epoch-ms as a number or digit string. */
export const epochMs = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);

/** An ISO-8601 instant (µs/ns digits truncated to ms). */
export const isoTime = z.string().transform((s, ctx) => {
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: `not an ISO time: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return t;
});

function issuesText(err: z.ZodError): string {
  const list = err.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`);
  return list.join('; ') + (err.issues.length > 3 ? `; … ${err.issues.length - 3} more` : '');
}

/** Parses the JSON and validates it against `schema`; a mismatch is a `malformed` rejection naming the fields. */
export function parseWith<S extends z.ZodType>(venue: string, res: HttpResult, schema: S, what: string, body: unknown = parseJsonBody(venue, res)): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new MarketDataRejected(venue, res, { code: 'malformed', reason: `${what} body does not match the wire format: ${issuesText(r.error)}` });
  return r.data;
}

function unwrap<T>(venue: string, res: HttpResult, c: Checked<T>): T {
  if (!c.ok) throw new MarketDataRejected(venue, res, c.rejection);
  return c.value;
}

export function finishBook(res: HttpResult, ctx: ParseContext, b: Omit<BookInput, 'venue' | 'symbol'>): OrderBook {
  return unwrap(ctx.venue, res, buildOrderBook({ ...b, venue: ctx.venue, symbol: ctx.symbol }, ctx.fresh));
}

export function finishQuote(res: HttpResult, ctx: ParseContext, q: Omit<BestQuote, 'venue' | 'symbol'>): BestQuote {
  return unwrap(ctx.venue, res, buildBestQuote({ ...q, venue: ctx.venue, symbol: ctx.symbol }, ctx.fresh));
}

export function finishTrades(res: HttpResult, ctx: ParseContext, trades: readonly Trade[]): Trade[] {
  return unwrap(ctx.venue, res, buildTrades(trades));
}

export interface MarketDataOptions {
  transport: Transport;
  baseUrl: string;
  /** Host of the `alt` endpoints; default the spec's `defaultAltBaseUrl`, or `baseUrl` when that was overridden. */
  altBaseUrl?: string;
}

/** Keeps the best `n` levels a side (venues such as Coinbase level 2 send the whole book). */
export function truncateBook(book: OrderBook, n: number): OrderBook {
  if (book.bids.prices.length <= n && book.asks.prices.length <= n) return book;
  const cut = (s: OrderBook['bids']) => ({ prices: s.prices.slice(0, n), sizes: s.sizes.slice(0, n) });
  return { ...book, bids: cut(book.bids), asks: cut(book.asks) };
}

function clampN(e: MarketEndpoint<unknown>, n: number | undefined): number {
  if (n === undefined) return e.defaultN;
  if (!Number.isFinite(n)) return e.defaultN;
  return Math.max(e.minN, Math.min(e.maxN, Math.floor(n)));
}

export function createMarketData(spec: MarketSpec, o: MarketDataOptions): MarketDataVenue {
  const venue = spec.id;
  const main = o.baseUrl.replace(/\/+$/, '');
  const alt = (o.altBaseUrl ?? spec.defaultAltBaseUrl ?? main).replace(/\/+$/, '');

  async function call<T>(e: MarketEndpoint<T>, req: MarketDataRequest, n: number): Promise<MarketDataResult<T>> {
    const vSym = spec.symbols[req.symbol];
    if (vSym === undefined) throw new VenueError('bad-request', `${venue}: unsupported symbol ${req.symbol}`, { venue });
    if (!Number.isFinite(req.now)) throw new VenueError('bad-request', `${venue}: now must be finite`, { venue });
    const ctx: ParseContext = {
      venue,
      symbol: req.symbol,
      venueSymbol: vSym,
      now: req.now,
      fresh: { now: req.now, maxAgeMs: req.maxAgeMs ?? DEFAULT_MAX_BOOK_AGE_MS, maxFutureMs: req.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS },
      n,
    };
    const url = e.url(e.host === 'alt' ? alt : main, vSym, n);
    const r = await o.transport.get(url, (res) => e.parse(res, ctx));
    return { data: r.value, requests: r.attempts };
  }

  return {
    marketSymbols: Object.keys(spec.symbols),
    fetchOrderBook: async (req) => {
      const n = clampN(spec.book, req.depth);
      const r = await call(spec.book, req, n);
      return { ...r, data: truncateBook(r.data, n) };
    },
    fetchBestQuote: (req) => call(spec.quote, req, spec.quote.defaultN),
    fetchRecentTrades: (req) => call(spec.trades, req, clampN(spec.trades, req.limit)),
  };
}
