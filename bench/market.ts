/**
 * Market-data benchmark: CPU per series and cycle of turning a venue's book body into the stored snapshot record
 * (JSON parse, zod validation, sort/checks, book metrics), on the real recorded bodies — each venue at the
 * adapter's default depth and book source, Binance at 1000 levels, and the whole Coinbase Exchange BTC-USD level-2
 * book (`coinbaseBook: 'exchange'`; 27.6k levels rebuilt from the recorded WebSocket snapshot) on the best-first
 * fast path and the full-validation path.
 * Also the 1000-row Kraken trades page. Goal: < 5 ms per series at the default depth (the cron's CPU budget).
 *
 * Run standalone: `npx tsx bench/market.ts`; or call `runMarketBench()`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bookSnapshot } from '../shared/market/book-metrics';
import type { OrderBook } from '../shared/market/order-book';
import { BINANCE_MARKET } from '../shared/venues/binance-market';
import { BYBIT_MARKET } from '../shared/venues/bybit-market';
import { coinbaseMarketSpec } from '../shared/venues/coinbase-market';
import { KRAKEN_MARKET } from '../shared/venues/kraken-market';
import type { MarketEndpoint, ParseContext } from '../shared/venues/market-data';
import { OKX_MARKET } from '../shared/venues/okx-market';
import type { HttpResult } from '../shared/venues/transport';
import type { VenueId } from '../shared/venues/types';
import { defaultRestDir } from '../tools/fake-exchange/market';

export const MARKET_GOAL_MS = 5;

export interface MarketBenchRow {
  name: string;
  medianMs: number;
  p90Ms: number;
  reps: number;
  /** Counted against the goal (default-depth book of a venue). */
  goal: boolean;
}

const res = (text: string): HttpResult => ({ status: 200, headers: new Headers(), text, url: 'bench' });
const ctx = (venue: VenueId, symbol: string, venueSymbol: string, n: number): ParseContext => ({
  venue,
  symbol,
  venueSymbol,
  now: 1,
  fresh: { now: 1, maxAgeMs: Number.MAX_SAFE_INTEGER, maxFutureMs: Number.MAX_SAFE_INTEGER },
  n,
});

function time(name: string, f: () => unknown, reps: number, goal: boolean): MarketBenchRow {
  for (let i = 0; i < Math.min(20, reps); i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { name, medianMs: ts[reps >> 1]!, p90Ms: ts[Math.floor(reps * 0.9)]!, reps, goal };
}

export function runMarketBench(opts: { restDir?: string; log?: (line: string) => void } = {}): MarketBenchRow[] {
  const dir = opts.restDir ?? defaultRestDir();
  const log = opts.log ?? console.log;
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const book = (e: MarketEndpoint<OrderBook>, text: string, c: ParseContext) => () => bookSnapshot(e.parse(res(text), c));

  const bin1000 = read('binance-api-v3-depth-BTCUSDT-limit1000.json');
  const j = JSON.parse(bin1000) as { lastUpdateId: number; bids: unknown[]; asks: unknown[] };
  const bin100 = JSON.stringify({ ...j, bids: j.bids.slice(0, 100), asks: j.asks.slice(0, 100) });
  const wsSnap = JSON.parse(
    readFileSync(resolve(dir, '..', 'market-microstructure', 'coinbase-exchange-ws-level2', 'BTC-USD-level2-2024-01-22-messages.txt'), 'utf8').split('\n')[1]!,
  ) as { bids: string[][]; asks: string[][] };
  const sorted = (xs: string[][], d: 1 | -1) => [...xs].sort((a, b) => d * (Number(b[0]) - Number(a[0]))).map((l) => [...l, 1]);
  const cbFast = JSON.stringify({ bids: sorted(wsSnap.bids, 1), asks: sorted(wsSnap.asks, -1), sequence: 1 });
  const cbFull = JSON.stringify({ bids: sorted(wsSnap.bids, 1).reverse(), asks: sorted(wsSnap.asks, -1).reverse(), sequence: 1 });
  const cb = coinbaseMarketSpec('exchange');
  const adv = coinbaseMarketSpec('advanced');

  const rows = [
    time('binance depth 100 levels → snapshot', book(BINANCE_MARKET.book, bin100, ctx('binance', 'BTC/USDT', 'BTCUSDT', 100)), 300, true),
    time('binance depth 1000 levels → snapshot', book(BINANCE_MARKET.book, bin1000, ctx('binance', 'BTC/USDT', 'BTCUSDT', 1000)), 100, false),
    time('kraken Depth (5 recorded levels) → snapshot', book(KRAKEN_MARKET.book, read('kraken-public-Depth-XBTUSDT-count5.json'), ctx('kraken', 'BTC/USDT', 'XBTUSDT', 100)), 300, true),
    time('okx books (3 recorded levels) → snapshot', book(OKX_MARKET.book, read('okx-api-v5-market-books-BTC-USDT-ABRIDGED.json'), ctx('okx', 'BTC/USDT', 'BTC-USDT', 100)), 300, true),
    time('bybit orderbook (docs example) → snapshot', book(BYBIT_MARKET.book, read('bybit-v5-market-orderbook-DOCS-EXAMPLE-spot-BTCUSDT.json'), ctx('bybit', 'BTC/USDT', 'BTCUSDT', 100)), 300, true),
    time('coinbase advanced product_book (the default) → snapshot', book(adv.book, read('coinbase-advanced-brokerage-market-product_book-BTC-USD.json'), ctx('coinbase', 'BTC/USD', 'BTC-USD', 100)), 300, true),
    time('coinbase exchange level 2, whole book 27.6k levels → depth 100 (fast path)', book(cb.book, cbFast, ctx('coinbase', 'BTC/USD', 'BTC-USD', 100)), 40, false),
    time('coinbase exchange level 2, whole book 27.6k levels (full validation)', book(cb.book, cbFull, ctx('coinbase', 'BTC/USD', 'BTC-USD', 100)), 10, false),
    time('kraken Trades 1000 rows → oldest-first trades', () => KRAKEN_MARKET.trades.parse(res(read('kraken-public-Trades-XBTUSDT.json')), ctx('kraken', 'BTC/USDT', 'XBTUSDT', 1000)), 60, false),
  ];
  log('\nMarket data: body → validated book → snapshot record, CPU per call (median / p90):');
  for (const r of rows) log(`  ${r.name.padEnd(72)} ${r.medianMs.toFixed(3).padStart(8)} ms / ${r.p90Ms.toFixed(3).padStart(8)} ms${r.goal ? '' : '  (reference)'}`);
  const worst = Math.max(...rows.filter((r) => r.goal).map((r) => r.medianMs));
  log(`  goal < ${MARKET_GOAL_MS} ms per series at the default depth (worst venue median ${worst.toFixed(3)} ms): ${worst < MARKET_GOAL_MS ? 'met' : 'NOT met'}`);
  return rows;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) runMarketBench();
