/**
 * Parser for the kline CSVs inside data.binance.vision zips. 12 columns: open_time, open, high, low, close, volume,
 * close_time, quote_volume, trades, taker_buy_base, taker_buy_quote, ignore. Some files start with a header row
 * (`open_time,open,...`); most do not. Spot files from 2025-01-01 carry open/close times in MICROseconds
 * (16 digits) instead of milliseconds (13): they are converted to ms exactly by integer division (floor), so
 * `1735693199999999` µs → `1735693199999` ms.
 *
 * Bad rows never stop the parse: they go to `issues` (`arity`, `non-numeric`, `non-finite`, `time-unit`) with the raw
 * line. The parser does no market checks (OHLC order, grid, duplicates): run `validateCandles` on its output.
 * Speed matters (a month of 1m is 44,640 rows, of 1s 2.6 M): lines and fields are sliced by `indexOf`, no regex.
 */
import type { Candle } from '../candles/candle';
import type { DataIssue } from '../candles/issue';
import { TIMEFRAME_MS, type Timeframe } from '../candles/timeframe';

export const ARCHIVE_CSV_COLUMNS = [
  'open_time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'close_time',
  'quote_volume',
  'count',
  'taker_buy_volume',
  'taker_buy_quote_volume',
  'ignore',
] as const;

export type TimeUnit = 'ms' | 'us';

export interface ParseArchiveCsvOptions {
  /**
   * When given, rows whose close_time is not openTime + interval − 1 are reported in `warnings` (reason
   * `close-time`) — and kept: real archives have such rows (e.g. close_time …600000 instead of …599999).
   */
  interval?: Timeframe;
}

export interface ParsedArchiveCsv {
  candles: Candle[];
  /** Rejected rows. */
  issues: DataIssue[];
  /** Kept rows worth a look (`close-time`). */
  warnings: DataIssue[];
  /** Whether the first non-blank line was a header row (skipped). */
  header: boolean;
  /** Unit of the file's timestamps, from its first data row ('ms' for an empty file). */
  timeUnit: TimeUnit;
  /** Data lines seen (non-blank, header excluded) = candles + issues. */
  rows: number;
}

const COLS = 12;
/**
 * ms timestamps are < 1e13 (at most 13 digits, until 2286-11-20); µs ones are ≥ 1e15 (16 digits, from 2001-09-09) and
 * ≤ 2^53 − 1 (until 2255). Anything between (14–15 digits) is neither and is rejected as `time-unit`.
 */
const MS_MAX = 1e13;
const US_MIN = 1e15;
const US_MAX = Number.MAX_SAFE_INTEGER;

function isNumStart(c: number): boolean {
  // 0-9 . - +
  return (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43;
}

/** Number of a CSV field; NaN when empty or not a plain decimal start (rejects '', 'abc', ' 1', '0x' is caught by Number). */
function num(s: string): number {
  if (s.length === 0 || !isNumStart(s.charCodeAt(0))) return NaN;
  return Number(s);
}

/** Parse one archive CSV (see the module comment). */
export function parseArchiveCsv(text: string, opts: ParseArchiveCsvOptions = {}): ParsedArchiveCsv {
  const tfMs = opts.interval ? TIMEFRAME_MS[opts.interval] : 0;
  const candles: Candle[] = [];
  const issues: DataIssue[] = [];
  const warnings: DataIssue[] = [];
  let header = false;
  let timeUnit: TimeUnit | null = null;
  let rows = 0;
  let firstLine = true;
  const f: string[] = new Array<string>(COLS);
  const len = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const lineStart = pos;
    pos = end + 1;
    if (lineEnd === lineStart) continue;
    // split into at most COLS + 1 fields (the +1 only to detect too many columns)
    let n = 0;
    let s = lineStart;
    let extra = false;
    for (;;) {
      const c = text.indexOf(',', s);
      if (c === -1 || c >= lineEnd) {
        if (n < COLS) f[n] = text.slice(s, lineEnd);
        else extra = true;
        n++;
        break;
      }
      if (n < COLS) f[n] = text.slice(s, c);
      else extra = true;
      n++;
      s = c + 1;
    }
    if (n === 1 && f[0]!.trim() === '') continue; // whitespace-only line
    if (firstLine) {
      firstLine = false;
      if (!isNumStart(f[0]!.charCodeAt(0))) {
        // header row: the first field is a name, e.g. open_time
        header = true;
        continue;
      }
    }
    rows++;
    if (n !== COLS || extra) {
      issues.push({ openTime: null, reason: 'arity', detail: `expected ${COLS} columns, found ${n}`, raw: text.slice(lineStart, lineEnd) });
      continue;
    }
    const rawOpen = num(f[0]!);
    const rawClose = num(f[6]!);
    const open = num(f[1]!);
    const high = num(f[2]!);
    const low = num(f[3]!);
    const close = num(f[4]!);
    const volume = num(f[5]!);
    let bad = -1;
    if (rawOpen !== rawOpen) bad = 0;
    else if (open !== open) bad = 1;
    else if (high !== high) bad = 2;
    else if (low !== low) bad = 3;
    else if (close !== close) bad = 4;
    else if (volume !== volume) bad = 5;
    else if (rawClose !== rawClose) bad = 6;
    else {
      for (let k = 7; k < COLS; k++) {
        const v = num(f[k]!);
        if (v !== v) {
          bad = k;
          break;
        }
      }
    }
    if (bad !== -1) {
      issues.push({
        openTime: null,
        reason: 'non-numeric',
        detail: `${ARCHIVE_CSV_COLUMNS[bad]} is not a number: "${f[bad]!.slice(0, 40)}"`,
        raw: text.slice(lineStart, lineEnd),
      });
      continue;
    }
    if (!Number.isFinite(open) || !Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(close) || !Number.isFinite(volume)) {
      issues.push({ openTime: null, reason: 'non-finite', detail: 'a price or volume is not finite', raw: text.slice(lineStart, lineEnd) });
      continue;
    }
    const unit = unitOf(rawOpen);
    if (unit === null || unitOf(rawClose) !== unit) {
      issues.push({
        openTime: null,
        reason: 'time-unit',
        detail: `open_time ${f[0]} / close_time ${f[6]} are not both integer ms (13 digits) or µs (16 digits)`,
        raw: text.slice(lineStart, lineEnd),
      });
      continue;
    }
    if (timeUnit === null) timeUnit = unit;
    else if (unit !== timeUnit) {
      issues.push({
        openTime: null,
        reason: 'time-unit',
        detail: `timestamps in ${unit} in a file whose first row is in ${timeUnit}`,
        raw: text.slice(lineStart, lineEnd),
      });
      continue;
    }
    const openTime = unit === 'us' ? (rawOpen - (rawOpen % 1000)) / 1000 : rawOpen;
    candles.push({ openTime, open, high, low, close, volume });
    if (tfMs !== 0) {
      const closeTime = unit === 'us' ? (rawClose - (rawClose % 1000)) / 1000 : rawClose;
      if (closeTime !== openTime + tfMs - 1) {
        warnings.push({
          openTime,
          reason: 'close-time',
          detail: `close_time ${closeTime} is not open_time + ${opts.interval} − 1 (${openTime + tfMs - 1}); off by ${closeTime - (openTime + tfMs - 1)} ms`,
          raw: text.slice(lineStart, lineEnd),
        });
      }
    }
  }
  return { candles, issues, warnings, header, timeUnit: timeUnit ?? 'ms', rows };
}

function unitOf(t: number): TimeUnit | null {
  if (!Number.isSafeInteger(t) || t < 0) return null;
  if (t < MS_MAX) return 'ms';
  if (t >= US_MIN && t <= US_MAX) return 'us';
  return null;
}
