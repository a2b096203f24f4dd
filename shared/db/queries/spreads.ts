/**
 * Derived spread windows: the window row in `spread_windows` (its candles, hash and count, keyed so a refresh
 * replaces exactly its window) and the same candles under venue `derived`, symbol `A/B`, so backtests load the
 * spread like any stored series. A refresh deletes the derived candles in [from, to) before writing the new ones,
 * in one transaction: rows outside the window (other windows) are never touched.
 */
import { sql } from 'drizzle-orm';
import type { Candle, SeriesKey } from '../../candles/candle';
import { spreadWindows } from '../schema';
import type { Database } from '../database';
import { upsertCandles } from './candles';

export const DERIVED_VENUE = 'derived';

export async function replaceSpreadWindow(
  db: Database,
  w: { key: string; pair: string; venue: string; timeframe: SeriesKey['timeframe']; from: number; to: number; candles: readonly Candle[]; dataHash: string; source: string },
): Promise<{ written: number }> {
  let written = 0;
  await db.transaction(async (tx) => {
    const t = tx as unknown as Database;
    await t
      .insert(spreadWindows)
      .values({ key: w.key, pair: w.pair, venue: w.venue, timeframe: w.timeframe, fromTime: w.from, toTime: w.to, candleCount: w.candles.length, dataHash: w.dataHash, candles: w.candles as unknown as object })
      .onConflictDoUpdate({
        target: spreadWindows.key,
        set: { candleCount: w.candles.length, dataHash: w.dataHash, candles: w.candles as unknown as object, refreshedAt: sql`now()`, venue: w.venue },
      });
    await t.execute(sql`DELETE FROM candles WHERE venue = ${DERIVED_VENUE} AND symbol = ${w.pair} AND timeframe = ${w.timeframe} AND open_time >= ${w.from} AND open_time < ${w.to}`);
    written = (await upsertCandles(t, { venue: DERIVED_VENUE, symbol: w.pair, timeframe: w.timeframe }, w.candles, w.source)).written;
  });
  return { written };
}
