/**
 * The data.binance.vision archive layout for klines: file names (`BTCUSDT-5m-2025-01.zip`), URLs of a zip and its
 * `.CHECKSUM`, e.g. `${base}/data/spot/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2025-01.zip`, and the list of monthly
 * files covering a month range — or, for the month still running, its daily files
 * (`${base}/data/spot/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2025-01-31.zip`: Binance publishes a month's file only after
 * it ends). Pure string work; fetching is the caller's.
 */

export const BINANCE_ARCHIVE_BASE_URL = 'https://data.binance.vision';

/** Markets with kline archives, and their path segment under `/data/`. */
export const ARCHIVE_MARKET_PATH = {
  spot: 'spot',
  'futures-um': 'futures/um',
  'futures-cm': 'futures/cm',
} as const;
export type ArchiveMarket = keyof typeof ARCHIVE_MARKET_PATH;

export type ArchiveCadence = 'monthly' | 'daily';

/** Kline intervals Binance archives (`1s` exists for spot only). */
export const ARCHIVE_INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1mo'] as const;
export type ArchiveInterval = (typeof ARCHIVE_INTERVALS)[number];

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_RE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function checkSymbol(symbol: string): void {
  if (!/^[A-Z0-9]{2,30}$/.test(symbol)) throw new RangeError(`archive: symbol must be a Binance symbol like BTCUSDT, got "${symbol}"`);
}

function checkInterval(interval: string): asserts interval is ArchiveInterval {
  if (!(ARCHIVE_INTERVALS as readonly string[]).includes(interval)) {
    throw new RangeError(`archive: unknown kline interval "${interval}" (one of ${ARCHIVE_INTERVALS.join(', ')})`);
  }
}

function checkPeriod(cadence: ArchiveCadence, period: string): void {
  if (cadence === 'monthly') {
    if (!MONTH_RE.test(period)) throw new RangeError(`archive: a monthly period is YYYY-MM, got "${period}"`);
    return;
  }
  const m = DAY_RE.exec(period);
  const ok = m !== null && new Date(`${period}T00:00:00Z`).toISOString().slice(0, 10) === period;
  if (!ok) throw new RangeError(`archive: a daily period is a real date YYYY-MM-DD, got "${period}"`);
}

/** `BTCUSDT-5m-2025-01.zip` (monthly, period `YYYY-MM`) or `BTCUSDT-5m-2025-01-31.zip` (daily, `YYYY-MM-DD`). */
export function archiveFileName(symbol: string, interval: ArchiveInterval, cadence: ArchiveCadence, period: string): string {
  checkSymbol(symbol);
  checkInterval(interval);
  checkPeriod(cadence, period);
  return `${symbol}-${interval}-${period}.zip`;
}

/** `${base}/data/${market}/${cadence}/klines/${symbol}/${interval}/${fileName}` (a trailing `/` on base is dropped). */
export function archiveUrl(
  baseUrl: string,
  market: ArchiveMarket,
  cadence: ArchiveCadence,
  symbol: string,
  interval: ArchiveInterval,
  period: string,
): string {
  const path = ARCHIVE_MARKET_PATH[market];
  if (!path) throw new RangeError(`archive: unknown market "${market}"`);
  const name = archiveFileName(symbol, interval, cadence, period);
  return `${baseUrl.replace(/\/+$/, '')}/data/${path}/${cadence}/klines/${symbol}/${interval}/${name}`;
}

/** URL of the zip's checksum file: `archiveUrl(...) + '.CHECKSUM'`. */
export function checksumUrl(
  baseUrl: string,
  market: ArchiveMarket,
  cadence: ArchiveCadence,
  symbol: string,
  interval: ArchiveInterval,
  period: string,
): string {
  return `${archiveUrl(baseUrl, market, cadence, symbol, interval, period)}.CHECKSUM`;
}

export interface ArchiveFileRef {
  /** `YYYY-MM` (monthly) or `YYYY-MM-DD` (daily). */
  period: string;
  fileName: string;
  /** First open time the month covers, ms UTC. */
  from: number;
  /** First open time of the next month (exclusive). */
  to: number;
}

/** The monthly files from `fromMonth` to `toMonth` (both `YYYY-MM`, inclusive), oldest first. */
export function listArchiveFiles(symbol: string, interval: ArchiveInterval, fromMonth: string, toMonth: string): ArchiveFileRef[] {
  checkSymbol(symbol);
  checkInterval(interval);
  const a = MONTH_RE.exec(fromMonth);
  const b = MONTH_RE.exec(toMonth);
  if (!a || !b) throw new RangeError(`listArchiveFiles: months are YYYY-MM, got "${fromMonth}".."${toMonth}"`);
  let y = Number(a[1]);
  let m = Number(a[2]);
  const endY = Number(b[1]);
  const endM = Number(b[2]);
  if (y * 12 + m > endY * 12 + endM) throw new RangeError(`listArchiveFiles: ${fromMonth} is after ${toMonth}`);
  const out: ArchiveFileRef[] = [];
  while (y * 12 + m <= endY * 12 + endM) {
    const period = `${y}-${String(m).padStart(2, '0')}`;
    out.push({ period, fileName: `${symbol}-${interval}-${period}.zip`, from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1) });
    if (++m === 13) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** An archive file to import, with its cadence (`monthly` for ended months, `daily` for the running month). */
export interface PlannedArchiveFile extends ArchiveFileRef {
  cadence: ArchiveCadence;
}

/**
 * The files covering `fromMonth`..`toMonth` at `now`: the monthly file of every month that ended by `now`, and for
 * the month containing `now` the daily file of each day that ended by `now` (a month's file is published only after
 * it ends). Months after the one containing `now` have no file yet and are left out. Oldest first.
 */
export function planArchiveFiles(symbol: string, interval: ArchiveInterval, fromMonth: string, toMonth: string, now: number): PlannedArchiveFile[] {
  const d = new Date(now);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const out: PlannedArchiveFile[] = [];
  for (const m of listArchiveFiles(symbol, interval, fromMonth, toMonth)) {
    if (m.to <= now) out.push({ ...m, cadence: 'monthly' });
    else if (m.from === monthStart) {
      for (let day = m.from; day + 86_400_000 <= now; day += 86_400_000) {
        const period = new Date(day).toISOString().slice(0, 10);
        out.push({ period, fileName: `${symbol}-${interval}-${period}.zip`, from: day, to: day + 86_400_000, cadence: 'daily' });
      }
    }
  }
  return out;
}
