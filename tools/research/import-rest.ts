/**
 * `npm run research -- import-rest --venue kraken --symbol BTC/USDT --timeframe 1h --from D --to D`: pages one
 * venue's REST candle history into the database so each venue can be judged on its own prices.
 *
 * - Same path as the cron: the venue adapter (`shared/venues`, timeouts, Retry-After, backoff, breaker) fetches
 *   closed candles, `validateCandles` checks them, `upsertCandles` stores them under `rest:<venue>` and every
 *   rejected row goes to `data_issues` with its reason (`recordDataIssues`).
 * - Resumable: the window is fetched in chunks of a few pages, each chunk committed before the next is asked for;
 *   a restart begins after the newest candle already stored inside the window (when what is stored begins in the
 *   window's first chunk, i.e. an earlier run of the same import; otherwise from the start, re-upserting harmlessly).
 * - Idempotent: re-running the same window writes nothing (the upsert only touches changed rows).
 * - Each venue's real limits (`REST_HISTORY`): Binance 1000 per request, Coinbase 300, OKX history-candles 100,
 *   Bybit 1000, Kraken 720 — and Kraken's OHLC endpoint only ever returns the most recent 720 candles of an
 *   interval, so a window reaching further back is refused (or clipped with `--clip`) with the oldest reachable
 *   open time in the message; older Kraken history exists only in Kraken's downloadable OHLCVT files. Requests
 *   are spaced under each venue's public rate limit (`minIntervalMs`); a 429 is still retried with its Retry-After.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { SeriesKey } from '../../shared/candles/candle';
import type { DataIssue } from '../../shared/candles/issue';
import { floorToGrid, isTimeframe, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../../shared/candles/timeframe';
import { validateCandles } from '../../shared/candles/validate';
import { rowsOf, type Database } from '../../shared/db/database';
import { upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';
import { createVenue, isVenueId, venueSpec, VENUE_IDS, type FetchLike, type VenueId } from '../../shared/venues';

/** What each venue's REST candle endpoint can give, per request and in total. */
export interface RestHistoryLimits {
  endpoint: string;
  /** Candles per request (the adapter's page). */
  perRequest: number;
  /** Most recent candles the venue keeps for REST at all (the forming one included); absent = full history. */
  recentOnly?: number;
  /** Client-side spacing between requests, ms, under the venue's public rate limit (429s are still retried). */
  minIntervalMs: number;
  note: string;
}

export const REST_HISTORY: Readonly<Record<VenueId, RestHistoryLimits>> = {
  binance: { endpoint: 'GET /api/v3/klines', perRequest: venueSpec('binance').maxPageSize, minIntervalMs: 100, note: 'forward by startTime, full history' },
  kraken: {
    endpoint: 'GET /0/public/OHLC',
    perRequest: venueSpec('kraken').maxPageSize,
    recentOnly: 720,
    minIntervalMs: 1000,
    note: 'only the most recent 720 candles per interval; older history is only in Kraken’s downloadable OHLCVT files',
  },
  coinbase: { endpoint: 'GET /products/{id}/candles', perRequest: venueSpec('coinbase').maxPageSize, minIntervalMs: 150, note: '300-slot windows (a wider start..end is rejected); no 4h granularity' },
  okx: { endpoint: 'GET /api/v5/market/history-candles', perRequest: venueSpec('okx', 'history-candles').maxPageSize, minIntervalMs: 120, note: 'newest-first windows via after/before, full history' },
  bybit: { endpoint: 'GET /v5/market/kline', perRequest: venueSpec('bybit').maxPageSize, minIntervalMs: 100, note: 'end-anchored windows, full history' },
};

/**
 * `fetch` spaced at least `minIntervalMs` apart (start to start) on the given clock: a long history import stays
 * under the venue's public rate limit instead of leaning on 429 retries.
 */
export function pacedFetch(inner: FetchLike, minIntervalMs: number, clock: () => number, sleep: (ms: number) => Promise<void>): FetchLike {
  let last = -Infinity;
  return async (url, init) => {
    const wait = last + minIntervalMs - clock();
    if (wait > 0) await sleep(wait);
    last = clock();
    return inner(url, init);
  };
}

/** A request the venue cannot serve, or bad arguments: the message says why and what would work. */
export class ImportRestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRestError';
  }
}

const dateArg = z.union([z.number().int(), z.string().min(4)]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return t;
});

export const ImportRestArgs = z
  .object({
    venue: z.string().refine(isVenueId, { message: `must be one of ${VENUE_IDS.join(', ')}` }),
    symbol: z.string().min(3),
    timeframe: z.string().refine(isTimeframe, { message: `must be one of ${TIMEFRAMES.join(', ')}` }),
    from: dateArg,
    to: dateArg,
    /** Kraken: start at the oldest reachable candle instead of refusing a window that reaches further back. */
    clip: z.boolean().default(false),
    /** Venue base URL (default: the public host; the fake exchange's `/<venue>` in tests and dev). */
    baseUrl: z.string().url().optional(),
    /** The instant closedness is judged at (default: the wall clock); for replays against the fake exchange. */
    now: dateArg.optional(),
    /** Pages per committed chunk (default 10). */
    chunkPages: z.number().int().positive().default(10),
  })
  .refine((a) => a.from < a.to, { message: '--from must be before --to', path: ['from'] });
export type ImportRestInput = z.input<typeof ImportRestArgs>;

export interface ImportRestDeps {
  db: Database;
  fetch?: FetchLike;
  /** Wall clock for the transport (Retry-After, breaker) and the default `now`. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** `done/total` grid slots of the window, after each committed chunk. */
  progress?: (done: number, total: number, label: string) => void;
}

export interface ImportRestReport {
  key: SeriesKey;
  source: string;
  /** Window actually imported: first slot, exclusive end (both on the grid, end ≤ the last closed candle). */
  from: number;
  to: number;
  /** Set when the window was clipped to the venue's reachable history. */
  clippedFrom: number | null;
  /** Resumed after this stored open time (null: started at `from`). */
  resumedAfter: number | null;
  chunks: number;
  requests: number;
  pages: number;
  fetched: number;
  written: number;
  issues: number;
  /** Candles of the series inside the window after the import. */
  stored: number;
  /** Grid slots inside the window with no stored candle after the import (venue gaps or quarantined rows). */
  missing: number;
}

async function storedIn(db: Database, key: SeriesKey, from: number, to: number): Promise<{ n: number; first: number | null; last: number | null }> {
  const r = rowsOf<{ n: number; first: string | number | null; last: string | number | null }>(
    await db.execute(sql`
      SELECT count(*)::int AS n, min(open_time) AS first, max(open_time) AS last FROM candles
      WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
        AND open_time >= ${from} AND open_time < ${to}`),
  )[0]!;
  return { n: Number(r.n), first: r.first === null ? null : Number(r.first), last: r.last === null ? null : Number(r.last) };
}

const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

/** Plans, checks and runs one import (rules in the module doc). */
export async function importRest(input: ImportRestInput, deps: ImportRestDeps): Promise<ImportRestReport> {
  const parsed = ImportRestArgs.safeParse(input);
  if (!parsed.success) throw new ImportRestError(`import-rest: ${parsed.error.issues.map((i) => `--${i.path.join('.') || 'args'} ${i.message}`).join('; ')}`);
  const a = parsed.data;
  const venueId = a.venue as VenueId;
  const tf = a.timeframe as Timeframe;
  const spec = venueSpec(venueId, 'history-candles');
  const limits = REST_HISTORY[venueId];
  if (spec.symbols[a.symbol] === undefined) throw new ImportRestError(`import-rest: ${venueId} has no symbol ${a.symbol} (known: ${Object.keys(spec.symbols).join(', ')})`);
  if (spec.timeframes[tf] === undefined) {
    const served = TIMEFRAMES.filter((t) => spec.timeframes[t] !== undefined);
    throw new ImportRestError(`import-rest: ${venueId} serves no ${tf} candles over REST (${limits.note}; timeframes: ${served.join(', ')})`);
  }
  const clock = deps.clock ?? (() => Date.now());
  const now = a.now ?? clock();
  const tfMs = TIMEFRAME_MS[tf];
  const forming = floorToGrid(now, tf);
  let from = Math.ceil(a.from / tfMs) * tfMs;
  const to = Math.min(Math.ceil(a.to / tfMs) * tfMs, forming);
  let clippedFrom: number | null = null;
  if (limits.recentOnly !== undefined) {
    // The venue's last `recentOnly` rows include the forming candle.
    const oldest = forming - (limits.recentOnly - 1) * tfMs;
    if (from < oldest) {
      if (!a.clip) {
        throw new ImportRestError(
          `import-rest: ${venueId} ${limits.endpoint} returns only the most recent ${limits.recentOnly} ${tf} candles: at ${iso(now)} the oldest is ${iso(oldest)}, ` +
            `and --from ${iso(a.from)} is older. Use --from ${iso(oldest)} or later, or --clip to import from there (${limits.note}).`,
        );
      }
      clippedFrom = oldest;
      from = oldest;
    }
  }
  if (from >= to) throw new ImportRestError(`import-rest: no closed ${tf} candle in [${iso(from)}, ${iso(a.to)}) at ${iso(now)}`);

  const key: SeriesKey = { venue: venueId, symbol: a.symbol, timeframe: tf };
  const source = `rest:${venueId}`;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const venue = createVenue(venueId, {
    ...(a.baseUrl !== undefined && { baseUrl: a.baseUrl }),
    fetch: pacedFetch(deps.fetch ?? ((url, init) => fetch(url, init)), limits.minIntervalMs, clock, sleep),
    clock,
    sleep,
    random: deps.random ?? Math.random,
    okxEndpoint: 'history-candles',
    timeoutMs: 15_000,
    maxAttempts: 5,
  });

  const totalSlots = (to - from) / tfMs;
  const chunkMs = limits.perRequest * a.chunkPages * tfMs;
  // Resume only when what is stored starts within the first chunk of the window (an earlier run of this import);
  // rows stored elsewhere in the window (another import) do not stop the start from being fetched.
  const before = await storedIn(deps.db, key, from, to);
  const resumedAfter = before.first !== null && before.first < from + chunkMs ? before.last : null;
  let cursor = resumedAfter === null ? from : resumedAfter + tfMs;
  const report: ImportRestReport = { key, source, from, to, clippedFrom, resumedAfter, chunks: 0, requests: 0, pages: 0, fetched: 0, written: 0, issues: 0, stored: 0, missing: 0 };
  deps.progress?.((cursor - from) / tfMs, totalSlots, resumedAfter === null ? 'starting' : `resuming after ${iso(resumedAfter)}`);
  while (cursor < to) {
    const until = Math.min(to, cursor + chunkMs);
    const res = await venue.fetchClosedCandles({ symbol: a.symbol, timeframe: tf, since: cursor, until, now });
    const checked = validateCandles(res.candles, { timeframe: tf, now });
    const issues: DataIssue[] = [...res.rejected.map((r) => ({ openTime: null, reason: 'parse' as const, detail: r.reason, raw: r.raw })), ...checked.issues];
    const up = await upsertCandles(deps.db, key, checked.valid, source);
    if (issues.length) await recordDataIssues(deps.db, key, source, issues);
    report.chunks++;
    report.requests += res.requests;
    report.pages += res.pages;
    report.fetched += res.candles.length;
    report.written += up.written;
    report.issues += issues.length;
    cursor = until;
    deps.progress?.((cursor - from) / tfMs, totalSlots, `${iso(cursor)} · ${report.fetched} fetched, ${report.written} written, ${report.issues} quarantined`);
  }
  const after = await storedIn(deps.db, key, from, to);
  report.stored = after.n;
  report.missing = totalSlots - after.n;
  return report;
}

/** The CLI's parsed options (`node:util` parseArgs values) → the import's input; a missing one names itself. */
export function importRestInput(o: Readonly<Record<string, string | boolean | undefined>>): ImportRestInput {
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const need = (k: string): string => {
    const v = str(k);
    if (v === undefined || v === '') throw new ImportRestError(`import-rest: --${k} is required`);
    return v;
  };
  return {
    venue: need('venue'),
    symbol: need('symbol'),
    timeframe: need('timeframe'),
    from: need('from'),
    to: need('to'),
    clip: o.clip === true,
    ...(str('base-url') !== undefined && { baseUrl: str('base-url')! }),
    ...(str('now') !== undefined && { now: str('now')! }),
  };
}

/** The CLI's one-line summary of a finished import. */
export function describeImport(r: ImportRestReport): string {
  const k = `${r.key.venue}:${r.key.symbol}:${r.key.timeframe}`;
  const parts = [
    `${k} [${iso(r.from)}, ${iso(r.to)})`,
    r.clippedFrom !== null ? `clipped to the venue's reachable history from ${iso(r.clippedFrom)}` : null,
    r.resumedAfter !== null ? `resumed after ${iso(r.resumedAfter)}` : null,
    `${r.requests} requests, ${r.pages} pages, ${r.fetched} candles fetched, ${r.written} written, ${r.issues} quarantined (data_issues)`,
    `${r.stored} stored in the window, ${r.missing} slots missing`,
  ];
  return parts.filter((p) => p !== null).join('; ');
}
