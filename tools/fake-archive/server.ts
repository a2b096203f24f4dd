/**
 * A local stand-in for data.binance.vision, built from the real monthly kline CSVs in ../shared/data: serves
 * `/<mode>/data/spot/monthly/klines/<SYM>/<INT>/<SYM>-<INT>-<YYYY-MM>.zip` and the daily files
 * `/<mode>/data/spot/daily/klines/<SYM>/<INT>/<SYM>-<INT>-<YYYY-MM-DD>.zip` (that day's rows of the month's CSV; a
 * day with no row has no file, 404) with their `.CHECKSUM`, exactly as Binance lays them out (the CSV zipped with
 * fflate, `sha256  name` checksum). Modes reproduce real variations and faults:
 *   ms      the CSV as archived (millisecond timestamps, no header)
 *   us      timestamps in microseconds, as Binance spot archives are from 2025-01-01
 *   header  with a header row
 *   badsum  a CHECKSUM that does not match the zip
 *   error   HTTP 500 for everything (a file that keeps failing)
 *   blank   a well-formed zip whose CSV has the header row only (0 rows)
 *   corrupt every second row's close is `n/a` (half the rows rejected)
 * Every request is logged (`GET /__requests`). Test and dev tooling only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { strToU8, zipSync } from 'fflate';

export type ArchiveMode = 'ms' | 'us' | 'header' | 'badsum' | 'error' | 'blank' | 'corrupt';
const MODES = new Set<ArchiveMode>(['ms', 'us', 'header', 'badsum', 'error', 'blank', 'corrupt']);
const DAY_MS = 86_400_000;
const HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

export interface FakeArchive {
  url: string;
  port: number;
  /** Base URL for a mode, to use as ARCHIVE_BASE_URL. */
  baseUrl(mode: ArchiveMode): string;
  requests(): string[];
  close(): Promise<void>;
}

/** Every second row's close (column 4) becomes `n/a`. */
function corrupt(csv: string): string {
  return csv
    .split('\n')
    .map((line, i) => {
      if (!line || i % 2 === 0) return line;
      const f = line.split(',');
      f[4] = 'n/a';
      return f.join(',');
    })
    .join('\n');
}

/** The rows of a month's CSV whose open time (ms) falls on `day` (`YYYY-MM-DD`). */
function dayRows(csv: string, day: string): string {
  const from = Date.parse(`${day}T00:00:00Z`);
  return csv
    .split('\n')
    .filter((line) => {
      const t = Number(line.split(',')[0]);
      return line !== '' && t >= from && t < from + DAY_MS;
    })
    .map((line) => `${line}\n`)
    .join('');
}

function toMicros(csv: string): string {
  return csv
    .split('\n')
    .map((line) => {
      if (!line) return line;
      const f = line.split(',');
      f[0] = `${f[0]}000`;
      f[6] = `${f[6]}000`;
      return f.join(',');
    })
    .join('\n');
}

export async function startFakeArchive(opts: { port?: number; dataDir?: string } = {}): Promise<FakeArchive> {
  const dataDir = opts.dataDir ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'binance-spot-klines');
  const log: string[] = [];
  const cache = new Map<string, { zip: Uint8Array; sum: string }>();

  function build(mode: ArchiveMode, sym: string, interval: string, period: string): { zip: Uint8Array; sum: string } | null {
    const key = `${mode}/${sym}/${interval}/${period}`;
    const hit = cache.get(key);
    if (hit) return hit;
    // A daily file (YYYY-MM-DD) is that day's rows of its month's CSV.
    const month = period.slice(0, 7);
    const csvPath = join(dataDir, sym, interval, `${sym}-${interval}-${month}.csv`);
    if (!existsSync(csvPath)) return null;
    let csv = readFileSync(csvPath, 'utf8');
    if (period.length === 10) {
      csv = dayRows(csv, period);
      if (csv === '') return null;
    }
    if (mode === 'corrupt') csv = corrupt(csv);
    if (mode === 'us') csv = toMicros(csv);
    if (mode === 'header') csv = `${HEADER}\n${csv}`;
    if (mode === 'blank') csv = `${HEADER}\n`;
    const name = `${sym}-${interval}-${period}`;
    const zip = zipSync({ [`${name}.csv`]: strToU8(csv) });
    const digest = mode === 'badsum' ? createHash('sha256').update('not this file').digest('hex') : createHash('sha256').update(zip).digest('hex');
    const out = { zip, sum: `${digest}  ${name}.zip\n` };
    cache.set(key, out);
    return out;
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/__requests') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(log));
      return;
    }
    log.push(url.pathname);
    const m = url.pathname.match(/^\/([a-z]+)\/data\/spot\/(monthly|daily)\/klines\/([A-Z0-9]+)\/([0-9a-z]+)\/\3-\4-(\d{4}-\d{2}(?:-\d{2})?)\.zip(\.CHECKSUM)?$/);
    // Monthly paths carry YYYY-MM, daily ones YYYY-MM-DD, as on data.binance.vision.
    if (!m || !MODES.has(m[1] as ArchiveMode) || (m[2] === 'daily') !== (m[5]!.length === 10)) {
      res.writeHead(404).end('not found');
      return;
    }
    const [, mode, , sym, interval, period, isSum] = m as unknown as [string, ArchiveMode, string, string, string, string, string | undefined];
    if (mode === 'error') {
      res.writeHead(500).end('internal error');
      return;
    }
    const file = build(mode, sym, interval, period);
    if (!file) {
      res.writeHead(404).end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    if (isSum) res.writeHead(200, { 'content-type': 'text/plain' }).end(file.sum);
    else res.writeHead(200, { 'content-type': 'application/zip', 'content-length': file.zip.length }).end(Buffer.from(file.zip));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    baseUrl: (mode) => `${url}/${mode}`,
    requests: () => [...log],
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8792' }, 'data-dir': { type: 'string' } } });
  const a = await startFakeArchive({ port: Number(values.port), dataDir: values['data-dir'] });
  console.log(`fake Binance archive on ${a.url} — ARCHIVE_BASE_URL=${a.baseUrl('ms')} (modes: ms, us, header, badsum, error, blank, corrupt)`);
}
