/**
 * Local imports into the database with the same shared functions the Worker's import job uses:
 *  - a folder of Binance archive files (`.zip` with an optional `.CHECKSUM` next to it, or the bare `.csv`):
 *    `processArchiveFile` / `processArchiveCsv` → `upsertCandles` + `recordDataIssues`;
 *  - a freqtrade OHLCV JSON file (`[[ms, o, h, l, c, v], …]`, Binance REST via ccxt): validated with
 *    `validateCandles`, cross-checked field by field against archive rows already stored for the same open times
 *    (`crossCheck`), then stored. Archive rows are always kept (a stored candle is never rewritten); with
 *    `overwrite` the disagreeing rows are offered anyway, and so recorded as `source-conflict` issues.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { canonicalSymbol, processArchiveCsv, processArchiveFile, type ProcessedArchiveFile } from '../../shared/archive/process';
import type { Candle, SeriesKey } from '../../shared/candles/candle';
import type { DataIssue } from '../../shared/candles/issue';
import { crossCheck, type CrossCheckResult } from '../../shared/candles/quality';
import { isTimeframe, type Timeframe } from '../../shared/candles/timeframe';
import { validateCandles } from '../../shared/candles/validate';
import { rowsOf, type Database } from '../../shared/db/database';
import { upsertCandles } from '../../shared/db/queries/candles';
import { recordDataIssues } from '../../shared/db/queries/data-issues';

const NAME = /^([A-Z0-9]+)-([0-9]+[mhdw]|1mo)-(\d{4}-\d{2}(?:-\d{2})?)\.(zip|csv)$/;

export interface FileImport {
  file: string;
  key: SeriesKey;
  rows: number;
  candles: number;
  written: number;
  issues: number;
  checksum: 'verified' | 'absent' | 'n/a';
  timeUnit: string;
}

/** Archive files under `dir` (recursively), sorted by path; a `.zip` wins over a `.csv` of the same name. */
export function listArchiveDir(dir: string, filter: { symbol?: string; interval?: string } = {}): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const m = NAME.exec(name);
        if (!m) continue;
        if (filter.symbol && m[1] !== filter.symbol) continue;
        if (filter.interval && m[2] !== filter.interval) continue;
        if (m[4] === 'csv' && existsSync(p.replace(/\.csv$/, '.zip'))) continue;
        out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

export async function importArchiveFile(db: Database, path: string, opts: { venue?: string; now?: number } = {}): Promise<FileImport> {
  const name = basename(path);
  const m = NAME.exec(name);
  if (!m) throw new Error(`${name}: not a Binance archive file name (SYMBOL-INTERVAL-YYYY-MM.zip|csv)`);
  const [, sym, interval] = m as unknown as [string, string, string];
  if (!isTimeframe(interval)) throw new Error(`${name}: interval ${interval} is not a platform timeframe`);
  const timeframe: Timeframe = interval;
  const now = opts.now ?? Date.now();
  let out: ProcessedArchiveFile;
  let checksum: FileImport['checksum'] = 'n/a';
  if (name.endsWith('.zip')) {
    const sumPath = `${path}.CHECKSUM`;
    const checksumText = existsSync(sumPath) ? readFileSync(sumPath, 'utf8') : undefined;
    checksum = checksumText ? 'verified' : 'absent';
    out = processArchiveFile({ zipBytes: new Uint8Array(readFileSync(path)), checksumText, fileName: name, timeframe, now });
  } else {
    out = processArchiveCsv({ text: readFileSync(path, 'utf8'), csvName: name, timeframe, now });
  }
  const key: SeriesKey = { venue: opts.venue ?? 'binance', symbol: canonicalSymbol(sym), timeframe };
  const source = `archive:${name}`;
  const up = await upsertCandles(db, key, out.candles, source);
  await recordDataIssues(db, key, source, out.issues);
  return { file: path, key, rows: out.rows, candles: out.candles.length, written: up.written, issues: out.issues.length, checksum, timeUnit: out.timeUnit };
}

export function parseFreqtradeJson(text: string): { candles: Candle[]; issues: DataIssue[] } {
  const data = JSON.parse(text) as unknown;
  if (!Array.isArray(data)) throw new Error('freqtrade file: expected a JSON array of [ms, open, high, low, close, volume]');
  const candles: Candle[] = [];
  const issues: DataIssue[] = [];
  for (const row of data) {
    if (!Array.isArray(row) || row.length < 6 || row.slice(0, 6).some((x) => typeof x !== 'number')) {
      issues.push({ openTime: Array.isArray(row) && typeof row[0] === 'number' ? row[0] : null, reason: 'parse', detail: 'expected [ms, o, h, l, c, v] numbers', raw: row } as DataIssue);
      continue;
    }
    const [openTime, open, high, low, close, volume] = row as number[];
    candles.push({ openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! });
  }
  return { candles, issues };
}

export interface FreqtradeImport {
  file: string;
  key: SeriesKey;
  rows: number;
  candles: number;
  written: number;
  issues: number;
  /** Against archive rows already stored for the same open times. */
  crossCheck: Pick<CrossCheckResult, 'compared' | 'differingOpenTimes'> & { disagreements: number };
  keptArchiveRows: number;
}

async function archiveRows(db: Database, key: SeriesKey, from: number, to: number): Promise<Candle[]> {
  const res = await db.execute(sql`
    SELECT open_time, open, high, low, close, volume FROM candles
    WHERE venue = ${key.venue} AND symbol = ${key.symbol} AND timeframe = ${key.timeframe}
      AND open_time >= ${from} AND open_time <= ${to} AND source LIKE 'archive:%' ORDER BY open_time`);
  return rowsOf<Record<string, string | number>>(res).map((r) => ({
    openTime: Number(r.open_time),
    open: Number(r.open),
    high: Number(r.high),
    low: Number(r.low),
    close: Number(r.close),
    volume: Number(r.volume),
  }));
}

export async function importFreqtradeFile(
  db: Database,
  path: string,
  key: SeriesKey,
  opts: { now?: number; overwrite?: boolean } = {},
): Promise<FreqtradeImport> {
  const parsed = parseFreqtradeJson(readFileSync(path, 'utf8'));
  const checked = validateCandles(parsed.candles, { timeframe: key.timeframe, now: opts.now ?? Date.now() });
  const issues = [...parsed.issues, ...checked.issues];
  const source = `freqtrade:${basename(dirname(path))}/${basename(path)}`;
  const valid = checked.valid;
  const archived = valid.length ? await archiveRows(db, key, valid[0]!.openTime, valid[valid.length - 1]!.openTime) : [];
  const cc = crossCheck(archived, valid);
  let toWrite = valid;
  if (!opts.overwrite && archived.length) {
    const have = new Set(archived.map((c) => c.openTime));
    toWrite = valid.filter((c) => !have.has(c.openTime));
  }
  const up = await upsertCandles(db, key, toWrite, source);
  await recordDataIssues(db, key, source, issues);
  return {
    file: path,
    key,
    rows: parsed.candles.length + parsed.issues.length,
    candles: valid.length,
    written: up.written,
    issues: issues.length,
    crossCheck: { compared: cc.compared, differingOpenTimes: cc.differingOpenTimes, disagreements: cc.disagreements.length },
    keptArchiveRows: valid.length - toWrite.length,
  };
}
