/**
 * Book snapshots for the Lab's browser tests: each venue's real recorded order book from ../shared/data/rest-responses
 * (Binance depth 1000, Kraken Depth, Coinbase Advanced product_book, OKX books, Bybit's docs example) parsed by the
 * venue's own market parser and measured by the same `bookSnapshot` the cron uses, stored for a run of 5-minute
 * buckets (the same recorded book each bucket: the fixture has one book per venue, labelled `fixture:recorded`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../shared/db/database';
import { insertBookSnapshot } from '../../shared/db/queries/book-snapshots';
import { bookSnapshot, type BookSnapshot } from '../../shared/market/book-metrics';
import { BINANCE_MARKET } from '../../shared/venues/binance-market';
import { BYBIT_MARKET } from '../../shared/venues/bybit-market';
import { coinbaseMarketSpec } from '../../shared/venues/coinbase-market';
import { KRAKEN_MARKET } from '../../shared/venues/kraken-market';
import { OKX_MARKET } from '../../shared/venues/okx-market';
import type { MarketSpec, ParseContext } from '../../shared/venues/market-data';
import type { VenueId } from '../../shared/venues/types';

const BOOKS: [VenueId, MarketSpec, string, string, string][] = [
  ['binance', BINANCE_MARKET, 'BTC/USDT', 'BTCUSDT', 'binance-api-v3-depth-BTCUSDT-limit1000.json'],
  ['kraken', KRAKEN_MARKET, 'BTC/USDT', 'XBTUSDT', 'kraken-public-Depth-XBTUSDT-count5.json'],
  ['coinbase', coinbaseMarketSpec('advanced'), 'BTC/USD', 'BTC-USD', 'coinbase-advanced-brokerage-market-product_book-BTC-USD.json'],
  ['okx', OKX_MARKET, 'BTC/USDT', 'BTC-USDT', 'okx-api-v5-market-books-BTC-USDT-ABRIDGED.json'],
  ['bybit', BYBIT_MARKET, 'BTC/USDT', 'BTCUSDT', 'bybit-v5-market-orderbook-DOCS-EXAMPLE-spot-BTCUSDT.json'],
];

/** One measured snapshot per venue from its recorded book (freshness is not checked: the bodies are years old). */
export function recordedBookSnapshots(dataDir: string, now: number): BookSnapshot[] {
  return BOOKS.map(([venue, spec, symbol, venueSymbol, file]) => {
    const ctx: ParseContext = { venue, symbol, venueSymbol, now, fresh: { now, maxAgeMs: Number.MAX_SAFE_INTEGER, maxFutureMs: Number.MAX_SAFE_INTEGER }, n: 5000 };
    const text = readFileSync(join(dataDir, 'rest-responses', file), 'utf8');
    return bookSnapshot(spec.book.parse({ status: 200, headers: new Headers(), text, url: file }, ctx));
  });
}

/** Store each venue's recorded snapshot at every bucket in `buckets` (idempotent: a stored bucket is kept). */
export async function insertBookFixtures(db: Database, dataDir: string, buckets: readonly number[]): Promise<number> {
  let n = 0;
  for (const b of buckets) for (const s of recordedBookSnapshots(dataDir, b)) n += await insertBookSnapshot(db, { ...s, time: b }, b, 'fixture:recorded');
  return n;
}
