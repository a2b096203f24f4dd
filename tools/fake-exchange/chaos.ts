/**
 * Seeded random faults for the fake exchange (the fault soak's venue weather). Off unless asked for: with
 * `ChaosOptions` set (at start or by `POST /__chaos`), each candle request of a listed venue draws from its own
 * mulberry32 stream (seed + venue), so the faults a venue sees do not depend on how the venues' concurrent
 * requests interleave: the same seed gives every venue the same fault sequence on every run. A draw below `rate`
 * picks one of `kinds` uniformly; otherwise the request is answered normally. Queued faults (`/__faults`) and
 * `?__fault=` still win over chaos.
 */
import { mulberry32, type Prng } from '../../shared/backtest/prng';
import type { FakeVenue } from './wire';

export interface ChaosOptions {
  seed: number;
  /** Probability (0..1) that a candle request gets a fault. */
  rate: number;
  /** Fault kinds drawn from (uniformly). */
  kinds: readonly string[];
  /** Venues affected; default every venue. */
  venues?: readonly FakeVenue[];
  /** rate-limit faults: the Retry-After header (delta seconds). Default "1". */
  retryAfter?: string;
}

export interface ChaosDraw {
  kind: string;
  retryAfter?: string;
}

/** A per-venue seeded fault source. */
export class Chaos {
  private readonly streams = new Map<string, Prng>();
  /** Faults drawn so far, by kind (what the soak reports as injected). */
  readonly drawn: Record<string, number> = {};

  constructor(readonly options: ChaosOptions) {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new Error(`chaos rate must be in [0, 1], got ${options.rate}`);
    if (options.kinds.length === 0) throw new Error('chaos needs at least one fault kind');
  }

  private stream(venue: string): Prng {
    let s = this.streams.get(venue);
    if (!s) {
      let h = this.options.seed >>> 0;
      for (const ch of venue) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
      this.streams.set(venue, (s = mulberry32(h)));
    }
    return s;
  }

  /** The fault for this request of `venue`, or undefined (answer normally). */
  draw(venue: FakeVenue): ChaosDraw | undefined {
    if (this.options.venues && !this.options.venues.includes(venue)) return undefined;
    const r = this.stream(venue);
    if (r.next() >= this.options.rate) return undefined;
    const kind = this.options.kinds[r.int(0, this.options.kinds.length)]!;
    this.drawn[kind] = (this.drawn[kind] ?? 0) + 1;
    return kind === 'rate-limit' ? { kind, retryAfter: this.options.retryAfter ?? '1' } : { kind };
  }
}

/** Validates a `/__chaos` body; returns the options or the reason it is refused. */
export function parseChaos(body: unknown, kinds: readonly string[], venues: readonly string[]): ChaosOptions | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.seed !== 'number' || !Number.isInteger(b.seed)) return 'seed must be an integer';
  if (typeof b.rate !== 'number' || !(b.rate >= 0 && b.rate <= 1)) return 'rate must be a number in [0, 1]';
  if (!Array.isArray(b.kinds) || b.kinds.length === 0 || !b.kinds.every((k) => kinds.includes(k as string))) return `kinds must be a non-empty list of ${kinds.join('|')}`;
  if (b.venues !== undefined && (!Array.isArray(b.venues) || !b.venues.every((v) => venues.includes(v as string)))) return `venues must be a list of ${venues.join('|')}`;
  if (b.retryAfter !== undefined && typeof b.retryAfter !== 'string') return 'retryAfter must be a string (delta seconds)';
  return {
    seed: b.seed,
    rate: b.rate,
    kinds: b.kinds as string[],
    ...(b.venues !== undefined ? { venues: b.venues as FakeVenue[] } : {}),
    ...(b.retryAfter !== undefined ? { retryAfter: b.retryAfter as string } : {}),
  };
}
