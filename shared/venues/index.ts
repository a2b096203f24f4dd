/**
 * Public surface of the venue adapters: the registry, the contract and error types (candles and market data),
 * the transport pieces, and the per-venue parsers and mapping tables (for fixture tests and for callers that record venue codes).
 */
export { createVenue, DEFAULT_BASE_URLS, marketSpec, venueSpec, type CreateVenueOptions, type CreatedVenue } from './registry';
export {
  DEFAULT_MAX_BOOK_AGE_MS,
  DEFAULT_MAX_FUTURE_MS,
  MarketDataRejected,
  REJECTED_BODY_EXCERPT,
  isMarketDataRejected,
  type MarketDataRequest,
  type MarketDataResult,
  type MarketDataVenue,
  type MarketSpec,
  type OrderBookRequest,
  type ParseContext,
  type TradesRequest,
} from './market-data';
export { COINBASE_ADVANCED_BASE_URL, coinbaseMarketSpec, type CoinbaseBookSource } from './coinbase-market';
export { BINANCE_MARKET } from './binance-market';
export { KRAKEN_MARKET } from './kraken-market';
export { OKX_MARKET } from './okx-market';
export { BYBIT_MARKET } from './bybit-market';
export type { BestQuote, OrderBook, Trade } from '../market/order-book';
export {
  VENUE_IDS,
  VENUE_ERROR_KINDS,
  VenueError,
  isVenueError,
  isVenueId,
  type FetchLike,
  type FetchClosedCandlesRequest,
  type FetchClosedCandlesResult,
  type RejectedRow,
  type Venue,
  type VenueErrorKind,
  type VenueId,
} from './types';
export { CircuitBreaker, Transport, parseRetryAfter, defaultSchedule, type BreakerState, type HttpResult, type ScheduleFn } from './transport';
export { normaliseRows, toNumber, type ParsedPage, type ParsedRow } from './rows';
export { BINANCE_SYMBOLS, BINANCE_TIMEFRAMES, parseBinanceKlines } from './binance';
export { KRAKEN_SYMBOLS, KRAKEN_TIMEFRAMES, parseKrakenOhlc } from './kraken';
export { COINBASE_SYMBOLS, COINBASE_TIMEFRAMES, parseCoinbaseCandles } from './coinbase';
export { OKX_SYMBOLS, OKX_TIMEFRAMES, parseOkxCandles, type OkxEndpoint } from './okx';
export { BYBIT_SYMBOLS, BYBIT_TIMEFRAMES, parseBybitKline } from './bybit';
