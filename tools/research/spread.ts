/**
 * `spread`: derive the ratio series A/B (e.g. BTC/ETH from BTC/USDT and ETH/USDT of one venue) over [from, to),
 * store the window in `spread_windows` (keyed by the legs' venue) and as candles under venue `derived:<venue>`
 * (e.g. `derived:binance`), symbol `A/B`, so backtests load it like any series. A refresh replaces exactly its own
 * window; the same pair from another venue is another window and another series.
 */
import type { Timeframe } from '../../shared/candles/timeframe';
import { spreadCandles, spreadWindowKey } from '../../shared/candles/spread';
import { loadCandles } from '../../shared/db/queries/candles';
import { replaceSpreadWindow } from '../../shared/db/queries/spreads';
import type { Database } from '../../shared/db/database';
import { candleHash } from '../../shared/app/window';

export async function deriveSpread(
  db: Database,
  opts: { pair: string; timeframe: Timeframe; from: number; to: number; venue: string; quote?: string },
): Promise<{ key: string; count: number; dataHash: string }> {
  const pair = opts.pair.toUpperCase();
  const [a, b] = pair.split('/') as [string, string];
  if (!a || !b) throw new Error(`--pair must be A/B, got ${opts.pair}`);
  const quote = opts.quote ?? 'USDT';
  const legA = await loadCandles(db, { venue: opts.venue, symbol: `${a}/${quote}`, timeframe: opts.timeframe }, opts.from, opts.to);
  const legB = await loadCandles(db, { venue: opts.venue, symbol: `${b}/${quote}`, timeframe: opts.timeframe }, opts.from, opts.to);
  if (!legA.length || !legB.length) throw new Error(`no ${opts.venue} ${a}/${quote} or ${b}/${quote} ${opts.timeframe} candles in the window`);
  const candles = spreadCandles(legA, legB, { from: opts.from, to: opts.to });
  const key = spreadWindowKey(opts.venue, pair, opts.timeframe, opts.from, opts.to);
  const dataHash = candleHash(candles);
  await replaceSpreadWindow(db, {
    key,
    pair,
    venue: opts.venue,
    timeframe: opts.timeframe,
    from: opts.from,
    to: opts.to,
    candles,
    dataHash,
    source: `spread:${opts.venue}:${a}/${quote}÷${b}/${quote} (co-move high/low)`,
  });
  return { key, count: candles.length, dataHash };
}
