/**
 * Derived spread windows: the window row in `spread_windows` (its candles, hash and count, keyed by the legs' venue
 * so a refresh replaces exactly its window) and the same candles under venue `derived:<leg venue>` (e.g.
 * `derived:binance`), symbol `A/B`, so backtests load the spread like any stored series and spreads of two venues
 * never mix. A refresh deletes that venue's derived candles in [from, to) before writing the new ones, in one
 * transaction: rows outside the window (other windows, other venues) are never touched. (Rows under the bare
 * venue `derived`, written before spreads were keyed by venue, are left as they are: recorded runs read them.)
 */
import { sql } from 'drizzle-orm';
import type { Candle, SeriesKey } from '../../candles/candle';
import { derivedVenue, parseSpreadWindowKey } from '../../candles/spread';
import { spreadWindows } from '../schema';
import type { Database } from '../database';
import { upsertCandles } from './candles';

export async function replaceSpreadWindow(
  db: Database,
  w: { key: string; pair: string; venue: string; timeframe: SeriesKey['timeframe']; from: number; to: number; candles: readonly Candle[]; dataHash: string; source: string },
): Promise<{ written: number }> {
  const k = parseSpreadWindowKey(w.key);
  if (k.venue !== w.venue || k.pair !== w.pair || k.timeframe !== w.timeframe) {
    throw new RangeError(`replaceSpreadWindow: key ${w.key} does not name ${w.venue} ${w.pair} ${w.timeframe}`);
  }
  const venue = derivedVenue(w.venue);
  let written = 0;
  await db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    await t
      .insert(spreadWindows)
      .values({ key: w.key, pair: w.pair, venue: w.venue, timeframe: w.timeframe, fromTime: w.from, toTime: w.to, candleCount: w.candles.length, dataHash: w.dataHash, candles: w.candles as unknown as object })
      .onConflictDoUpdate({
        target: spreadWindows.key,
        set: { candleCount: w.candles.length, dataHash: w.dataHash, candles: w.candles as unknown as object, refreshedAt: sql`now()` },
      });
    await t.execute(sql`DELETE FROM candles WHERE venue = ${venue} AND symbol = ${w.pair} AND timeframe = ${w.timeframe} AND open_time >= ${w.from} AND open_time < ${w.to}`);
    written = (await upsertCandles(t, { venue, symbol: w.pair, timeframe: w.timeframe }, w.candles, w.source)).written;
  });
  return { written };
}
