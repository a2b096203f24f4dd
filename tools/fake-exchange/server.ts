/**
 * Fake exchange: one local HTTP server (Node `http`) speaking the wire formats of Binance, Kraken, Coinbase
 * Exchange, OKX and Bybit under `/binance`, `/kraken`, `/coinbase`, `/okx`, `/bybit`, serving the real
 * Binance-spot candles from the freqtrade files at a fixed simulated "now" (so the candle containing `now` is
 * still forming and a client must drop it), and their order book, best bid/ask and recent-trades endpoints from
 * the real recorded bodies (see `market.ts`).
 *
 * Control endpoints (JSON):
 *   POST   /__faults   `{ venue, kind, count?, retryAfter?, status? }` or an array of them: queue faults
 *   GET    /__faults   queued faults;  DELETE /__faults  clear them
 *   GET    /__requests request log;    DELETE /__requests clear it
 *   GET    /__now      `{ now, iso }`; POST /__now `{ now: ms | ISO }` sets the simulated clock
 *   GET    /__chaos    seeded random faults in force and the faults drawn so far; POST /__chaos
 *                       `{ seed, rate, kinds, venues?, retryAfter? }` turns them on (tools/fake-exchange/chaos.ts),
 *                       DELETE /__chaos turns them off (answering what was drawn). Chaos affects candle requests only, never the book endpoints.
 * A one-off fault can also be asked for on any venue request with `?__fault=<kind>`.
 * Fault kinds: rate-limit (429 + Retry-After), server-error (500 or `status`), timeout (hang until the client
 * gives up), malformed (HTML instead of JSON), truncated (first half of the JSON body), duplicate (rows
 * repeated), reorder (rows shuffled), bad-rows (candles: row 1 gets close "n/a", row 2 is cut to 3 columns; book
 * levels and trades: row 1's price becomes "n/a", row 0 if it is the only one; on a book the rows are the bids), venue-error
 * (the venue's own error payload), crossed (order books only: the best bid is raised 1 % above its price, so it
 * crosses the best ask; other endpoints answer normally).
 *
 * Tests: `startFakeExchange({ port?, now?, dataDir? })`. CLI: `npx tsx tools/fake-exchange/server.ts --port 8790
 * [--now 2022-04-16T13:47:30Z] [--data-dir DIR]`; then point base URLs at `http://127.0.0.1:8790/<venue>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { CandleStore, DEFAULT_FAKE_NOW, defaultDataDir } from './store';
import { defaultRestDir, MARKET_WIRE, RecordedBodies } from './market';
import { FAKE_VENUES, VENUE_ERROR_BODY, WIRE, type FakeVenue } from './wire';
import { Chaos, parseChaos, type ChaosOptions } from './chaos';

export const FAULT_KINDS = [
  'rate-limit',
  'server-error',
  'timeout',
  'malformed',
  'truncated',
  'duplicate',
  'reorder',
  'bad-rows',
  'venue-error',
  'crossed',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  /** A venue, or `*` for any. */
  venue: FakeVenue | '*';
  kind: FaultKind;
  /** How many matching requests it affects. Default 1. */
  count?: number;
  /** rate-limit: the Retry-After header value (delta seconds or an HTTP date). Default "1"; "" sends none. */
  retryAfter?: string;
  /** server-error: the status. Default 500. */
  status?: number;
}

export interface LoggedRequest {
  seq: number;
  /** Simulated clock when served. */
  now: number;
  venue: FakeVenue | 'control' | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status sent; `null` for a request left hanging. */
  status: number | null;
  fault?: FaultKind;
}

export interface FakeExchangeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Simulated clock, ms UTC. Default `DEFAULT_FAKE_NOW` (2022-04-16T13:47:30Z). */
  now?: number;
  /** Directory with `BTC_USDT-5m.json` etc. Default: the SauloHenriqueAguiar freqtrade files in ../shared/data. */
  dataDir?: string;
  /** Directory of the recorded book / ticker / trades bodies. Default: ../shared/data/rest-responses. */
  restDir?: string;
  /** Seeded random faults on candle requests (off by default; also `POST /__chaos`). */
  chaos?: ChaosOptions;
}

export interface FakeExchange {
  /** `http://127.0.0.1:PORT`; venue base URLs are `${url}/binance` etc. */
  url: string;
  port: number;
  baseUrls: Readonly<Record<FakeVenue, string>>;
  close(): Promise<void>;
  /** Replaces the fault queue. */
  setFaults(faults: Fault[]): void;
  addFaults(...faults: Fault[]): void;
  faults(): Fault[];
  /** Seeded random faults on candle requests; `undefined` turns them off. */
  setChaos(options: ChaosOptions | undefined): void;
  /** Chaos faults drawn so far, by kind. */
  chaosDrawn(): Record<string, number>;
  setNow(now: number): void;
  now(): number;
  requests(): LoggedRequest[];
  clearRequests(): void;
}

function isFault(x: unknown): x is Fault {
  if (typeof x !== 'object' || x === null) return false;
  const f = x as Record<string, unknown>;
  return (f.venue === '*' || (FAKE_VENUES as readonly unknown[]).includes(f.venue)) && (FAULT_KINDS as readonly unknown[]).includes(f.kind);
}

/** Deterministic shuffle: even positions, then odd positions reversed. */
function reorder<T>(rows: readonly T[]): T[] {
  const even = rows.filter((_, i) => i % 2 === 0);
  const odd = rows.filter((_, i) => i % 2 === 1).reverse();
  return [...even, ...odd];
}

/** Row 1's close column (index 4 in every venue's layout) becomes "n/a"; row 2 loses all but 3 columns. */
function corrupt(rows: readonly unknown[]): unknown[] {
  return rows.map((r, i) => {
    if (!Array.isArray(r)) return r;
    if (i === 1) return r.map((x: unknown, j) => (j === 4 ? 'n/a' : x));
    if (i === 2) return r.slice(0, 3);
    return r;
  });
}

/** Every third row twice, and the last row twice. */
function duplicate<T>(rows: readonly T[]): T[] {
  const out = rows.flatMap((r, i) => (i % 3 === 0 ? [r, r] : [r]));
  if (rows.length > 0) out.push(rows.at(-1)!);
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseNow(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string') {
    const n = /^\d+$/.test(x) ? Number(x) : Date.parse(x);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export async function startFakeExchange(opts: FakeExchangeOptions = {}): Promise<FakeExchange> {
  const store = new CandleStore(opts.dataDir ?? defaultDataDir());
  const bodies = new RecordedBodies(opts.restDir ?? defaultRestDir());
  let now = opts.now ?? DEFAULT_FAKE_NOW;
  let queue: Array<Fault & { count: number }> = [];
  const log: LoggedRequest[] = [];
  let seq = 0;
  let chaos = opts.chaos ? new Chaos(opts.chaos) : undefined;

  const takeFault = (venue: FakeVenue): Fault | undefined => {
    const f = queue.find((x) => (x.venue === venue || x.venue === '*') && x.count > 0);
    if (!f) return undefined;
    f.count--;
    queue = queue.filter((x) => x.count > 0);
    return f;
  };

  const send = (res: ServerResponse, entry: LoggedRequest, status: number, body: string, headers: Record<string, string> = {}) => {
    entry.status = status;
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, url: URL, entry: LoggedRequest) => {
    const json = (status: number, x: unknown) => send(res, entry, status, JSON.stringify(x));
    const method = req.method ?? 'GET';
    if (url.pathname === '/__faults') {
      if (method === 'GET') return json(200, queue);
      if (method === 'DELETE') return json(200, (queue = []));
      if (method === 'POST') {
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return json(400, { error: 'body must be JSON' });
        }
        const list = Array.isArray(body) ? body : [body];
        if (!list.every(isFault)) return json(400, { error: `each fault needs venue (${FAKE_VENUES.join('|')}|*) and kind (${FAULT_KINDS.join('|')})` });
        api.addFaults(...list);
        return json(200, queue);
      }
    }
    if (url.pathname === '/__requests') {
      if (method === 'GET') return json(200, log);
      if (method === 'DELETE') return json(200, (log.length = 0, log));
    }
    if (url.pathname === '/__now') {
      if (method === 'POST') {
        let n: number | undefined;
        try {
          n = parseNow((JSON.parse(await readBody(req)) as { now?: unknown }).now);
        } catch {
          n = undefined;
        }
        if (n === undefined) return json(400, { error: 'body must be {"now": ms | ISO string}' });
        now = n;
      }
      return json(200, { now, iso: new Date(now).toISOString() });
    }
    if (url.pathname === '/__chaos') {
      if (method === 'DELETE') {
        // Turning it off answers what it drew.
        const was = chaos;
        chaos = undefined;
        return json(200, { options: null, drawn: was?.drawn ?? {} });
      }
      if (method === 'POST') {
        let parsed: ChaosOptions | string;
        try {
          parsed = parseChaos(JSON.parse(await readBody(req)), FAULT_KINDS, FAKE_VENUES);
        } catch {
          parsed = 'body must be JSON';
        }
        if (typeof parsed === 'string') return json(400, { error: parsed });
        chaos = new Chaos(parsed);
      }
      return json(200, chaos ? { options: chaos.options, drawn: chaos.drawn } : { options: null, drawn: {} });
    }
    if (url.pathname === '/__health') return json(200, { ok: true });
    return json(404, { error: 'unknown control endpoint' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const [, first = '', ...rest] = url.pathname.split('/');
    const venue = (FAKE_VENUES as readonly string[]).includes(first) ? (first as FakeVenue) : first.startsWith('__') ? 'control' : 'unknown';
    const query = Object.fromEntries(url.searchParams);
    const entry: LoggedRequest = { seq: ++seq, now, venue, method: req.method ?? 'GET', path: url.pathname, query, status: null };
    if (venue !== 'control') log.push(entry);
    if (venue === 'control') return control(req, res, url, entry);
    if (venue === 'unknown') return send(res, entry, 404, JSON.stringify({ error: `unknown venue prefix /${first}` }));

    const queryFault = url.searchParams.get('__fault');
    url.searchParams.delete('__fault');
    const path = '/' + rest.join('/');
    const market = MARKET_WIRE[venue]({ path, query: url.searchParams, now, bodies });
    const drawn = market || !chaos ? undefined : chaos.draw(venue);
    const fault: Fault | undefined =
      queryFault !== null && (FAULT_KINDS as readonly string[]).includes(queryFault)
        ? { venue, kind: queryFault as FaultKind }
        : (takeFault(venue) ?? (drawn ? { venue, kind: drawn.kind as FaultKind, ...(drawn.retryAfter !== undefined ? { retryAfter: drawn.retryAfter } : {}) } : undefined));
    if (fault) entry.fault = fault.kind;

    switch (fault?.kind) {
      case 'rate-limit': {
        const ra = fault.retryAfter ?? '1';
        return send(res, entry, 429, JSON.stringify({ error: 'Too many requests (injected)' }), ra === '' ? {} : { 'Retry-After': ra });
      }
      case 'server-error':
        return send(res, entry, fault.status ?? 500, JSON.stringify({ error: 'Internal error (injected)' }));
      case 'timeout':
        // Never answer; the socket is destroyed when the client aborts or the server closes.
        return;
      case 'malformed':
        return send(res, entry, 200, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'Content-Type': 'text/html' });
      case 'venue-error': {
        const e = VENUE_ERROR_BODY[venue];
        return send(res, entry, e.status, JSON.stringify(e.body));
      }
      default:
        break;
    }

    const answer = market ?? WIRE[venue]({ path, query: url.searchParams, now, store });
    let body: unknown;
    if ('rows' in answer) {
      const k = fault?.kind;
      const bad = answer.corrupt ?? corrupt;
      const rows =
        k === 'duplicate'
          ? duplicate(answer.rows)
          : k === 'reorder'
            ? reorder(answer.rows)
            : k === 'bad-rows'
              ? bad(answer.rows)
              : k === 'crossed' && answer.cross
                ? answer.cross(answer.rows)
                : answer.rows;
      body = answer.envelope(rows);
    } else body = answer.body;
    let text = JSON.stringify(body);
    if (fault?.kind === 'truncated') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    send(res, entry, answer.status, text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: String(e) }));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;

  const api: FakeExchange = {
    url,
    port: addr.port,
    baseUrls: Object.fromEntries(FAKE_VENUES.map((v) => [v, `${url}/${v}`])) as Record<FakeVenue, string>,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setFaults: (faults) => {
      queue = [];
      api.addFaults(...faults);
    },
    addFaults: (...faults) => {
      for (const f of faults) queue.push({ ...f, count: f.count ?? 1 });
    },
    faults: () => queue.map((f) => ({ ...f })),
    setChaos: (options) => {
      chaos = options ? new Chaos(options) : undefined;
    },
    chaosDrawn: () => ({ ...(chaos?.drawn ?? {}) }),
    setNow: (n) => {
      now = n;
    },
    now: () => now,
    requests: () => log.map((e) => ({ ...e, query: { ...e.query } })),
    clearRequests: () => {
      log.length = 0;
    },
  };
  return api;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const nowArg = arg('now');
  const now = nowArg === undefined ? undefined : parseNow(nowArg);
  if (nowArg !== undefined && now === undefined) throw new Error(`--now: not a ms timestamp or ISO date: ${nowArg}`);
  const fx = await startFakeExchange({
    port: Number(arg('port') ?? 8790),
    ...(arg('host') !== undefined && { host: arg('host')! }),
    ...(now !== undefined && { now }),
    ...(arg('data-dir') !== undefined && { dataDir: arg('data-dir')! }),
  });
  console.log(`fake exchange on ${fx.url} (now ${new Date(fx.now()).toISOString()})`);
  for (const [v, u] of Object.entries(fx.baseUrls)) console.log(`  ${v.padEnd(8)} ${u}`);
  const stop = () => void fx.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
