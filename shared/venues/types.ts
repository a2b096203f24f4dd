/**
 * The venue contract: what every REST adapter (Binance, Kraken, Coinbase Exchange, OKX, Bybit) offers, the
 * typed error they throw for whole-body or transport failures, and the rejected-row record they return (never
 * throw) for single rows that fail to parse. Adapters are pure: they do no I/O of their own and are handed a
 * `fetch`-like function, a clock, a sleep function and a random source.
 */
import type { Candle } from '../candles/candle';
import type { Timeframe } from '../candles/timeframe';

export const VENUE_IDS = ['binance', 'kraken', 'coinbase', 'okx', 'bybit'] as const;
export type VenueId = (typeof VENUE_IDS)[number];

export function isVenueId(x: string): x is VenueId {
  return (VENUE_IDS as readonly string[]).includes(x);
}

/** The subset of `fetch` the adapters use; `globalThis.fetch` (Node, Workers, browsers) satisfies it. */
export type FetchLike = (
  url: string,
  init: { method: 'GET'; headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

/** Request for closed candles of one series. Times are ms UTC. */
export interface FetchClosedCandlesRequest {
  /** Canonical `BASE/QUOTE`, e.g. `BTC/USDT`. */
  symbol: string;
  timeframe: Timeframe;
  /** Inclusive lower bound on open time. */
  since: number;
  /** Exclusive upper bound on open time. */
  until: number;
  /** The instant closedness is judged at: a candle is kept only when `openTime + tf <= now`. */
  now: number;
}

/** A row the venue sent that did not become a candle; returned so the caller can record it. */
export interface RejectedRow {
  reason: string;
  raw: unknown;
}

export interface FetchClosedCandlesResult {
  /** Closed candles, ascending by open time, unique open times, all within `[since, until)`. */
  candles: Candle[];
  rejected: RejectedRow[];
  /** HTTP requests made, retries included. */
  requests: number;
  /** Pages fetched successfully (logical page requests). */
  pages: number;
}

export interface Venue {
  readonly id: VenueId;
  readonly baseUrl: string;
  /** Timeframes this venue serves natively; any other throws `VenueError('bad-request')`. */
  readonly timeframes: readonly Timeframe[];
  /** Canonical symbols this adapter can map (`BTC/USDT` → venue code). */
  readonly symbols: readonly string[];
  fetchClosedCandles(req: FetchClosedCandlesRequest): Promise<FetchClosedCandlesResult>;
}

export const VENUE_ERROR_KINDS = [
  'rate-limited',
  'server',
  'timeout',
  'malformed',
  'venue-error',
  'circuit-open',
  'bad-request',
] as const;
export type VenueErrorKind = (typeof VENUE_ERROR_KINDS)[number];

export interface VenueErrorDetails {
  venue?: string;
  status?: number;
  /** How long the venue (or the breaker) asked us to wait, in ms, when known. */
  retryAfterMs?: number;
  url?: string;
  /** The venue's own error code or message list, when it sent one. */
  venueCode?: string;
  /** HTTP attempts made before giving up. */
  attempts?: number;
  cause?: unknown;
}

/** A whole-request failure. `kind` is the only thing callers should branch on. */
export class VenueError extends Error {
  readonly kind: VenueErrorKind;
  readonly venue: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly url: string | undefined;
  readonly venueCode: string | undefined;
  attempts: number | undefined;

  constructor(kind: VenueErrorKind, message: string, details: VenueErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VenueError';
    this.kind = kind;
    this.venue = details.venue;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.url = details.url;
    this.venueCode = details.venueCode;
    this.attempts = details.attempts;
  }
}

export function isVenueError(e: unknown, kind?: VenueErrorKind): e is VenueError {
  return e instanceof VenueError && (kind === undefined || e.kind === kind);
}
