/**
 * The venue registry: `createVenue(id, options)` builds one adapter — closed candles, plus order book, best
 * bid/ask and recent trades — over its own transport (timeout, retries, circuit breaker) from the injected fetch,
 * clock, sleep and random source. Base URLs default to the public hosts; point them at the fake exchange
 * (`http://127.0.0.1:PORT/<venue>`) in tests and dev.
 */
import { BINANCE_SPEC } from './binance';
import { BINANCE_MARKET } from './binance-market';
import { BYBIT_SPEC } from './bybit';
import { BYBIT_MARKET } from './bybit-market';
import { COINBASE_SPEC } from './coinbase';
import { coinbaseMarketSpec, type CoinbaseBookSource } from './coinbase-market';
import { KRAKEN_SPEC } from './kraken';
import { KRAKEN_MARKET } from './kraken-market';
import { createMarketData, type MarketDataVenue, type MarketSpec } from './market-data';
import { okxSpec, type OkxEndpoint } from './okx';
import { OKX_MARKET } from './okx-market';
import { CircuitBreaker, Transport, type CircuitBreakerOptions, type ScheduleFn } from './transport';
import type { FetchLike, Venue, VenueId } from './types';
import { createSpecVenue, type VenueSpec } from './venue';

export interface CreateVenueOptions {
  /** Default: the venue's public host (see `DEFAULT_BASE_URLS`). */
  baseUrl?: string;
  fetch: FetchLike;
  /** Clock in ms since epoch (Retry-After dates, breaker cool-down). */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): backoff jitter. */
  random: () => number;
  /** Timer used for the per-request timeout. Default: setTimeout. */
  schedule?: ScheduleFn;
  timeoutMs?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  maxRetryAfterMs?: number;
  /** Share a breaker (e.g. one per venue across workers of one isolate); default: one per created venue. */
  breaker?: CircuitBreaker;
  breakerOptions?: Omit<CircuitBreakerOptions, 'now'>;
  /** Page size to request (capped at the venue max); smaller pages are handy in tests. */
  pageSize?: number;
  maxPages?: number;
  headers?: Record<string, string>;
  /** OKX only: `history-candles` (default, 100/page, full history) or `candles` (300/page, recent only). */
  okxEndpoint?: OkxEndpoint;
  /** Coinbase only: order book from Advanced Trade `product_book` (default) or the Exchange `book?level=2`. */
  coinbaseBook?: CoinbaseBookSource;
  /**
   * Host of a venue's second API (Coinbase Advanced Trade: product_book, market trades). Default: its public host,
   * or `baseUrl` when that is given (the fake exchange serves both APIs under one prefix).
   */
  altBaseUrl?: string;
}

export function marketSpec(id: VenueId, coinbaseBook?: CoinbaseBookSource): MarketSpec {
  switch (id) {
    case 'binance':
      return BINANCE_MARKET;
    case 'kraken':
      return KRAKEN_MARKET;
    case 'coinbase':
      return coinbaseMarketSpec(coinbaseBook);
    case 'okx':
      return OKX_MARKET;
    case 'bybit':
      return BYBIT_MARKET;
  }
}

export function venueSpec(id: VenueId, okxEndpoint?: OkxEndpoint): VenueSpec {
  switch (id) {
    case 'binance':
      return BINANCE_SPEC;
    case 'kraken':
      return KRAKEN_SPEC;
    case 'coinbase':
      return COINBASE_SPEC;
    case 'okx':
      return okxSpec(okxEndpoint);
    case 'bybit':
      return BYBIT_SPEC;
  }
}

export const DEFAULT_BASE_URLS: Readonly<Record<VenueId, string>> = {
  binance: BINANCE_SPEC.defaultBaseUrl,
  kraken: KRAKEN_SPEC.defaultBaseUrl,
  coinbase: COINBASE_SPEC.defaultBaseUrl,
  okx: okxSpec().defaultBaseUrl,
  bybit: BYBIT_SPEC.defaultBaseUrl,
};

/** Candles plus book / quote / trades over one transport; the breaker is exposed (`venue.transport.breaker.state`). */
export interface CreatedVenue extends Venue, MarketDataVenue {
  readonly transport: Transport;
}

export function createVenue(id: VenueId, o: CreateVenueOptions): CreatedVenue {
  const transport = new Transport({
    venue: id,
    fetch: o.fetch,
    now: o.clock,
    sleep: o.sleep,
    random: o.random,
    ...(o.schedule && { schedule: o.schedule }),
    ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
    ...(o.maxAttempts !== undefined && { maxAttempts: o.maxAttempts }),
    ...(o.baseBackoffMs !== undefined && { baseBackoffMs: o.baseBackoffMs }),
    ...(o.maxBackoffMs !== undefined && { maxBackoffMs: o.maxBackoffMs }),
    ...(o.maxRetryAfterMs !== undefined && { maxRetryAfterMs: o.maxRetryAfterMs }),
    ...(o.breaker && { breaker: o.breaker }),
    ...(o.breakerOptions && { breakerOptions: o.breakerOptions }),
    ...(o.headers && { headers: o.headers }),
  });
  const venue = createSpecVenue(venueSpec(id, o.okxEndpoint), {
    transport,
    ...(o.baseUrl !== undefined && { baseUrl: o.baseUrl }),
    ...(o.pageSize !== undefined && { pageSize: o.pageSize }),
    ...(o.maxPages !== undefined && { maxPages: o.maxPages }),
  });
  const market = createMarketData(marketSpec(id, o.coinbaseBook), {
    transport,
    baseUrl: venue.baseUrl,
    ...((o.altBaseUrl ?? o.baseUrl) !== undefined && { altBaseUrl: (o.altBaseUrl ?? o.baseUrl)! }),
  });
  return { ...venue, ...market, transport };
}
