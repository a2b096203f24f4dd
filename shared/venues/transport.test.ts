/**
 * Transport behaviour under an injected clock, sleep, random source and timer: timeout, 429 + Retry-After
 * (seconds and HTTP date), 5xx backoff then success, attempt bound, non-retryable failures, and the circuit
 * breaker's closed → open → half-open → closed cycle.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, parseRetryAfter, Transport, type HttpResult, type ScheduleFn, type TransportOptions } from './transport';
import { VenueError, type FetchLike, type VenueErrorKind } from './types';

type Step = { status: number; body?: string; headers?: Record<string, string> } | 'hang' | 'network-error';

/** A deterministic harness: manual clock, instant sleep that advances it, manual timers, scripted fetch. */
function harness(steps: Step[], extra: Partial<TransportOptions> = {}) {
  let now = Date.UTC(2024, 0, 1, 0, 0, 0);
  const sleeps: number[] = [];
  const timers = new Set<() => void>();
  const calls: string[] = [];
  const aborted: boolean[] = [];
  const schedule: ScheduleFn = (fn) => {
    timers.add(fn);
    return () => timers.delete(fn);
  };
  const fetch: FetchLike = (url, init) => {
    calls.push(url);
    const step = steps.shift() ?? { status: 200, body: '"ok"' };
    const i = aborted.push(false) - 1;
    init.signal.addEventListener('abort', () => (aborted[i] = true));
    if (step === 'hang') return new Promise<Response>(() => undefined); // ignores the signal on purpose
    if (step === 'network-error') return Promise.reject(new TypeError('fetch failed'));
    return Promise.resolve(new Response(step.body ?? '"ok"', { status: step.status, headers: step.headers ?? {} }));
  };
  const t = new Transport({
    venue: 'test',
    fetch,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    schedule,
    timeoutMs: 1000,
    maxAttempts: 4,
    baseBackoffMs: 200,
    ...extra,
  });
  return {
    t,
    sleeps,
    calls,
    aborted,
    advance: (ms: number) => (now += ms),
    now: () => now,
    fireTimers: () => {
      const fns = [...timers];
      timers.clear();
      fns.forEach((f) => f());
    },
  };
}

const asText = (r: HttpResult): string => JSON.parse(r.text) as string;

async function kindOf(p: Promise<unknown>): Promise<VenueErrorKind | 'resolved'> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    if (e instanceof VenueError) return e.kind;
    throw e;
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 0, 1, 0, 0, 0);
  it('reads delta-seconds and HTTP dates against the injected clock', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(parseRetryAfter(new Date(now - 7000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('Transport', () => {
  it('times out a hanging request (even one that ignores the AbortSignal) and aborts it', async () => {
    const h = harness(['hang'], { maxAttempts: 1 });
    const p = kindOf(h.t.get('u', asText));
    await tick();
    h.fireTimers();
    expect(await p).toBe('timeout');
    expect(h.aborted).toEqual([true]);
  });

  it('retries after a timeout and succeeds', async () => {
    const h = harness(['hang', { status: 200, body: '"fine"' }]);
    const p = h.t.get('u', asText);
    await tick();
    h.fireTimers();
    expect(await p).toEqual({ value: 'fine', attempts: 2 });
    expect(h.sleeps).toEqual([150]); // 200 * (0.5 + 0.5 * 0.5)
  });

  it('honours Retry-After in seconds on 429', async () => {
    const h = harness([{ status: 429, headers: { 'Retry-After': '3' } }, { status: 200, body: '"x"' }]);
    expect(await h.t.get('u', asText)).toEqual({ value: 'x', attempts: 2 });
    expect(h.sleeps).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date on 429 (and 418, Binance ban)', async () => {
    const h = harness([]);
    const at = new Date(h.now() + 5000).toUTCString();
    const h2 = harness([{ status: 429, headers: { 'Retry-After': at } }, { status: 418, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    expect((await h2.t.get('u', asText)).attempts).toBe(3);
    expect(h2.sleeps).toEqual([5000, 1000]);
  });

  it('backs off exponentially with jitter on 429 without Retry-After', async () => {
    const h = harness([{ status: 429 }, { status: 429 }, { status: 200 }]);
    await h.t.get('u', asText);
    expect(h.sleeps).toEqual([150, 300]);
  });

  it('fails rate-limited at once when Retry-After exceeds the cap', async () => {
    const h = harness([{ status: 429, headers: { 'Retry-After': '600' } }], { maxRetryAfterMs: 60_000 });
    const err = await h.t.get('u', asText).catch((e: VenueError) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).kind).toBe('rate-limited');
    expect((err as VenueError).retryAfterMs).toBe(600_000);
    expect(h.sleeps).toEqual([]);
  });

  it('retries 5xx with exponential backoff + jitter, then succeeds', async () => {
    const rnd = [0, 1 - 1e-9];
    const h = harness([{ status: 500 }, { status: 503 }, { status: 200, body: '"up"' }], { random: () => rnd.shift() ?? 0.5 });
    expect(await h.t.get('u', asText)).toEqual({ value: 'up', attempts: 3 });
    expect(h.sleeps).toEqual([100, 400]); // 200*2^0*(0.5+0)  and  200*2^1*(0.5+0.5*~1)
    expect(h.calls).toHaveLength(3);
  });

  it('caps backoff at maxBackoffMs', () => {
    const h = harness([], { baseBackoffMs: 1000, maxBackoffMs: 3000, random: () => 0.999999 });
    expect(h.t.backoffMs(10)).toBe(3000);
  });

  it('stops after maxAttempts with the last error kind and the attempt count', async () => {
    const h = harness([{ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 }, { status: 200 }]);
    const err = (await h.t.get('u', asText).catch((e: unknown) => e)) as VenueError;
    expect(err.kind).toBe('server');
    expect(err.status).toBe(504);
    expect(err.attempts).toBe(4);
    expect(h.calls).toHaveLength(4);
  });

  it('retries network errors as server errors', async () => {
    const h = harness(['network-error', { status: 200 }]);
    expect((await h.t.get('u', asText)).attempts).toBe(2);
  });

  it('does not retry malformed bodies or venue errors thrown by the parser', async () => {
    const h = harness([{ status: 200, body: '{"a":' }]);
    expect(await kindOf(h.t.get('u', asText))).toBe('malformed');
    const h2 = harness([{ status: 200 }]);
    const venueErr = () => {
      throw new VenueError('venue-error', 'nope');
    };
    expect(await kindOf(h2.t.get('u', venueErr))).toBe('venue-error');
    expect(h.calls.length + h2.calls.length).toBe(2);
  });

  it('retries a rate-limit the venue reports inside a 200 body', async () => {
    const h = harness([{ status: 200, body: '"limited"' }, { status: 200, body: '"ok"' }]);
    const parse = (r: HttpResult) => {
      if (asText(r) === 'limited') throw new VenueError('rate-limited', 'in-body');
      return asText(r);
    };
    expect(await h.t.get('u', parse)).toEqual({ value: 'ok', attempts: 2 });
  });
});

describe('CircuitBreaker in the transport', () => {
  it('opens after N consecutive failures, rejects without calling fetch, half-opens after the cool-down, closes on success', async () => {
    const h = harness([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200, body: '"back"' }], {
      maxAttempts: 1,
      breakerOptions: { failureThreshold: 3, cooldownMs: 10_000 },
    });
    for (let i = 0; i < 3; i++) expect(await kindOf(h.t.get('u', asText))).toBe('server');
    expect(h.t.breaker.state).toBe('open');
    const open = (await h.t.get('u', asText).catch((e: unknown) => e)) as VenueError;
    expect(open.kind).toBe('circuit-open');
    expect(open.retryAfterMs).toBe(10_000);
    expect(h.calls).toHaveLength(3);
    h.advance(9_999);
    expect(h.t.breaker.state).toBe('open');
    h.advance(1);
    expect(h.t.breaker.state).toBe('half-open');
    expect(await h.t.get('u', asText)).toEqual({ value: 'back', attempts: 1 });
    expect(h.t.breaker.state).toBe('closed');
    expect(h.t.breaker.consecutiveFailures).toBe(0);
  });

  it('a failed half-open trial re-opens for a fresh cool-down; only one trial at a time', async () => {
    const h = harness([{ status: 500 }, { status: 500 }, 'hang', { status: 200 }], {
      maxAttempts: 1,
      breakerOptions: { failureThreshold: 1, cooldownMs: 5_000 },
    });
    expect(await kindOf(h.t.get('u', asText))).toBe('server');
    h.advance(5_000);
    expect(await kindOf(h.t.get('u', asText))).toBe('server'); // trial failed
    expect(h.t.breaker.state).toBe('open');
    h.advance(4_999);
    expect(await kindOf(h.t.get('u', asText))).toBe('circuit-open');
    h.advance(1);
    const trial = kindOf(h.t.get('u', asText)); // hangs until timed out
    await tick();
    expect(await kindOf(h.t.get('u', asText))).toBe('circuit-open'); // concurrent request refused
    h.fireTimers();
    expect(await trial).toBe('timeout');
    expect(h.t.breaker.state).toBe('open');
    h.advance(5_000);
    expect(await kindOf(h.t.get('u', asText))).toBe('resolved');
    expect(h.t.breaker.state).toBe('closed');
  });

  it('429 neither opens nor closes the circuit; success resets the failure count', async () => {
    const h = harness([{ status: 500 }, { status: 429 }, { status: 500 }, { status: 200 }, { status: 500 }], {
      maxAttempts: 1,
      breakerOptions: { failureThreshold: 3 },
    });
    for (let i = 0; i < 5; i++) await kindOf(h.t.get('u', asText));
    expect(h.t.breaker.consecutiveFailures).toBe(1);
    expect(h.t.breaker.state).toBe('closed');
  });

  it('can be shared by several transports of one venue', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000, now: () => now });
    const a = harness([{ status: 500 }], { maxAttempts: 1, breaker });
    const b = harness([{ status: 500 }, { status: 200 }], { maxAttempts: 1, breaker });
    await kindOf(a.t.get('u', asText));
    await kindOf(b.t.get('u', asText));
    expect(await kindOf(a.t.get('u', asText))).toBe('circuit-open');
    now += 1000;
    expect(await kindOf(b.t.get('u', asText))).toBe('resolved');
    expect(breaker.state).toBe('closed');
  });
});
