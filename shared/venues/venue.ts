/**
 * The generic adapter: turns a per-venue `VenueSpec` (symbol and timeframe tables, URL builder, body parser,
 * paging style) into a `Venue`. It validates the request, plans the pages, fetches them through the transport,
 * and collects closed, in-range, de-duplicated candles in ascending order.
 *
 * Paging styles:
 * - `forward`: ask for rows from a cursor; the venue answers oldest-first up to its page size; advance the
 *   cursor past the newest row seen. Stops when a page is short, makes no progress, or passes the end.
 * - `window`: ask for exactly one page-worth of grid slots `[cursor, cursor + (page - 1) * tf]`; the answer fits
 *   whichever end the venue anchors to, and data gaps cannot stall it. Required by Coinbase (rejects > 300
 *   slots), used for OKX and Bybit (newest-first venues).
 */
import { floorToGrid, TIMEFRAME_MS, type Timeframe } from '../candles/timeframe';
import { CandleCollector, type ParsedPage } from './rows';
import type { HttpResult, Transport } from './transport';
import { VenueError, type FetchClosedCandlesRequest, type FetchClosedCandlesResult, type Venue, type VenueId } from './types';

export interface PageRange {
  /** Open time of the first slot wanted (ms, on the grid). */
  start: number;
  /** Open time of the last slot wanted, inclusive (ms, on the grid). */
  end: number;
  /** Timeframe length in ms. */
  tfMs: number;
}

export interface VenueSpec {
  id: VenueId;
  defaultBaseUrl: string;
  /** Largest page the venue serves. */
  maxPageSize: number;
  paging: 'forward' | 'window';
  /** Canonical symbol → venue code. */
  symbols: Readonly<Record<string, string>>;
  /** Timeframe → venue code; absent = unsupported. */
  timeframes: Readonly<Partial<Record<Timeframe, string>>>;
  buildUrl(baseUrl: string, venueSymbol: string, venueTimeframe: string, range: PageRange, limit: number): string;
  /** Parses a completed HTTP response; throws VenueError for whole-body failures. */
  parse(res: HttpResult): ParsedPage;
}

export interface SpecVenueOptions {
  baseUrl?: string;
  transport: Transport;
  /** Page size to ask for (≤ the venue's max). Smaller pages are useful in tests. */
  pageSize?: number;
  /** Safety bound on pages per call. Default 10,000. */
  maxPages?: number;
}

function ceilToGrid(t: number, tf: Timeframe): number {
  const ms = TIMEFRAME_MS[tf];
  return Math.ceil(t / ms) * ms;
}

export function createSpecVenue(spec: VenueSpec, opts: SpecVenueOptions): Venue {
  const baseUrl = (opts.baseUrl ?? spec.defaultBaseUrl).replace(/\/+$/, '');
  const pageSize = Math.max(1, Math.min(spec.maxPageSize, opts.pageSize ?? spec.maxPageSize));
  const maxPages = opts.maxPages ?? 10_000;
  const transport = opts.transport;
  const timeframes = (Object.keys(spec.timeframes) as Timeframe[]).filter((tf) => spec.timeframes[tf] !== undefined);

  async function fetchClosedCandles(req: FetchClosedCandlesRequest): Promise<FetchClosedCandlesResult> {
    const { symbol, timeframe: tf, since, until, now } = req;
    const venue = spec.id;
    const vSym = spec.symbols[symbol];
    if (vSym === undefined) throw new VenueError('bad-request', `${venue}: unsupported symbol ${symbol}`, { venue });
    const vTf = spec.timeframes[tf];
    if (vTf === undefined) throw new VenueError('bad-request', `${venue}: unsupported timeframe ${tf}`, { venue });
    if (![since, until, now].every(Number.isFinite)) throw new VenueError('bad-request', `${venue}: since/until/now must be finite`, { venue });

    const tfMs = TIMEFRAME_MS[tf];
    const collector = new CandleCollector(tf, since, until, now);
    const first = ceilToGrid(since, tf);
    // Exclusive end: nothing at or after `until`, nothing still open at `now`.
    const endExclusive = Math.min(until, floorToGrid(now, tf));
    const lastSlot = ceilToGrid(endExclusive, tf) - tfMs;
    let requests = 0;
    let pages = 0;
    const fetchPage = async (range: PageRange): Promise<ParsedPage> => {
      if (pages >= maxPages) throw new VenueError('bad-request', `${venue}: more than ${maxPages} pages needed; narrow the range`, { venue });
      const url = spec.buildUrl(baseUrl, vSym, vTf, range, pageSize);
      try {
        const r = await transport.get(url, spec.parse);
        requests += r.attempts;
        pages++;
        return r.value;
      } catch (e) {
        if (e instanceof VenueError) requests += e.attempts ?? 0;
        throw e;
      }
    };

    if (first <= lastSlot) {
      let cursor = first;
      if (spec.paging === 'window') {
        while (cursor <= lastSlot) {
          const end = Math.min(lastSlot, cursor + (pageSize - 1) * tfMs);
          collector.add(await fetchPage({ start: cursor, end, tfMs }));
          cursor = end + tfMs;
        }
      } else {
        for (;;) {
          const page = await fetchPage({ start: cursor, end: lastSlot, tfMs });
          collector.add(page);
          let newest = -Infinity;
          for (const r of page.rows) newest = Math.max(newest, r.candle.openTime);
          if (page.rows.length + page.rejected.length < pageSize || newest < cursor) break;
          cursor = floorToGrid(newest, tf) + tfMs;
          if (cursor > lastSlot) break;
        }
      }
    }
    return { candles: collector.candles(), rejected: collector.rejected, requests, pages };
  }

  return { id: spec.id, baseUrl, timeframes, symbols: Object.keys(spec.symbols), fetchClosedCandles };
}

/** Parses a body as JSON; a failure is `malformed` (with "truncated" when the text simply stops). */
export function parseJsonBody(venue: string, res: HttpResult): unknown {
  try {
    return JSON.parse(res.text);
  } catch (e) {
    // V8 reports where it stopped; an error at the very end of the text means the body was cut short.
    const msg = String(e);
    const pos = /position (\d+)/.exec(msg);
    const truncated = /end of (json )?input/i.test(msg) || (pos !== null && Number(pos[1]) >= res.text.trimEnd().length);
    throw new VenueError('malformed', `${venue}: ${truncated ? 'truncated' : 'malformed'} JSON body (${res.text.length} bytes): ${msg}`, {
      venue,
      url: res.url,
      status: res.status,
      cause: e,
    });
  }
}

/** For a 4xx with no venue error payload recognised by the adapter. */
export function badRequest(venue: string, res: HttpResult, detail: string): VenueError {
  return new VenueError('bad-request', `${venue}: HTTP ${res.status}: ${detail}`, { venue, url: res.url, status: res.status });
}

export function malformed(venue: string, res: HttpResult, detail: string): VenueError {
  return new VenueError('malformed', `${venue}: ${detail}`, { venue, url: res.url, status: res.status });
}

/** A venue error payload: `venue-error`, or the retryable kind the venue's code stands for. */
export function venueError(
  venue: string,
  res: HttpResult,
  code: string,
  message: string,
  kind: 'venue-error' | 'rate-limited' | 'server' = 'venue-error',
): VenueError {
  return new VenueError(kind, `${venue}: venue error ${code}: ${message}`, { venue, url: res.url, status: res.status, venueCode: code });
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
