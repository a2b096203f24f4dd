/**
 * Resilient HTTP transport for the venue adapters, wrapping an injected `fetch`: a per-request timeout (an
 * AbortSignal, raced so a fetch that ignores the signal still times out), 429/418 handling that honours
 * `Retry-After` (delta seconds or an HTTP date, judged against the injected clock), retry of 5xx / network /
 * timeout failures with capped exponential backoff and jitter (injected random source and sleep), a bound on
 * attempts, and a per-venue circuit breaker (opens after N consecutive failures, lets one trial through after
 * a cool-down measured on the injected clock, closes on success). Deterministic when clock, sleep, random and
 * the timer are injected.
 */
import { VenueError, type FetchLike, type VenueErrorKind } from './types';

/** Schedules `fn` after `ms`; returns a cancel function. Default: the platform's setTimeout. */
export type ScheduleFn = (fn: () => void, ms: number) => () => void;

export const defaultSchedule: ScheduleFn = (fn, ms) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};

/** The body of a completed HTTP exchange handed to the adapter's parser. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  url: string;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Time the circuit stays open before one trial request is let through. Default 30 s. */
  cooldownMs?: number;
  now: () => number;
}

/**
 * Consecutive-failure circuit breaker. Failures are server errors, network errors and timeouts; 429s are
 * neutral (the venue is up, we are too fast); any other completed response is a success.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly now: () => number;
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(opts: CircuitBreakerOptions) {
    this.failureThreshold = opts.failureThreshold ?? 5;
    this.cooldownMs = opts.cooldownMs ?? 30_000;
    this.now = opts.now;
  }

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() >= this.openedAt + this.cooldownMs ? 'half-open' : 'open';
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Asks to send a request: `undefined` when allowed, otherwise the ms until a trial may be sent. */
  acquire(): number | undefined {
    const s = this.state;
    if (s === 'closed') return undefined;
    if (s === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return undefined;
    }
    return Math.max(0, this.openedAt! + this.cooldownMs - this.now());
  }

  onSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  onFailure(): void {
    this.failures++;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.failures >= this.failureThreshold) this.openedAt = this.now();
  }

  /** A response that says nothing about health (429): releases a trial slot, changes nothing else. */
  onNeutral(): void {
    this.trialInFlight = false;
  }
}

export interface TransportOptions {
  /** Label used in errors (the venue id). */
  venue: string;
  fetch: FetchLike;
  /** Clock, ms since epoch. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
  schedule?: ScheduleFn;
  /** Per-attempt timeout covering headers and body. Default 10 s. */
  timeoutMs?: number;
  /** Total attempts per request, first included. Default 4. */
  maxAttempts?: number;
  /** First backoff step. Default 250 ms; doubles per attempt, capped at `maxBackoffMs` (default 10 s). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A Retry-After longer than this is not slept on: the request fails `rate-limited` at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Share one breaker per venue across transports; by default each transport has its own. */
  breaker?: CircuitBreaker;
  breakerOptions?: Omit<CircuitBreakerOptions, 'now'>;
  headers?: Record<string, string>;
}

/** Retry-After as ms: delta-seconds or an HTTP date relative to `now`; `undefined` when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const RETRYABLE: ReadonlySet<VenueErrorKind> = new Set(['rate-limited', 'server', 'timeout']);

export interface TransportResponse<T> {
  value: T;
  attempts: number;
}

export class Transport {
  readonly breaker: CircuitBreaker;
  private readonly o: Required<Omit<TransportOptions, 'breaker' | 'breakerOptions' | 'headers'>> & { headers: Record<string, string> };

  constructor(opts: TransportOptions) {
    this.o = {
      venue: opts.venue,
      fetch: opts.fetch,
      now: opts.now,
      sleep: opts.sleep,
      random: opts.random,
      schedule: opts.schedule ?? defaultSchedule,
      timeoutMs: opts.timeoutMs ?? 10_000,
      maxAttempts: Math.max(1, opts.maxAttempts ?? 4),
      baseBackoffMs: opts.baseBackoffMs ?? 250,
      maxBackoffMs: opts.maxBackoffMs ?? 10_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
      headers: { Accept: 'application/json', ...(opts.headers ?? {}) },
    };
    this.breaker = opts.breaker ?? new CircuitBreaker({ ...(opts.breakerOptions ?? {}), now: opts.now });
  }

  /** Backoff before attempt `attempt + 1` (attempt counts from 1): capped exponential with ±50 % jitter. */
  backoffMs(attempt: number): number {
    const base = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** (attempt - 1));
    return Math.round(base * (0.5 + 0.5 * this.o.random()));
  }

  /**
   * GETs `url` and hands the completed response to `parse`, retrying transient failures. `parse` may throw a
   * `VenueError`; retryable kinds thrown by it (e.g. a venue's in-body rate-limit code) are retried too.
   */
  async get<T>(url: string, parse: (res: HttpResult) => T): Promise<TransportResponse<T>> {
    const { venue, maxAttempts } = this.o;
    let last: VenueError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const wait = this.breaker.acquire();
      if (wait !== undefined) {
        throw new VenueError('circuit-open', `${venue}: circuit open, next trial in ${wait} ms${last ? ` (last error: ${last.message})` : ''}`, {
          venue,
          url,
          retryAfterMs: wait,
          attempts: attempt - 1,
          cause: last,
        });
      }
      let err: VenueError;
      try {
        const res = await this.attempt(url);
        if (res.status === 429 || res.status === 418) {
          this.breaker.onNeutral();
          const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.o.now());
          err = new VenueError('rate-limited', `${venue}: HTTP ${res.status}`, { venue, url, status: res.status, retryAfterMs });
        } else if (res.status >= 500) {
          this.breaker.onFailure();
          err = new VenueError('server', `${venue}: HTTP ${res.status}`, { venue, url, status: res.status });
        } else {
          this.breaker.onSuccess();
          try {
            return { value: parse(res), attempts: attempt };
          } catch (e) {
            err = e instanceof VenueError ? e : new VenueError('malformed', `${venue}: ${String(e)}`, { venue, url, status: res.status, cause: e });
          }
        }
      } catch (e) {
        // attempt() throws only VenueError (timeout or network); both count against the breaker.
        this.breaker.onFailure();
        err = e as VenueError;
      }
      err.attempts = attempt;
      last = err;
      if (!RETRYABLE.has(err.kind) || attempt === maxAttempts) throw err;
      let delay: number;
      if (err.kind === 'rate-limited' && err.retryAfterMs !== undefined) {
        if (err.retryAfterMs > this.o.maxRetryAfterMs) throw err;
        delay = err.retryAfterMs;
      } else {
        delay = this.backoffMs(attempt);
      }
      await this.o.sleep(delay);
    }
    throw last!; // unreachable: the loop returns or throws
  }

  /** One HTTP exchange, headers and body, under the timeout. Throws VenueError('timeout' | 'server'). */
  private async attempt(url: string): Promise<HttpResult> {
    const { venue, timeoutMs } = this.o;
    const ctrl = new AbortController();
    let timedOut = false;
    let onTimeout: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      onTimeout = () => {
        timedOut = true;
        ctrl.abort();
        reject(new VenueError('timeout', `${venue}: no complete response within ${timeoutMs} ms`, { venue, url }));
      };
    });
    timeout.catch(() => undefined);
    const cancel = this.o.schedule(() => onTimeout!(), timeoutMs);
    const work = (async (): Promise<HttpResult> => {
      const res = await this.o.fetch(url, { method: 'GET', headers: this.o.headers, signal: ctrl.signal });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, url };
    })();
    try {
      return await Promise.race([work, timeout]);
    } catch (e) {
      if (e instanceof VenueError) throw e;
      if (timedOut) throw new VenueError('timeout', `${venue}: no complete response within ${timeoutMs} ms`, { venue, url, cause: e });
      throw new VenueError('server', `${venue}: network error: ${e instanceof Error ? e.message : String(e)}`, { venue, url, cause: e });
    } finally {
      cancel();
      work.catch(() => undefined);
    }
  }
}
