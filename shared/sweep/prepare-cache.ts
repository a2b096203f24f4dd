/**
 * Shared work inside a sweep chunk: a strategy's `prepare` (its indicator arrays) cached by the candles it was
 * given and by the parameters it actually read. A grid over fast × slow × stopAtr prepares once per (fast, slow) —
 * stopAtr is only read by `evaluate` — so every indicator input (kind + period + source) a combo needs is computed
 * once per chunk and shared by every combo that needs the same one.
 *
 * Which parameters `prepare` depends on is observed, not declared: the first call for a new dependency set runs
 * with the params behind a recording Proxy. `prepare` is pure and deterministic (the Strategy contract), so two
 * calls on the same candles whose params agree on every key the first call read follow the same path and return
 * the same arrays; a later call is a hit when it agrees with a recorded call on that call's keys. A `prepare` that
 * enumerates its params, or returns an object that holds the params themselves, is never cached (always re-run).
 * Cached arrays are shared between combos, so they must never be written after `prepare` returns (nothing does:
 * `evaluate` only reads). The cache holds at most `maxBytes` of typed arrays (default 32 MiB, a quarter of a
 * Worker's 128 MB), evicting the oldest entries first; run combos that share inputs next to each other
 * (`fastSweepOrder`) and it rarely needs more than one entry per dependency set.
 */
import type { CandleSeries } from '../candles/candle';
import type { Params, Strategy } from '../strategies/types';

/** Ids for the ArrayBuffers behind a series' columns (identity, not content: a chunk's series is never mutated). */
class BufferIds {
  private readonly ids = new WeakMap<ArrayBufferLike, number>();
  private next = 1;
  of(a: Float64Array): string {
    let id = this.ids.get(a.buffer);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(a.buffer, id);
    }
    return `${id}@${a.byteOffset}`;
  }
}

function valueKey(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Whether `prepared` (one level deep) holds `ref`. */
function holds(prepared: unknown, ref: object): boolean {
  if (prepared === ref) return true;
  if (prepared === null || typeof prepared !== 'object') return false;
  for (const v of Object.values(prepared as Record<string, unknown>)) if (v === ref) return true;
  return false;
}

/** Bytes of the typed arrays a prepared object holds (one level deep). */
function typedBytes(prepared: unknown): number {
  if (prepared === null || typeof prepared !== 'object') return 0;
  let n = 0;
  for (const v of Object.values(prepared as Record<string, unknown>)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  return n;
}

export interface PrepareCacheStats {
  calls: number;
  hits: number;
  /** Calls that could not be cached (params enumerated, or kept in the result). */
  uncacheable: number;
}

/** A memoising `prepare` for one strategy, scoped to one chunk (drop it with the chunk). */
export class PrepareCache<P extends Params, S> {
  readonly stats: PrepareCacheStats = { calls: 0, hits: 0, uncacheable: 0 };
  private readonly buffers = new BufferIds();
  /** Dependency key sets seen so far (each sorted), in discovery order. */
  private readonly keySets: string[][] = [];
  private readonly entries = new Map<string, { prepared: S; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly strategy: Strategy<P, S>,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  private store(key: string, prepared: S): void {
    const bytes = typedBytes(prepared);
    while (this.entries.size > 0 && this.bytes + bytes > this.maxBytes) {
      const [oldest, e] = this.entries.entries().next().value as [string, { bytes: number }];
      this.entries.delete(oldest);
      this.bytes -= e.bytes;
    }
    this.entries.set(key, { prepared, bytes });
    this.bytes += bytes;
  }

  private seriesKey(s: CandleSeries): string {
    const b = this.buffers;
    return `${s.timeframe}|${s.symbol}|${s.length}|${b.of(s.openTime)}|${b.of(s.open)}|${b.of(s.high)}|${b.of(s.low)}|${b.of(s.close)}|${b.of(s.volume)}`;
  }

  prepare(series: CandleSeries, params: P): S {
    this.stats.calls++;
    const sk = this.seriesKey(series);
    const record = params as Record<string, unknown>;
    for (const keys of this.keySets) {
      let k = sk;
      for (const name of keys) k += `|${name}=${valueKey(record[name])}`;
      const hit = this.entries.get(k);
      if (hit !== undefined) {
        this.stats.hits++;
        return hit.prepared;
      }
    }
    const read = new Set<string>();
    let enumerated = false;
    const proxy = new Proxy(record, {
      get(target, key, receiver) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
      has(target, key) {
        if (typeof key === 'string') read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        enumerated = true;
        return Reflect.ownKeys(target);
      },
    }) as P;
    const prepared = this.strategy.prepare(series, proxy);
    if (enumerated || holds(prepared, proxy)) {
      this.stats.uncacheable++;
      // Never hand out a result that reads through the proxy of another call: re-run on the real params.
      return holds(prepared, proxy) ? this.strategy.prepare(series, params) : prepared;
    }
    const keys = [...read].sort();
    const sig = keys.join(',');
    if (!this.keySets.some((ks) => ks.join(',') === sig)) this.keySets.push(keys);
    let k = sk;
    for (const name of keys) k += `|${name}=${valueKey(record[name])}`;
    this.store(k, prepared);
    return prepared;
  }

  /** The strategy with this cache as its `prepare` (same id, version and rules; runs identically). */
  strategyView(): Strategy<P, S> {
    return { ...this.strategy, prepare: (series, params) => this.prepare(series, params) };
  }
}
