/**
 * A per-isolate cache of loaded research windows (`loadWindow`), so the chunks of one sweep that land in the same
 * isolate load the window's candles from the database once instead of once per chunk.
 *
 * Keyed by the immutable request (venue, symbol, timeframe, from, to, warm-up) AND guarded by the data: an entry
 * records the stored timeframe it was read from and the database's content hash of that stored slice
 * (`tableHash`: md5 over every row's values, source and ingested_at, in open-time order), both taken in the SAME
 * repeatable-read snapshot as the candles themselves. A hit re-reads the source choice and the content hash (one
 * snapshot again) and is served only when both are unchanged — equal hashes mean the stored rows are the ones the
 * cached candles were built from (a rewritten row gets a new ingested_at, an added or removed one changes the
 * string), so a changed table is never served from the cache; it is reloaded. The hash covers the stored rows the
 * load could read: from the first warm-up candle (from 0 when the warm-up came up short, since an older row would
 * then join it) to the window's end rounded up to a whole candle of the timeframe.
 *
 * Bounded by candles held (`MAX_CACHED_CANDLES`, least recently used out first); the cached candle array is frozen
 * (shared between chunks, never mutated). No Node or Workers-only APIs.
 */
import type { SeriesKey } from '../candles/candle';
import { TIMEFRAME_MS, type Timeframe } from '../candles/timeframe';
import { seriesSource, tableHash } from '../db/queries/candles';
import type { Database } from '../db/database';
import { loadWindow, type LoadedWindow } from './window';

/** Candles the cache may hold over all entries (≈ 80 bytes each: ~50 MB, inside a Worker's 128 MB with a load in flight). */
export const MAX_CACHED_CANDLES = 600_000;

interface Entry {
  window: LoadedWindow;
  /** The stored timeframe the candles were read from. */
  source: Timeframe;
  /** The stored slice the fingerprint covers: [lo, hi) of `source`. */
  lo: number;
  hi: number;
  fingerprint: string;
}

export interface WindowCache {
  entries: Map<string, Entry>;
  maxCandles: number;
  hits: number;
  misses: number;
}

export function createWindowCache(maxCandles = MAX_CACHED_CANDLES): WindowCache {
  return { entries: new Map(), maxCandles, hits: 0, misses: 0 };
}

/** The isolate's cache (module state: one per Worker isolate, one per Node process). */
export const isolateWindowCache = createWindowCache();

/** The stored slice a load of `win` read, which its fingerprint must cover (see the module header). */
export function fingerprintRange(win: LoadedWindow, warmupAsked: number): { lo: number; hi: number } {
  const T = TIMEFRAME_MS[win.key.timeframe];
  const hi = Math.ceil(win.to / T) * T;
  if (win.warmup < warmupAsked) return { lo: 0, hi };
  const first = win.candles[0]?.openTime ?? win.from;
  return { lo: Math.min(first, Math.floor(win.from / T) * T), hi };
}

type ReadTx = Parameters<Parameters<Database['transaction']>[0]>[0];
/** One consistent snapshot for the reads of `fn` (a load and its fingerprint, or a hit's two checks). */
function inSnapshot<T>(db: Database, fn: (tx: ReadTx) => Promise<T>): Promise<T> {
  return db.transaction(fn, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/**
 * `loadWindow` through `cache`: the cached window when the stored data is provably unchanged (same source
 * timeframe, same content hash), else a fresh load (cached when it holds candles and fits). `hit` says which.
 */
export async function loadWindowCached(
  db: Database,
  key: SeriesKey,
  from: number,
  to: number,
  warmup: number,
  cache: WindowCache = isolateWindowCache,
): Promise<{ window: LoadedWindow; hit: boolean }> {
  const id = JSON.stringify([key.venue, key.symbol, key.timeframe, from, to, warmup]);
  const entry = cache.entries.get(id);
  if (entry) {
    const same = await inSnapshot(db, async (tx) => {
      const source = (await seriesSource(tx, key, from, to)) ?? key.timeframe;
      return source === entry.source && (await tableHash(tx, { ...key, timeframe: source }, entry.lo, entry.hi)) === entry.fingerprint;
    });
    if (same) {
      cache.hits++;
      cache.entries.delete(id);
      cache.entries.set(id, entry); // most recently used last
      return { window: entry.window, hit: true };
    }
    cache.entries.delete(id);
  }
  cache.misses++;
  const loaded = await inSnapshot(db, async (tx) => {
    const window = await loadWindow(tx, key, from, to, warmup);
    const source = window.derivedFrom ?? key.timeframe;
    const { lo, hi } = fingerprintRange(window, warmup);
    return { window, source, lo, hi, fingerprint: await tableHash(tx, { ...key, timeframe: source }, lo, hi) };
  });
  const size = loaded.window.candles.length;
  if (size > 0 && size <= cache.maxCandles) {
    Object.freeze(loaded.window.candles);
    cache.entries.set(id, loaded);
    let held = 0;
    for (const e of cache.entries.values()) held += e.window.candles.length;
    for (const [k, e] of cache.entries) {
      if (held <= cache.maxCandles) break;
      cache.entries.delete(k);
      held -= e.window.candles.length;
    }
  }
  return { window: loaded.window, hit: false };
}
