/**
 * Candle store for the fake exchange: loads the real Binance-spot freqtrade files
 * (`BTC_USDT-5m.json`, `-1h`, `-4h`, ETH likewise) and answers "what would a venue have at simulated instant
 * `now`": every closed candle, plus the candle still forming at `now` (built from the 5m rows seen so far, so
 * a client must drop it). 15m and 1d are aggregated from 5m; 1m has no source data and is served empty.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floorToGrid, TIMEFRAME_MS, type Timeframe } from '../../shared/candles/timeframe';

/** `[openTimeMs, open, high, low, close, volume]`, the freqtrade row shape. */
export type Row = readonly [number, number, number, number, number, number];

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `$SHARED_DATA_DIR/freqtrade-binance-spot/SauloHenriqueAguiar-freqtrades` (BTC/ETH 5m, 1h, 4h; 2022-01-06..04-16). */
export function defaultDataDir(): string {
  const shared = process.env.SHARED_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data');
  return join(shared, 'freqtrade-binance-spot', 'SauloHenriqueAguiar-freqtrades');
}

/** 2022-04-16T13:47:30Z: 2.5 min into the last 5m candle of the data, so every timeframe has a forming candle. */
export const DEFAULT_FAKE_NOW = Date.UTC(2022, 3, 16, 13, 47, 30);

export const FAKE_SYMBOLS = ['BTC/USDT', 'ETH/USDT'] as const;

function aggregate(rows: readonly Row[], tf: Timeframe): Row[] {
  const out: Row[] = [];
  let cur: [number, number, number, number, number, number] | undefined;
  for (const r of rows) {
    const t = floorToGrid(r[0], tf);
    if (cur && cur[0] === t) {
      cur[2] = Math.max(cur[2], r[2]);
      cur[3] = Math.min(cur[3], r[3]);
      cur[4] = r[4];
      cur[5] += r[5];
    } else {
      if (cur) out.push(cur);
      cur = [t, r[1], r[2], r[3], r[4], r[5]];
    }
  }
  if (cur) out.push(cur);
  // Sums of 8-decimal volumes pick up float noise; round back to the venue's 8 decimals.
  for (const r of out) (r as [number, number, number, number, number, number])[5] = Math.round(r[5] * 1e8) / 1e8;
  return out;
}

/** Index of the first row with openTime > t (rows ascending). */
function upperBound(rows: readonly Row[], t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]![0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CandleStore {
  private readonly files = new Map<string, Row[]>();
  private readonly views = new Map<string, Row[]>();

  constructor(readonly dataDir: string = defaultDataDir()) {}

  private file(symbol: string, tf: '5m' | '1h' | '4h'): Row[] {
    const key = `${symbol} ${tf}`;
    let rows = this.files.get(key);
    if (!rows) {
      const path = join(this.dataDir, `${symbol.replace('/', '_')}-${tf}.json`);
      rows = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Row[]) : [];
      this.files.set(key, rows);
    }
    return rows;
  }

  /** Closed candles of the whole file (aggregated for 15m / 1d). */
  private all(symbol: string, tf: Timeframe): Row[] {
    switch (tf) {
      case '5m':
      case '1h':
      case '4h':
        return this.file(symbol, tf);
      case '15m':
      case '1d': {
        const key = `${symbol} ${tf} agg`;
        let rows = this.files.get(key);
        if (!rows) this.files.set(key, (rows = aggregate(this.file(symbol, '5m'), tf)));
        return rows;
      }
      case '1m':
        return [];
    }
  }

  /**
   * Rows a venue has at `now`, ascending: candles with `openTime + tf <= now` from the files, then the candle
   * containing `now` (if the data reaches it), aggregated from the 5m rows opened by `now`.
   */
  rowsAt(symbol: string, tf: Timeframe, now: number): Row[] {
    const key = `${symbol} ${tf} ${now}`;
    const hit = this.views.get(key);
    if (hit) return hit;
    const tfMs = TIMEFRAME_MS[tf];
    const forming = floorToGrid(now, tf);
    const all = this.all(symbol, tf);
    const closed = all.slice(0, upperBound(all, forming - tfMs));
    const five = this.file(symbol, '5m');
    const partial = five.slice(upperBound(five, forming - 1), upperBound(five, now));
    const out = partial.length > 0 && tf !== '1m' ? [...closed, ...aggregate(partial, tf)] : closed;
    if (this.views.size > 64) this.views.clear();
    this.views.set(key, out);
    return out;
  }
}
